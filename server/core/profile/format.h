#pragma once

// Small helpers that render values inside error messages. Internal to the profile module.

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace greengate::profile::internal {

// AsAbsl()
//
// Abseil 20220623 has its own string_view type; this bridges std::string_view to it.
inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// FormatDouble()
//
// The shortest text that reads back as exactly `value` ("0.1", "3.2500000000000004", "nan",
// "inf"), so a message can show two edges that differ only in their last bit. Thread-safe.
std::string FormatDouble(double value);

// QuoteForMessage()
//
// `value` C-escaped inside single quotes, cut to its first `max_bytes` bytes with "..."
// appended when longer, so user data cannot flood or garble a message. Thread-safe.
std::string QuoteForMessage(std::string_view value, std::size_t max_bytes = 64);

// JoinPath()
//
// "field.suffix", or just `suffix` when `field` is empty. Thread-safe.
std::string JoinPath(std::string_view field, std::string_view suffix);

}  // namespace greengate::profile::internal
