#pragma once

// Quoting user values inside error messages and log lines. Header-only, so the core (which
// links only Abseil) and the adapters share it.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace greengate {

// Bytes of a user value a message shows at most. A value echoed whole can be megabytes: in a
// gRPC status it no longer fits the response's metadata (the client then sees
// RESOURCE_EXHAUSTED instead of the INVALID_ARGUMENT naming the field), and in a log it
// floods the line.
inline constexpr std::size_t kQuotedBytes = 64;

// QuoteForMessage()
//
// `value` C-escaped inside single quotes; when longer than `max_bytes`, its first `max_bytes`
// bytes followed by "... (N bytes)" with its full length. Thread-safe.
inline std::string QuoteForMessage(std::string_view value, std::size_t max_bytes = kQuotedBytes) {
  const bool cut = value.size() > max_bytes;
  const std::string_view shown = cut ? value.substr(0, max_bytes) : value;
  std::string out =
      absl::StrCat("'", absl::CEscape(absl::string_view(shown.data(), shown.size())), "'");
  if (cut) absl::StrAppend(&out, "... (", value.size(), " bytes)");
  return out;
}
// Abseil 20220623's string_view is its own type; these keep every call unambiguous.
inline std::string QuoteForMessage(absl::string_view value, std::size_t max_bytes = kQuotedBytes) {
  return QuoteForMessage(std::string_view(value.data(), value.size()), max_bytes);
}
inline std::string QuoteForMessage(const std::string& value, std::size_t max_bytes = kQuotedBytes) {
  return QuoteForMessage(std::string_view(value), max_bytes);
}
inline std::string QuoteForMessage(const char* value, std::size_t max_bytes = kQuotedBytes) {
  return QuoteForMessage(std::string_view(value), max_bytes);
}

}  // namespace greengate
