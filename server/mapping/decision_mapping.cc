#include "server/mapping/decision_mapping.h"

#include "google/protobuf/util/time_util.h"
#include "server/mapping/policy_mapping.h"

namespace greengate::mapping {
namespace {

using google::protobuf::util::TimeUtil;

// The proto cannot carry NaN through JSON, and "no p-value" must be distinguishable: -1.
constexpr double kNoPValue = -1;

void DriftToProto(const drift::DriftReport& report, v1::DriftSummary* out) {
  for (const drift::FeatureDrift& f : report.features) {
    v1::FeatureDrift* p = out->add_features();
    p->set_feature(f.feature);
    p->set_test(f.test);
    p->set_statistic(f.statistic);
    p->set_p_value(f.p_value.value_or(kNoPValue));
    p->set_adjusted_p_value(f.adjusted_p_value.value_or(kNoPValue));
    p->set_threshold(f.threshold);
    p->set_drifted(f.drifted);
    p->set_why(f.why);
    p->set_psi(f.psi);
    p->set_jensen_shannon(f.jensen_shannon);
    p->set_missing_rate_reference(f.missing_rate_reference);
    p->set_missing_rate_current(f.missing_rate_current);
    for (const std::string& c : f.unseen_categories) p->add_unseen_categories(c);
    p->set_missing_rate_z(f.missing_rate_z);
    p->set_missing_rate_p_value(f.missing_rate_p_value);
    p->set_missing_rate_drifted(f.missing_rate_drifted);
    p->set_importance(f.importance);
    p->set_resolution(f.resolution);
    if (f.statistic_lower.has_value()) p->set_statistic_lower(*f.statistic_lower);
    if (f.statistic_upper.has_value()) p->set_statistic_upper(*f.statistic_upper);
  }
  out->set_drifted_features(report.drifted_features);
  out->set_drifted_share(report.drifted_share);
  out->set_share_threshold(report.share_threshold);
  out->set_dataset_drift(report.dataset_drift);
  out->set_correction(CorrectionToProto(report.correction));
  out->set_importance_weighted(report.importance_weighted);
  out->set_missing_rate_drifted_features(report.missing_rate_drifted_features);
  if (report.multivariate) {
    const drift::MultivariateDrift& m = *report.multivariate;
    v1::MultivariateDrift* mv = out->mutable_multivariate();
    for (const std::string& name : m.features) mv->add_features(name);
    mv->set_reference_rows(m.reference_rows);
    mv->set_current_rows(m.current_rows);
    mv->set_mmd2(m.mmd2);
    mv->set_mmd_sigma(m.mmd_sigma);
    mv->set_mmd_p_value(m.mmd_p_value);
    mv->set_permutations(m.permutations);
    mv->set_mmd_drifted(m.mmd_drifted);
    mv->set_pca_error(m.pca_error);
    mv->set_pca_lower(m.pca_lower);
    mv->set_pca_upper(m.pca_upper);
    mv->set_pca_components(m.pca_components);
    mv->set_pca_drifted(m.pca_drifted);
    mv->set_drifted(m.drifted);
    mv->set_why(m.why);
  }
}

void GainToProto(const gain::GainEstimate& g, v1::GainEstimate* out) {
  out->set_expected(g.expected);
  out->set_lower_bound(g.lower_bound);
  out->set_upper_bound(g.upper_bound);
  out->set_standard_error(g.standard_error);
  out->set_method(g.method);
  out->set_reference_accuracy(g.reference_accuracy);
  out->set_current_accuracy(g.current_accuracy);
  out->set_degradation(g.degradation);
  out->set_recovery_ratio(g.recovery_ratio);
  out->set_evidence(g.evidence);
  out->set_current_accuracy_lower(g.current_accuracy_lower);
  out->set_current_accuracy_upper(g.current_accuracy_upper);
  out->set_outcomes_used(g.outcomes_used);
  out->set_recovery_ratio_source(g.recovery_ratio_source);
  out->set_proxy_gain(g.proxy_gain);
  out->set_proxy_gain_lower(g.proxy_gain_lower);
  out->set_proxy_scale(g.proxy_scale);
  out->set_attainable_accuracy(g.attainable_accuracy);
  out->set_attainable_versions(g.attainable_versions);
  out->set_considered(g.considered);
}

void CostToProto(const energy::CostEstimate& c, v1::CostEstimate* out) {
  out->set_energy_kwh(c.energy_kwh);
  out->set_co2e_kg(c.co2e_kg);
  for (const energy::CostComponent& part : c.breakdown) {
    v1::CostComponent* p = out->add_breakdown();
    p->set_name(part.name);
    p->set_energy_kwh(part.energy_kwh);
    p->set_power_w(part.power_w);
    p->set_source(part.source);
  }
  out->set_method(c.method);
  out->set_pue(c.pue);
  out->set_pue_source(c.pue_source);
  out->set_carbon_intensity_g_per_kwh(c.carbon_intensity_g_per_kwh);
  out->set_carbon_intensity_source(c.carbon_intensity_source);
  out->set_plan(c.plan);
  out->set_energy_kwh_lower(c.energy_kwh_lower);
  out->set_energy_kwh_upper(c.energy_kwh_upper);
  out->set_outcomes_used(c.outcomes_used);
  out->set_green_algorithms_energy_kwh(c.green_algorithms_energy_kwh);
  out->set_method_detail(c.method_detail);
}

}  // namespace

v1::Verdict VerdictToProto(policy::Verdict verdict) {
  switch (verdict) {
    case policy::Verdict::kApprove:
      return v1::APPROVE;
    case policy::Verdict::kReject:
      return v1::REJECT;
    case policy::Verdict::kDefer:
      return v1::DEFER;
  }
  return v1::VERDICT_UNSPECIFIED;
}

void EvaluationToDecision(const Evaluation& evaluation, v1::Decision* decision) {
  const policy::PolicyDecision& d = evaluation.decision;
  decision->set_verdict(VerdictToProto(d.verdict));
  decision->set_reason(d.reason);
  decision->set_decided_by(d.decided_by);
  decision->set_accuracy_floor_override(d.accuracy_floor_override);
  for (const policy::Check& c : d.checks) {
    v1::PolicyCheck* p = decision->add_checks();
    p->set_name(c.name);
    p->set_passed(c.passed);
    p->set_observed(c.observed);
    p->set_limit(c.limit);
    p->set_detail(c.detail);
    p->set_decisive(c.decisive);
    p->set_evaluated(c.evaluated);
  }
  if (d.retry_after) {
    *decision->mutable_retry_after() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(*d.retry_after));
  }
  DriftToProto(evaluation.drift, decision->mutable_drift());
  GainToProto(evaluation.gain, decision->mutable_gain());
  CostToProto(evaluation.cost, decision->mutable_cost());
  for (const energy::CostEstimate& c : evaluation.alternatives) {
    CostToProto(c, decision->add_alternatives());
  }
  for (const gain::GainEstimate& g : evaluation.alternative_gains) {
    GainToProto(g, decision->add_alternative_gains());
  }
  decision->set_plan_choice(evaluation.plan_choice);
  if (d.suggested_start) {
    *decision->mutable_suggested_start() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(*d.suggested_start));
    decision->set_co2e_saved_kg(d.co2e_saved_kg);
  }
}

}  // namespace greengate::mapping
