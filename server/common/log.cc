#include "server/common/log.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace greengate::log {
namespace {

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// A field value or message longer than this is cut, its full length noted: a client can send
// megabytes (a model name, an error that quotes one), and a log line must stay a line.
constexpr std::size_t kMaxValueBytes = 1024;
constexpr std::size_t kMaxMessageBytes = 4096;

void AppendBoundedJsonString(std::string_view s, std::size_t max_bytes, std::string* out) {
  if (s.size() <= max_bytes) return AppendJsonString(s, out);
  AppendJsonString(
      absl::StrCat(absl::string_view(s.data(), max_bytes), "... (", s.size(), " bytes)"), out);
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kError:
      return "ERROR";
  }
  return "INFO";
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), quoted(false) {
  // JSON has no NaN or infinity: render those as strings so the line stays valid.
  if (std::isfinite(v)) {
    value = absl::StrFormat("%.17g", v);
  } else {
    value = absl::StrCat("\"", std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"), "\"");
  }
}

std::string Format(std::string_view time_rfc3339, Severity severity, std::string_view message,
                   const std::vector<Field>& fields) {
  std::string line = "{\"time\":";
  AppendJsonString(time_rfc3339, &line);
  line.append(",\"severity\":");
  AppendJsonString(SeverityName(severity), &line);
  line.append(",\"message\":");
  AppendBoundedJsonString(message, kMaxMessageBytes, &line);
  for (const Field& f : fields) {
    line.push_back(',');
    AppendBoundedJsonString(f.key, kMaxValueBytes, &line);
    line.push_back(':');
    if (f.quoted) {
      AppendBoundedJsonString(f.value, kMaxValueBytes, &line);
    } else {
      line.append(f.value);
    }
  }
  line.push_back('}');
  return line;
}

void Write(Severity severity, std::string_view message, const std::vector<Field>& fields) {
  static absl::Mutex mu(absl::kConstInit);
  const std::string time =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  const std::string line = Format(time, severity, message, fields) + "\n";
  absl::MutexLock lock(&mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace greengate::log
