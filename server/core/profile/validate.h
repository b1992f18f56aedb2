#pragma once

// Validation of profiles received from clients. Every error is InvalidArgument and names the
// offending field by its path, prefixed with `field` (e.g. "current.features[2].numeric").
// Pure and thread-safe.

#include <map>
#include <string>
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

// A reference additionally needs its samples sorted ascending (tests sort only the new side)
// and a valid feature_importance (ValidateFeatureImportance).
absl::Status ValidateReference(const DataProfile& reference, std::string_view field);

// Part of both validations above, for the joint sample (absent is valid): at least one
// feature, each a numeric feature of `profile` and listed once; rows in [kMinJointSampleRows,
// kMaxJointSampleRows]; exactly rows x features finite values; seen >= rows. Names
// `field` + ".joint.*".
absl::Status ValidateJointSample(const DataProfile& profile, std::string_view field);

// Part of ValidateReference: the reference's own feature_importance, by ValidateImportance.
// Names `field` + ".feature_importance[...]".
absl::Status ValidateFeatureImportance(const DataProfile& reference, std::string_view field);

// Importance weights (feature name -> weight) as the drifted share weighs the features of
// `reference`: empty (every feature weighs 1), or every key a feature of `reference`, every
// weight finite and >= 0, and their total (ImportanceTotal) finite and > 0, since the share
// divides by it. The reference's own weights and a drift option's are both checked here, when
// they are stored and when a decision uses them. Names `field` (e.g.
// "reference.feature_importance") and its entries `field`['name'].
absl::Status ValidateImportance(const std::map<std::string, double>& importance,
                                const DataProfile& reference, std::string_view field);

// The sum of `importance` over the features of `reference`, in their order (features not
// listed weigh 0): the drifted share's denominator, added up as drift::DetectDrift adds it.
double ImportanceTotal(const std::map<std::string, double>& importance,
                       const DataProfile& reference);

// A profile of the model's top-class confidence scores (Reference.scores,
// ShouldRetrainRequest.scores): bin edges valid and in [0, 1], len(bin_edges) + 1 bin counts
// (or none), each a whole number >= 0; min, max, mean in [0, 1]; m2 finite and >= 0; sample
// values in [0, 1]; sample_seen >= 0.
absl::Status ValidateScoreProfile(const NumericProfile& scores, std::string_view field);

// Current scores must be counted on the reference scores' bin edges exactly.
absl::Status ValidateScoresAgainstReference(const NumericProfile& reference,
                                            const NumericProfile& current, std::string_view field);

// A current profile must describe the reference's features with the same kinds, and its
// numeric features must use the reference's bin edges exactly. Features of the reference
// missing from `current` are an error; extra features in `current` are an error too. A
// categorical feature counted on the reference (reference_aligned) must list every reference
// category and otherwise only those it names in `unseen`, which must be empty when the
// reference's `other` is not 0 (CategoricalProfile). Unaligned ones (older clients) pass.
absl::Status ValidateAgainstReference(const DataProfile& reference, const DataProfile& current,
                                      std::string_view field);

// A current profile for a decision on `reference`: ValidateProfile, with each numeric
// feature's bin edges compared with the reference's as soon as they are found well formed and
// before its counts (so a feature counted without the reference's bin_edges is refused naming
// bin_edges, not the bin_counts that then do not fit), then ValidateAgainstReference.
absl::Status ValidateCurrent(const DataProfile& reference, const DataProfile& current,
                             std::string_view field);

}  // namespace greengate::profile
