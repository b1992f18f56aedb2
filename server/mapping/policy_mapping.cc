#include "server/mapping/policy_mapping.h"

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::mapping {
namespace {

// Proto3 scalars cannot tell "unset" from zero; zero means "use the default".
double Or(double value, double fallback) { return value != 0 ? value : fallback; }

absl::StatusOr<drift::Correction> CorrectionFromProto(v1::Correction c) {
  switch (c) {
    case v1::CORRECTION_UNSPECIFIED:
    case v1::BENJAMINI_HOCHBERG:
      return drift::Correction::kBenjaminiHochberg;
    case v1::BONFERRONI:
      return drift::Correction::kBonferroni;
    case v1::NO_CORRECTION:
      return drift::Correction::kNone;
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "policy.correction: unknown value ", static_cast<int>(c),
      "; one of 0 (CORRECTION_UNSPECIFIED, as BENJAMINI_HOCHBERG), 1 (BENJAMINI_HOCHBERG), "
      "2 (BONFERRONI), 3 (NO_CORRECTION)"));
}

}  // namespace

v1::Correction CorrectionToProto(drift::Correction c) {
  switch (c) {
    case drift::Correction::kBonferroni:
      return v1::BONFERRONI;
    case drift::Correction::kNone:
      return v1::NO_CORRECTION;
    case drift::Correction::kBenjaminiHochberg:
      break;
  }
  return v1::BENJAMINI_HOCHBERG;
}

absl::StatusOr<policy::Policy> PolicyFromProto(const v1::Policy& p) {
  if (p.mmd_permutations() < -1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy.mmd_permutations: must be -1 (multivariate tests off), 0 (default 100) or a "
        "count in [1, 100000], got ",
        p.mmd_permutations()));
  }
  policy::Policy out;
  out.version = p.version();
  drift::DriftOptions& d = out.drift;
  d.p_value_threshold = Or(p.p_value_threshold(), d.p_value_threshold);
  d.distance_threshold = Or(p.distance_threshold(), d.distance_threshold);
  d.drift_share_threshold = Or(p.drift_share_threshold(), d.drift_share_threshold);
  ASSIGN_OR_RETURN(d.correction, CorrectionFromProto(p.correction()));
  if (p.large_sample_rows() != 0) d.large_sample_rows = p.large_sample_rows();
  d.feature_tests.insert(p.feature_tests().begin(), p.feature_tests().end());
  if (p.has_missing_rate_min_difference()) {
    d.missing_rate_min_difference = p.missing_rate_min_difference();
  }
  if (p.mmd_permutations() > 0) d.multivariate.permutations = p.mmd_permutations();
  if (p.mmd_permutations() < 0) d.multivariate.enabled = false;
  if (p.has_accuracy_floor()) out.accuracy_floor = p.accuracy_floor();
  if (p.has_min_gain()) out.min_gain = p.min_gain();
  if (p.has_min_gain_points_per_kwh()) out.min_gain_points_per_kwh = p.min_gain_points_per_kwh();
  out.recovery_ratio = Or(p.recovery_ratio(), out.recovery_ratio);
  out.confidence = Or(p.confidence(), out.confidence);
  if (p.has_cooldown_s()) out.cooldown = absl::Seconds(p.cooldown_s());
  if (p.has_energy_budget_kwh()) out.energy_budget_kwh = p.energy_budget_kwh();
  if (p.budget_window_s() != 0) out.budget_window = absl::Seconds(p.budget_window_s());
  out.value_per_accuracy_point = p.value_per_accuracy_point();
  out.energy_price_per_kwh = p.energy_price_per_kwh();
  out.carbon_price_per_kg = p.carbon_price_per_kg();
  if (p.has_carbon_budget_kg()) out.carbon_budget_kg = p.carbon_budget_kg();
  out.max_deferral = absl::Seconds(p.max_deferral_s());
  out.min_deferral_saving = Or(p.min_deferral_saving(), out.min_deferral_saving);
  RETURN_IF_ERROR(policy::ValidatePolicy(out));
  return out;
}

v1::Policy PolicyToProto(const policy::Policy& policy) {
  v1::Policy p;
  p.set_version(policy.version);
  p.set_p_value_threshold(policy.drift.p_value_threshold);
  p.set_distance_threshold(policy.drift.distance_threshold);
  p.set_drift_share_threshold(policy.drift.drift_share_threshold);
  p.set_correction(CorrectionToProto(policy.drift.correction));
  p.set_large_sample_rows(policy.drift.large_sample_rows);
  for (const auto& [feature, test] : policy.drift.feature_tests) {
    (*p.mutable_feature_tests())[feature] = test;
  }
  p.set_missing_rate_min_difference(policy.drift.missing_rate_min_difference);
  p.set_mmd_permutations(policy.drift.multivariate.enabled ? policy.drift.multivariate.permutations
                                                           : -1);
  if (policy.accuracy_floor) p.set_accuracy_floor(*policy.accuracy_floor);
  p.set_min_gain(policy.min_gain);
  p.set_min_gain_points_per_kwh(policy.min_gain_points_per_kwh);
  p.set_recovery_ratio(policy.recovery_ratio);
  p.set_confidence(policy.confidence);
  p.set_cooldown_s(absl::ToInt64Seconds(policy.cooldown));
  if (policy.energy_budget_kwh) p.set_energy_budget_kwh(*policy.energy_budget_kwh);
  p.set_budget_window_s(absl::ToInt64Seconds(policy.budget_window));
  p.set_value_per_accuracy_point(policy.value_per_accuracy_point);
  p.set_energy_price_per_kwh(policy.energy_price_per_kwh);
  p.set_carbon_price_per_kg(policy.carbon_price_per_kg);
  if (policy.carbon_budget_kg) p.set_carbon_budget_kg(*policy.carbon_budget_kg);
  p.set_max_deferral_s(absl::ToInt64Seconds(policy.max_deferral));
  p.set_min_deferral_saving(policy.min_deferral_saving);
  return p;
}

}  // namespace greengate::mapping
