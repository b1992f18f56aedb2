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

// Model versions (Model.deployed_version, Reference.model_version): at most this many bytes,
// the limit of every short text, so any version a model was registered with can be named again.
inline constexpr size_t kMaxVersionBytes = kMaxShortText;

// ValidateModelVersion(): the one rule of every version field: InvalidArgument naming `field`
// when empty and `required`, longer than kMaxVersionBytes, or holding a control character
// (bytes below 0x20 and 0x7f: versions are printed in logs, alerts and reports line by line).
absl::Status ValidateModelVersion(absl::string_view version, absl::string_view field,
                                  bool required);

}  // namespace greengate::app
