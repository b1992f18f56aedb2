#pragma once

// Structured logs: one JSON object per line on stderr, with `time` (RFC 3339 UTC),
// `severity`, `message` and any extra fields, as log agents expect. Thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace greengate::log {

enum class Severity { kDebug, kInfo, kWarning, kError };

// A field value rendered as a JSON string or a bare number/bool.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, double v);
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  std::string key;
  std::string value;
  bool quoted;
};

// Renders one log line (without the trailing newline); exposed for tests.
std::string Format(std::string_view time_rfc3339, Severity severity, std::string_view message,
                   const std::vector<Field>& fields);

void Write(Severity severity, std::string_view message, const std::vector<Field>& fields = {});
inline void Info(std::string_view m, const std::vector<Field>& f = {}) {
  Write(Severity::kInfo, m, f);
}
inline void Warning(std::string_view m, const std::vector<Field>& f = {}) {
  Write(Severity::kWarning, m, f);
}
inline void Error(std::string_view m, const std::vector<Field>& f = {}) {
  Write(Severity::kError, m, f);
}

}  // namespace greengate::log
