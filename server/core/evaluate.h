#pragma once

// One ShouldRetrain evaluation in the pure core: drift of `current` against `reference`,
// expected gain, energy and carbon of the plan (or the best of several), and the policy's
// verdict. The caller (the service) loads everything from the store, including the model's
// past outcomes, and passes the time in. Pure and thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/core/drift/drift.h"
#include "server/core/energy/energy.h"
#include "server/core/energy/history.h"
#include "server/core/gain/evidence.h"
#include "server/core/gain/gain.h"
#include "server/core/policy/policy.h"
#include "server/core/profile/profile.h"

namespace greengate {

// One reported outcome of the model, as both estimators need it.
struct PastRetrain {
  energy::MeasuredRun energy;
  gain::PastOutcome gain;
};

struct EvaluationInput {
  const profile::DataProfile* reference = nullptr;  // validated when it was stored
  std::optional<gain::ReferenceAccuracy> reference_accuracy;
  const profile::DataProfile* current = nullptr;
  std::optional<gain::LabeledWindow> labeled;
  // The plan, or null when `alternatives` is not empty.
  const energy::TrainingPlan* plan = nullptr;
  // Several plans offered ("plans[i]"): each is costed and the one with the best net value is
  // chosen (see Evaluate).
  std::vector<energy::TrainingPlan> alternatives;
  // alternatives[0] is the request's `plan` (sent besides `plans`): errors then name it
  // "plan.*" and alternatives[i] "plans[i - 1].*", as the request numbers them.
  bool first_alternative_is_plan = false;
  const policy::Policy* policy = nullptr;
  const energy::Tables* tables = nullptr;
  policy::History history;
  absl::Time now;
  // Unlabeled evidence: top-class confidence on the current rows, and the calibration the
  // reference's own scores showed when it was set (empty detail: no reference scores).
  std::optional<gain::ScoreSummary> scores;
  bool reference_scores_calibrated = false;
  std::string reference_calibration_detail;
  // The model's reported outcomes (oldest first); empty on a cold start.
  std::vector<PastRetrain> outcomes;
  // Opportunity evidence (gain/evidence.h): a challenger's paired holdout counts (validated
  // here, "challenger.*"), and the accuracy each version deployed before the current one
  // reached, oldest first.
  std::optional<gain::PairedCounts> challenger;
  std::vector<double> attained_accuracies;
  std::vector<policy::ForecastPoint> forecast;  // validated here ("forecast[i]...")
  policy::FleetBudget fleet;  // the operator's budgets over all models; history has their use
};

struct Evaluation {
  drift::DriftReport drift;
  gain::GainEstimate gain;
  energy::CostEstimate cost;  // of the chosen plan
  policy::PolicyDecision decision;
  // With several plans: every plan's cost and gain in request order, and why `cost` was
  // chosen (`gain` is the chosen plan's).
  std::vector<energy::CostEstimate> alternatives;
  std::vector<gain::GainEstimate> alternative_gains;
  std::string plan_choice;
};

// Validates `current` against the reference ("current.*" fields), the labeled window
// ("labeled.*"), the plan ("plan.*" or "plans[i].*"), the scores ("scores.*") and the forecast
// ("forecast[i].*"); InvalidArgument names the field.
//
// Energy: the Green Algorithms estimate, replaced by energy::ApplyMeasuredHistory when the
// model has outcomes (z = the normal quantile of policy.confidence).
// Plans: each plan's gain is the same degradation times the plan's recovery ratio (its own
// prior or the policy's, learned from outcomes of plans with the same name), so a fine-tune
// on recent data may promise less than a full retrain. With several plans the choice is the
// best net value under the value rule; otherwise the most accuracy points per kWh among the
// plans whose gain lower bound reaches min_gain (the largest gain when none does); ties go to
// less energy. With one gain for all plans, that is the cheapest plan. Retraining on recent
// data only is the usual winner (Poenaru-Olaru et al. 2025: up to 25% less energy).
absl::StatusOr<Evaluation> Evaluate(const EvaluationInput& input);

}  // namespace greengate
