#include "server/app/request_checks.h"

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

}  // namespace greengate::app
