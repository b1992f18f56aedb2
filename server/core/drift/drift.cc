#include "server/core/drift/drift.h"

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/correction.h"
#include "server/core/drift/feature_drift.h"

namespace greengate::drift {
namespace {

absl::Status ValidateOptions(const DriftOptions& options) {
  if (!(options.p_value_threshold > 0 && options.p_value_threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.p_value_threshold: must be in (0, 1], got ", options.p_value_threshold));
  }
  if (!(options.distance_threshold >= 0) || !std::isfinite(options.distance_threshold)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.distance_threshold: must be finite and >= 0, got ", options.distance_threshold));
  }
  if (!(options.drift_share_threshold >= 0 && options.drift_share_threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.drift_share_threshold: must be in [0, 1], got ", options.drift_share_threshold));
  }
  if (options.large_sample_rows < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.large_sample_rows: must be >= 0, got ", options.large_sample_rows));
  }
  return absl::OkStatus();
}

double MissingRate(const profile::FeatureProfile& feature) {
  return feature.count > 0
             ? static_cast<double>(feature.missing) / static_cast<double>(feature.count)
             : 0.0;
}

absl::StatusOr<FeatureDrift> CompareFeature(const profile::FeatureProfile& reference,
                                            const profile::FeatureProfile& current,
                                            const DriftOptions& options, size_t ref_index,
                                            size_t cur_index) {
  const std::string ref_field = absl::StrCat("reference.features[", ref_index, "]");
  const std::string cur_field = absl::StrCat("current.features[", cur_index, "]");
  if (reference.is_numeric() != current.is_numeric()) {
    return absl::InvalidArgumentError(
        absl::StrCat(cur_field, ": feature \"", current.name, "\" is ",
                     current.is_numeric() ? "numeric" : "categorical", " but ", ref_field, " is ",
                     reference.is_numeric() ? "numeric" : "categorical"));
  }
  const internal::FeatureFields fields{ref_field, cur_field};
  ASSIGN_OR_RETURN(FeatureDrift drift,
                   reference.is_numeric()
                       ? internal::CompareNumeric(reference, current, options, fields)
                       : internal::CompareCategorical(reference, current, options, fields));
  drift.missing_rate_reference = MissingRate(reference);
  drift.missing_rate_current = MissingRate(current);
  return drift;
}

// Corrects the p-value tests across features (only they take part) and decides them.
void DecidePValueTests(std::vector<FeatureDrift>& features, const DriftOptions& options) {
  std::vector<size_t> tested;
  std::vector<double> p_values;
  for (size_t i = 0; i < features.size(); ++i) {
    if (features[i].p_value.has_value()) {
      tested.push_back(i);
      p_values.push_back(*features[i].p_value);
    }
  }
  const std::vector<double> adjusted = AdjustPValues(p_values, options.correction);
  for (size_t k = 0; k < tested.size(); ++k) {
    FeatureDrift& feature = features[tested[k]];
    feature.adjusted_p_value = adjusted[k];
    feature.drifted = adjusted[k] < options.p_value_threshold;
  }
}

}  // namespace

absl::StatusOr<DriftReport> DetectDrift(const profile::DataProfile& reference,
                                        const profile::DataProfile& current,
                                        const DriftOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (reference.features.empty()) {
    return absl::InvalidArgumentError("reference.features: must not be empty");
  }
  absl::flat_hash_map<std::string_view, size_t> current_index;
  current_index.reserve(current.features.size());
  for (size_t j = 0; j < current.features.size(); ++j) {
    current_index.emplace(current.features[j].name, j);  // first wins on duplicates
  }

  DriftReport report;
  report.correction = options.correction;
  report.share_threshold = options.drift_share_threshold;
  report.features.reserve(reference.features.size());
  for (size_t i = 0; i < reference.features.size(); ++i) {
    const profile::FeatureProfile& ref = reference.features[i];
    const auto found = current_index.find(std::string_view(ref.name));
    if (found == current_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("current.features: no feature \"", ref.name,
                                                     "\" (reference.features[", i, "])"));
    }
    ASSIGN_OR_RETURN(FeatureDrift drift, CompareFeature(ref, current.features[found->second],
                                                        options, i, found->second));
    report.features.push_back(std::move(drift));
  }
  DecidePValueTests(report.features, options);

  for (const FeatureDrift& feature : report.features) {
    if (feature.drifted) ++report.drifted_features;
  }
  report.drifted_share =
      static_cast<double>(report.drifted_features) / static_cast<double>(report.features.size());
  report.dataset_drift = report.drifted_share >= options.drift_share_threshold;
  return report;
}

}  // namespace greengate::drift
