#include "server/mapping/governance_mapping.h"

#include "absl/time/time.h"

namespace greengate::mapping {

void SummaryToProto(const governance::Summary& s, v1::GovernanceSummary* out) {
  out->set_model(s.model);
  v1::VerdictCounts* counts = out->mutable_decisions();
  counts->set_approved(s.decisions.approved);
  counts->set_rejected(s.decisions.rejected);
  counts->set_deferred(s.decisions.deferred);
  counts->set_total(s.decisions.total);
  out->set_approved_energy_kwh(s.approved_energy_kwh);
  out->set_approved_co2e_kg(s.approved_co2e_kg);
  out->set_avoided_energy_kwh(s.avoided_energy_kwh);
  out->set_avoided_co2e_kg(s.avoided_co2e_kg);
  out->set_avoided_jobs(s.avoided_jobs);
  out->set_deferrals_later_approved(s.deferrals_later_approved);
  out->set_deferrals_pending(s.deferrals_pending);
  out->set_accuracy_floor_overrides(s.accuracy_floor_overrides);
  out->set_outcomes(s.outcomes);
  out->set_measured_energy_kwh(s.measured_energy_kwh);
  out->set_estimated_energy_kwh(s.estimated_energy_kwh);
  out->set_measured_co2e_kg(s.measured_co2e_kg);
  out->set_outcomes_with_gain(s.outcomes_with_gain);
  out->set_mean_expected_gain(s.mean_expected_gain);
  out->set_mean_realised_gain(s.mean_realised_gain);
  for (const governance::GainPoint& g : s.gains) {
    v1::GainComparison* p = out->add_gains();
    p->set_model(g.model);
    p->set_decision_seq(g.decision_seq);
    p->set_expected_gain(g.expected_gain);
    p->set_realised_gain(g.realised_gain);
  }
  if (s.budget) {
    if (s.budget->energy_budget_kwh) out->set_energy_budget_kwh(*s.budget->energy_budget_kwh);
    out->set_budget_window_s(absl::ToInt64Seconds(s.budget->window));
    out->set_budget_used_kwh(s.budget->used_kwh);
    out->set_budget_used_share(s.budget_used_share);
    if (s.budget->carbon_budget_kg) out->set_carbon_budget_kg(*s.budget->carbon_budget_kg);
    out->set_budget_used_co2e_kg(s.budget->used_co2e_kg);
    out->set_carbon_budget_used_share(s.carbon_budget_used_share);
  }
  for (const governance::FeatureCount& f : s.most_drifted_features) {
    v1::FeatureDriftCount* p = out->add_most_drifted_features();
    p->set_feature(f.feature);
    p->set_drifted_decisions(f.drifted_decisions);
  }
  for (const governance::WeeklyEnergy& w : s.weeks) {
    v1::WeeklyEnergy* p = out->add_weeks();
    p->set_week(w.week);
    p->set_approved_energy_kwh(w.approved_energy_kwh);
    p->set_avoided_energy_kwh(w.avoided_energy_kwh);
  }
}

}  // namespace greengate::mapping
