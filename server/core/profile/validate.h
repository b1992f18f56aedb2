#pragma once

// Validation of profiles received from clients. Every error is InvalidArgument and names the
// offending field by its path, prefixed with `field` (e.g. "current.features[2].numeric").
// Pure and thread-safe.

#include <string_view>

#include "absl/status/status.h"
#include "server/core/profile/profile.h"

namespace greengate::profile {

// A profile on its own: at least one feature, unique non-empty names, counts finite and
// non-negative, missing <= count, bin edges finite and strictly increasing, one more count
// than edges, bin counts summing to count - missing, min <= mean <= max, sample finite and
// no larger than sample_seen, `unseen` categories listed and only in a reference_aligned
// profile, recorded options in the ranges the builders accept.
absl::Status ValidateProfile(const DataProfile& profile, std::string_view field);

// A reference additionally needs its samples sorted ascending (tests sort only the new side).
absl::Status ValidateReference(const DataProfile& reference, std::string_view field);

// A current profile must describe the reference's features with the same kinds, and its
// numeric features must use the reference's bin edges exactly. Features of the reference
// missing from `current` are an error; extra features in `current` are an error too. A
// categorical feature counted on the reference (reference_aligned) must list every reference
// category and otherwise only those it names in `unseen`, which must be empty when the
// reference's `other` is not 0 (CategoricalProfile). Unaligned ones (older clients) pass.
absl::Status ValidateAgainstReference(const DataProfile& reference, const DataProfile& current,
                                      std::string_view field);

}  // namespace greengate::profile
