#pragma once

// Checks of request fields shared by the use cases. InvalidArgument names the field.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace greengate::app {

// Short text fields (names, versions, sources): at most this many bytes.
inline constexpr size_t kMaxShortText = 256;

// CheckText(): `value` is at most kMaxShortText bytes, and not empty when `required`.
absl::Status CheckText(absl::string_view value, absl::string_view field, bool required);

}  // namespace greengate::app
