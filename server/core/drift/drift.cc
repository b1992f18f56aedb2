#include "server/core/drift/drift.h"

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/correction.h"
#include "server/core/drift/feature_drift.h"
#include "server/core/drift/multivariate.h"
#include "server/core/drift/proportion_z.h"
#include "server/core/drift/test_registry.h"
#include "server/core/profile/format.h"
#include "server/core/profile/validate.h"

namespace greengate::drift {
namespace {

using profile::internal::QuoteForMessage;

double MissingRate(const profile::FeatureProfile& feature) {
  return feature.count > 0
             ? static_cast<double>(feature.missing) / static_cast<double>(feature.count)
             : 0.0;
}

absl::StatusOr<FeatureDrift> CompareFeature(const profile::FeatureProfile& reference,
                                            const profile::FeatureProfile& current,
                                            const DriftOptions& options, size_t ref_index,
                                            size_t cur_index, int64_t reference_rows) {
  const std::string ref_field = absl::StrCat("reference.features[", ref_index, "]");
  const std::string cur_field = absl::StrCat("current.features[", cur_index, "]");
  if (reference.is_numeric() != current.is_numeric()) {
    return absl::InvalidArgumentError(
        absl::StrCat(cur_field, ": feature ", QuoteForMessage(current.name), " is ",
                     current.is_numeric() ? "numeric" : "categorical", " but ", ref_field, " is ",
                     reference.is_numeric() ? "numeric" : "categorical"));
  }
  const internal::FeatureFields fields{ref_field, cur_field, reference_rows};
  FeatureDrift drift;
  const auto selected = options.feature_tests.find(reference.name);
  if (selected != options.feature_tests.end()) {
    ASSIGN_OR_RETURN(
        drift, internal::RunSelectedTest(
                   reference, current, selected->second, options, fields,
                   absl::StrCat("options.feature_tests[", QuoteForMessage(reference.name), "]")));
  } else {
    ASSIGN_OR_RETURN(drift,
                     reference.is_numeric()
                         ? internal::CompareNumeric(reference, current, options, fields)
                         : internal::CompareCategorical(reference, current, options, fields));
  }
  drift.missing_rate_reference = MissingRate(reference);
  drift.missing_rate_current = MissingRate(current);
  if (reference.count > 0 && current.count > 0 && reference.missing >= 0 && current.missing >= 0 &&
      reference.missing <= reference.count && current.missing <= current.count) {
    ASSIGN_OR_RETURN(
        const ProportionTestResult missing,
        TwoProportionZ(reference.missing, reference.count, current.missing, current.count));
    drift.missing_rate_z = missing.z;
    drift.missing_rate_p_value = missing.p_value;
  }
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
  // The options and the reference's weights, by the rules their writes were held to.
  RETURN_IF_ERROR(ValidateDriftOptions(options, "options"));
  if (reference.features.empty()) {
    return absl::InvalidArgumentError("reference.features: must not be empty");
  }
  RETURN_IF_ERROR(ValidateDriftOptionsForReference(options, reference, "options"));
  RETURN_IF_ERROR(profile::ValidateFeatureImportance(reference, "reference"));
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
      return absl::InvalidArgumentError(absl::StrCat("current.features: no feature ",
                                                     QuoteForMessage(ref.name),
                                                     " (reference.features[", i, "])"));
    }
    ASSIGN_OR_RETURN(FeatureDrift drift, CompareFeature(ref, current.features[found->second],
                                                        options, i, found->second, reference.rows));
    report.features.push_back(std::move(drift));
  }
  DecidePValueTests(report.features, options);

  // Missing-rate drift: Bonferroni across features plus a minimum difference in rates.
  const double missing_alpha =
      options.p_value_threshold / static_cast<double>(report.features.size());
  for (FeatureDrift& feature : report.features) {
    feature.missing_rate_drifted =
        feature.missing_rate_p_value < missing_alpha &&
        std::fabs(feature.missing_rate_current - feature.missing_rate_reference) >=
            options.missing_rate_min_difference;
    if (feature.missing_rate_drifted) ++report.missing_rate_drifted_features;
  }

  // The options' importance wins over the one sent with the reference. Either was validated
  // above, so its total is finite and > 0; the drifted weight, added in the same order, is at
  // most that total.
  const std::map<std::string, double>& importance = options.feature_importance.empty()
                                                        ? reference.feature_importance
                                                        : options.feature_importance;
  report.importance_weighted = !importance.empty();
  const double total_weight = report.importance_weighted
                                  ? profile::ImportanceTotal(importance, reference)
                                  : static_cast<double>(report.features.size());
  double drifted_weight = 0;
  for (FeatureDrift& feature : report.features) {
    if (report.importance_weighted) {
      const auto it = importance.find(feature.feature);
      feature.importance = it == importance.end() ? 0.0 : it->second;
    }
    if (feature.drifted) {
      ++report.drifted_features;
      drifted_weight += feature.importance;
    }
  }
  report.drifted_share = drifted_weight / total_weight;
  report.dataset_drift = report.drifted_share >= options.drift_share_threshold;

  if (options.multivariate.enabled && reference.joint.has_value() && current.joint.has_value()) {
    ASSIGN_OR_RETURN(report.multivariate,
                     internal::CompareJointSamples(*reference.joint, *current.joint, options));
    if (report.multivariate->drifted) report.dataset_drift = true;
  }
  return report;
}

}  // namespace greengate::drift
