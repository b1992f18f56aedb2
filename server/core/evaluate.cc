#include "server/core/evaluate.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "server/common/status_macros.h"
#include "server/core/gain/normal.h"
#include "server/core/profile/validate.h"

namespace greengate {
namespace {

// ValidatePlan names fields "plan.*"; an alternative is "plans[i].*".
absl::Status RenamePlanField(absl::Status status, size_t index) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrReplaceAll(status.message(),
                                          {{"plan.", absl::StrCat("plans[", index, "].")}}));
}

// The plan's cost in the policy's currency (value rule), or its kWh without one.
double PlanCost(const energy::CostEstimate& c, const policy::Policy& p) {
  if (p.value_per_accuracy_point > 0) {
    return c.energy_kwh * p.energy_price_per_kwh + c.co2e_kg * p.carbon_price_per_kg;
  }
  return c.energy_kwh;
}

std::string PlanLabel(const energy::CostEstimate& c, size_t index) {
  return c.plan.empty() ? absl::StrCat("plans[", index, "]") : absl::StrCat("'", c.plan, "'");
}

// Index of the best plan, and a sentence saying why.
std::pair<size_t, std::string> ChoosePlan(const std::vector<energy::CostEstimate>& costs,
                                          const gain::GainEstimate& gain,
                                          const policy::Policy& p) {
  size_t best = 0;
  for (size_t i = 1; i < costs.size(); ++i) {
    const double a = PlanCost(costs[i], p), b = PlanCost(costs[best], p);
    if (a < b || (a == b && costs[i].co2e_kg < costs[best].co2e_kg)) best = i;
  }
  const bool value_rule = p.value_per_accuracy_point > 0;
  const double worth = 100 * gain.lower_bound * p.value_per_accuracy_point;
  std::string listing;
  for (size_t i = 0; i < costs.size(); ++i) {
    absl::StrAppend(&listing, i == 0 ? "" : "; ", PlanLabel(costs[i], i), " ",
                    absl::StrFormat("%.4g kWh / %.4g kg CO2e", costs[i].energy_kwh,
                                    costs[i].co2e_kg));
    if (value_rule) {
      absl::StrAppend(&listing, absl::StrFormat(", net value %.4g", worth - PlanCost(costs[i], p)));
    }
  }
  std::string why = absl::StrCat(
      "chose ", PlanLabel(costs[best], best), " of ", costs.size(), " plans: ",
      value_rule ? "best net value (gain worth minus energy and carbon cost; the gain does not "
                   "depend on the plan)"
                 : "least energy for the same expected gain",
      " — ", listing);
  return {best, std::move(why)};
}

}  // namespace

absl::StatusOr<Evaluation> Evaluate(const EvaluationInput& input) {
  RETURN_IF_ERROR(profile::ValidateProfile(*input.current, "current"));
  RETURN_IF_ERROR(profile::ValidateAgainstReference(*input.reference, *input.current, "current"));
  std::vector<energy::TrainingPlan> plans = input.alternatives;
  if (plans.empty()) {
    RETURN_IF_ERROR(energy::ValidatePlan(*input.plan, *input.tables));
    plans.push_back(*input.plan);
  } else {
    for (size_t i = 0; i < plans.size(); ++i) {
      RETURN_IF_ERROR(RenamePlanField(energy::ValidatePlan(plans[i], *input.tables), i));
    }
  }
  RETURN_IF_ERROR(policy::ValidateForecast(input.forecast));

  Evaluation out;
  ASSIGN_OR_RETURN(out.drift,
                   drift::DetectDrift(*input.reference, *input.current, input.policy->drift));

  gain::GainEvidence evidence;
  evidence.reference = input.reference_accuracy;
  evidence.labeled = input.labeled;
  evidence.scores = input.scores;
  evidence.reference_scores_calibrated = input.reference_scores_calibrated;
  evidence.reference_calibration_detail = input.reference_calibration_detail;
  evidence.drifted_share = out.drift.drifted_share;
  std::vector<energy::MeasuredRun> runs;
  for (const PastRetrain& r : input.outcomes) {
    evidence.history.push_back(r.gain);
    runs.push_back(r.energy);
  }
  gain::GainOptions gain_options;
  gain_options.recovery_ratio = input.policy->recovery_ratio;
  gain_options.confidence = input.policy->confidence;
  ASSIGN_OR_RETURN(out.gain, gain::EstimateGainFromEvidence(evidence, gain_options));

  const double z = gain::NormalQuantile(input.policy->confidence);
  std::vector<energy::CostEstimate> costs;
  for (size_t i = 0; i < plans.size(); ++i) {
    absl::StatusOr<energy::CostEstimate> formula = energy::EstimateCost(plans[i], *input.tables);
    if (input.alternatives.empty()) {
      RETURN_IF_ERROR(formula.status());
    } else {
      RETURN_IF_ERROR(RenamePlanField(formula.status(), i));
    }
    ASSIGN_OR_RETURN(energy::CostEstimate cost,
                     energy::ApplyMeasuredHistory(*formula, plans[i], runs, z));
    costs.push_back(std::move(cost));
  }
  size_t chosen = 0;
  if (costs.size() > 1) {
    auto [best, why] = ChoosePlan(costs, out.gain, *input.policy);
    chosen = best;
    out.plan_choice = std::move(why);
    out.alternatives = costs;
  }
  out.cost = costs[chosen];

  policy::PolicyInputs policy_inputs;
  policy_inputs.policy = input.policy;
  policy_inputs.drift = &out.drift;
  policy_inputs.gain = &out.gain;
  policy_inputs.cost = &out.cost;
  policy_inputs.history = input.history;
  policy_inputs.now = input.now;
  policy_inputs.forecast = input.forecast;
  policy_inputs.job_duration = absl::Seconds(plans[chosen].hours * 3600);
  out.decision = policy::Decide(policy_inputs);
  if (costs.size() > 1) {
    absl::StrAppend(&out.decision.reason, " (plan ", PlanLabel(out.cost, chosen), ", the cheapest of ",
                    costs.size(), ")");
  }
  return out;
}

}  // namespace greengate
