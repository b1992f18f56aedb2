// ValidateDriftOptions, ValidateDriftOptionsForReference: the drift options' rules, which a
// policy's write (SetPolicy, SetReference) and every drift detection apply alike.

#include <string>

#include "absl/strings/str_cat.h"
#include "server/common/range_check.h"
#include "server/common/status_macros.h"
#include "server/core/drift/drift.h"
#include "server/core/drift/test_registry.h"
#include "server/core/profile/format.h"
#include "server/core/profile/validate.h"

namespace greengate::drift {
namespace {

using profile::internal::AsAbsl;
using profile::internal::QuoteForMessage;

constexpr int kMaxPermutations = 100'000;  // MmdTest's own limit

// "<field>.<name>", the path of one option.
std::string OptionPath(std::string_view field, std::string_view name) {
  return absl::StrCat(AsAbsl(field), ".", AsAbsl(name));
}

// "<field>.feature_tests['name']", the feature name quoted with a bounded prefix.
std::string FeatureTestPath(std::string_view field, const std::string& feature) {
  return absl::StrCat(AsAbsl(field), ".feature_tests[", QuoteForMessage(feature), "]");
}

const profile::FeatureProfile* FindFeature(const profile::DataProfile& reference,
                                           const std::string& name) {
  for (const profile::FeatureProfile& f : reference.features) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

absl::Status ValidateDriftOptions(const DriftOptions& options, std::string_view field) {
  RETURN_IF_ERROR(CheckInRange(OptionPath(field, "p_value_threshold"), options.p_value_threshold, 0,
                               Bound::kOpen, 1, Bound::kOpen));
  RETURN_IF_ERROR(CheckInRange(OptionPath(field, "distance_threshold"), options.distance_threshold,
                               0, Bound::kOpen, 1, Bound::kOpen));
  RETURN_IF_ERROR(CheckInRange(OptionPath(field, "drift_share_threshold"),
                               options.drift_share_threshold, 0, Bound::kOpen, 1, Bound::kClosed));
  if (options.large_sample_rows < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        OptionPath(field, "large_sample_rows"), ": must be >= 1, got ", options.large_sample_rows));
  }
  for (const auto& [feature, test] : options.feature_tests) {
    RETURN_IF_ERROR(ValidateFeatureTest(test, FeatureTestPath(field, feature)));
  }
  const DriftOptions::Multivariate& multivariate = options.multivariate;
  if (multivariate.enabled &&
      (multivariate.permutations < 1 || multivariate.permutations > kMaxPermutations)) {
    return absl::InvalidArgumentError(absl::StrCat(
        OptionPath(field, "mmd_permutations"), ": must be in [1, ", kMaxPermutations,
        "], or -1 to turn the multivariate tests off, got ", multivariate.permutations));
  }
  return CheckInRange(OptionPath(field, "missing_rate_min_difference"),
                      options.missing_rate_min_difference, 0, Bound::kClosed, 1, Bound::kClosed);
}

absl::Status ValidateDriftOptionsForReference(const DriftOptions& options,
                                              const profile::DataProfile& reference,
                                              std::string_view field) {
  for (const auto& [feature, test] : options.feature_tests) {
    const std::string path = FeatureTestPath(field, feature);
    const profile::FeatureProfile* found = FindFeature(reference, feature);
    if (found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the model's reference has no feature ", QuoteForMessage(feature)));
    }
    RETURN_IF_ERROR(ValidateFeatureTestFor(test, *found, path));
  }
  return profile::ValidateImportance(options.feature_importance, reference,
                                     OptionPath(field, "feature_importance"));
}

}  // namespace greengate::drift
