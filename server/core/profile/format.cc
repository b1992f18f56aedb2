#include "server/core/profile/format.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace greengate::profile::internal {

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string JoinPath(std::string_view field, std::string_view suffix) {
  if (field.empty()) return std::string(suffix);
  return absl::StrCat(AsAbsl(field), ".", AsAbsl(suffix));
}

}  // namespace greengate::profile::internal
