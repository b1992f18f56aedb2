#pragma once

// Whether two profiles describe the same features on the same bins, so they can be compared
// (a current profile against its reference) or added (two shards). Implemented in
// validate.cc, which uses it for ValidateAgainstReference.

#include <string_view>

#include "absl/status/status.h"
#include "server/core/profile/profile.h"

namespace greengate::profile {

// ValidateSameFeatures()
//
// OK when `other` has exactly the features of `base` (matched by name, in any order), each of
// the same kind, and every numeric feature has bit-identical bin edges. Otherwise
// InvalidArgument naming the field in `other` by its path prefixed with `field`, and `base`
// by `base_name` (e.g. "the reference"). Neither profile needs to be valid otherwise; call
// ValidateProfile() for that. Pure and thread-safe.
absl::Status ValidateSameFeatures(const DataProfile& base, std::string_view base_name,
                                  const DataProfile& other, std::string_view field);

}  // namespace greengate::profile
