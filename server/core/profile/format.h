#pragma once

// Small helpers that render values inside error messages. Internal to the profile module.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/common/quote.h"

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

// QuoteForMessage(): server/common/quote.h, shared with the adapters.
using ::greengate::QuoteForMessage;

// Invalid()
//
// InvalidArgument "<path>: <args...>", the form every validation message takes. Thread-safe.
template <typename... Args>
absl::Status Invalid(std::string_view path, const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(AsAbsl(path), ": ", args...));
}

// JoinPath()
//
// "field.suffix", or just `suffix` when `field` is empty. Thread-safe.
std::string JoinPath(std::string_view field, std::string_view suffix);

}  // namespace greengate::profile::internal
