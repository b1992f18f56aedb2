#include "server/app/request_checks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace greengate::app {

absl::Status CheckText(absl::string_view value, absl::string_view field, bool required) {
  if (required && value.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (value.size() > kMaxShortText) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value.size(), " bytes; at most ", kMaxShortText));
  }
  return absl::OkStatus();
}

absl::Status ValidateModelVersion(absl::string_view version, absl::string_view field,
                                  bool required) {
  if (required && version.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (version.size() > kMaxVersionBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", version.size(), " bytes; at most ", kMaxVersionBytes));
  }
  const bool control = std::any_of(version.begin(), version.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (control) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": control characters (bytes below 0x20, 0x7f) are not allowed"));
  }
  return absl::OkStatus();
}

}  // namespace greengate::app
