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

namespace greengate::drift {
namespace {

absl::Status CheckImportance(const std::map<std::string, double>& importance,
                             std::string_view field) {
  for (const auto& [feature, weight] : importance) {
    if (!(weight >= 0) || !std::isfinite(weight)) {
      return absl::InvalidArgumentError(absl::StrCat(std::string(field), "[\"", feature,
                                                     "\"]: must be finite and >= 0, got ", weight));
    }
  }
  return absl::OkStatus();
}

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
  if (!(options.missing_rate_min_difference >= 0 && options.missing_rate_min_difference <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.missing_rate_min_difference: must be in [0, 1], got ",
                     options.missing_rate_min_difference));
  }
  for (const auto& [feature, test] : options.feature_tests) {
    RETURN_IF_ERROR(
        ValidateFeatureTest(test, absl::StrCat("options.feature_tests[\"", feature, "\"]")));
  }
  return CheckImportance(options.feature_importance, "options.feature_importance");
}

// Every name in a per-feature option must be a reference feature: a typo would otherwise
// silently do nothing.
template <typename Map>
absl::Status CheckNames(const Map& map, const profile::DataProfile& reference,
                        std::string_view option, std::string_view owner = "options") {
  for (const auto& entry : map) {
    bool found = false;
    for (const profile::FeatureProfile& f : reference.features) {
      if (f.name == entry.first) {
        found = true;
        break;
      }
    }
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(std::string(owner), ".", std::string(option),
                                                     "[\"", entry.first,
                                                     "\"]: no such feature in the reference"));
    }
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
                                            size_t cur_index, int64_t reference_rows) {
  const std::string ref_field = absl::StrCat("reference.features[", ref_index, "]");
  const std::string cur_field = absl::StrCat("current.features[", cur_index, "]");
  if (reference.is_numeric() != current.is_numeric()) {
    return absl::InvalidArgumentError(
        absl::StrCat(cur_field, ": feature \"", current.name, "\" is ",
                     current.is_numeric() ? "numeric" : "categorical", " but ", ref_field, " is ",
                     reference.is_numeric() ? "numeric" : "categorical"));
  }
  const internal::FeatureFields fields{ref_field, cur_field, reference_rows};
  FeatureDrift drift;
  const auto selected = options.feature_tests.find(reference.name);
  if (selected != options.feature_tests.end()) {
    ASSIGN_OR_RETURN(drift, internal::RunSelectedTest(
                                reference, current, selected->second, options, fields,
                                absl::StrCat("options.feature_tests[\"", reference.name, "\"]")));
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
  RETURN_IF_ERROR(ValidateOptions(options));
  if (reference.features.empty()) {
    return absl::InvalidArgumentError("reference.features: must not be empty");
  }
  RETURN_IF_ERROR(CheckNames(options.feature_tests, reference, "feature_tests"));
  RETURN_IF_ERROR(CheckNames(options.feature_importance, reference, "feature_importance"));
  RETURN_IF_ERROR(CheckImportance(reference.feature_importance, "reference.feature_importance"));
  RETURN_IF_ERROR(
      CheckNames(reference.feature_importance, reference, "feature_importance", "reference"));
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

  // The policy's importance wins over the one sent with the reference.
  const bool from_options = !options.feature_importance.empty();
  const std::map<std::string, double>& importance =
      from_options ? options.feature_importance : reference.feature_importance;
  report.importance_weighted = !importance.empty();
  double total_weight = 0;
  double drifted_weight = 0;
  for (FeatureDrift& feature : report.features) {
    if (report.importance_weighted) {
      const auto it = importance.find(feature.feature);
      feature.importance = it == importance.end() ? 0.0 : it->second;
    }
    total_weight += feature.importance;
    if (feature.drifted) {
      ++report.drifted_features;
      drifted_weight += feature.importance;
    }
  }
  if (!(total_weight > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(from_options ? "options" : "reference",
                                                   ".feature_importance: the reference's features "
                                                   "must not all weigh 0"));
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
