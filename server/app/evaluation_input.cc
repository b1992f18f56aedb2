#include "server/app/evaluation_input.h"

namespace greengate::app {
namespace {

// Cooldown and budget use: the model's window, and the fleet's when it has a budget.
policy::History HistoryOf(const ModelSnapshot& snapshot) {
  policy::History history;
  const ApprovalSummary& approvals = snapshot.approvals;
  if (approvals.last_approval_ms) {
    history.last_approval = absl::FromUnixMillis(*approvals.last_approval_ms);
  }
  if (approvals.oldest_approval_ms) {
    history.oldest_approval_in_window = absl::FromUnixMillis(*approvals.oldest_approval_ms);
  }
  history.approved_energy_kwh_in_window = approvals.approved_energy_kwh;
  history.approved_co2e_kg_in_window = approvals.approved_co2e_kg;
  if (const std::optional<ApprovalSummary>& fleet = snapshot.fleet_approvals) {
    history.fleet_approved_energy_kwh_in_window = fleet->approved_energy_kwh;
    history.fleet_approved_co2e_kg_in_window = fleet->approved_co2e_kg;
    if (fleet->oldest_approval_ms) {
      history.fleet_oldest_approval_in_window = absl::FromUnixMillis(*fleet->oldest_approval_ms);
    }
  }
  return history;
}

}  // namespace

PastRetrain PastRetrainFromRow(const store::OutcomeRow& row) {
  PastRetrain out;
  out.energy.measured_kwh = row.energy_kwh;
  out.energy.estimated_kwh = row.green_algorithms_energy_kwh;
  out.energy.training_rows = row.training_rows;
  out.gain.expected_degradation = row.expected_degradation;
  out.gain.reference_accuracy = row.reference_accuracy;
  out.gain.accuracy_before = row.accuracy_before;
  out.gain.accuracy_after = row.accuracy_after;
  out.gain.drifted_share = row.drifted_share;
  out.gain.plan = row.plan;
  out.gain.proxy_gain = row.proxy_gain;
  return out;
}

EvaluationInput BuildEvaluationInput(const RetrainRequest& request, const ModelSnapshot& snapshot) {
  EvaluationInput input;
  const LoadedReference& reference = *snapshot.reference;
  input.reference = &reference.profile;
  if (reference.accuracy) {
    input.reference_accuracy =
        gain::ReferenceAccuracy{*reference.accuracy, reference.evaluation_rows};
  }
  if (reference.scores) {
    input.reference_scores_calibrated = reference.scores->calibrated;
    input.reference_calibration_detail = reference.scores->detail;
  }
  input.current = &request.current;
  input.labeled = request.labeled;
  input.plan = &request.plan;
  input.alternatives = request.alternatives;
  input.first_alternative_is_plan = !request.alternatives.empty() && request.plan_sent;
  input.scores = request.scores;
  input.forecast = request.forecast;
  input.challenger = request.challenger;
  input.attained_accuracies = snapshot.attained_accuracies;
  input.policy = snapshot.policy;
  input.tables = snapshot.tables;
  input.history = HistoryOf(snapshot);
  if (snapshot.fleet_approvals) input.fleet = snapshot.fleet;
  input.now = snapshot.now;
  if (snapshot.outcomes != nullptr) {
    for (const store::OutcomeRow& row : *snapshot.outcomes) {
      input.outcomes.push_back(PastRetrainFromRow(row));
    }
  }
  return input;
}

}  // namespace greengate::app
