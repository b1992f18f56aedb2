#include "server/core/evaluate.h"

#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "server/common/status_macros.h"
#include "server/core/gain/normal.h"
#include "server/core/profile/validate.h"

namespace greengate {
namespace {

// ValidatePlan names fields "plan.*"; alternatives[i] is "plans[i].*", or, when the request's
// `plan` came first, "plan.*" for i = 0 and "plans[i - 1].*" after it.
absl::Status RenamePlanField(absl::Status status, size_t index, bool first_is_plan) {
  if (status.ok() || (first_is_plan && index == 0)) return status;
  const size_t request_index = first_is_plan ? index - 1 : index;
  return absl::Status(
      status.code(), absl::StrReplaceAll(status.message(),
                                         {{"plan.", absl::StrCat("plans[", request_index, "].")}}));
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

// Value rule: the gain's worth minus the plan's energy and carbon cost.
double NetValue(const energy::CostEstimate& c, const gain::GainEstimate& g,
                const policy::Policy& p) {
  return 100 * g.lower_bound * p.value_per_accuracy_point - PlanCost(c, p);
}

// Accuracy points (lower bound) per kWh; a plan of 0 kWh is infinitely efficient.
double PointsPerKwh(const energy::CostEstimate& c, const gain::GainEstimate& g) {
  if (c.energy_kwh <= 0) return std::numeric_limits<double>::infinity();
  return 100 * g.lower_bound / c.energy_kwh;
}

// Index of the best plan, and a sentence saying why. Value rule: the best net value.
// Otherwise, among plans whose gain lower bound reaches min_gain, the most accuracy points per
// kWh (the efficiency check's own measure); when none reaches it, the largest gain (the
// decision then says min_gain failed). Ties: less energy, then less CO2e, then request order.
// With one gain for every plan this is simply the cheapest plan.
std::pair<size_t, std::string> ChoosePlan(const std::vector<energy::CostEstimate>& costs,
                                          const std::vector<gain::GainEstimate>& gains,
                                          const policy::Policy& p) {
  const bool value_rule = p.value_per_accuracy_point > 0;
  bool any_reaches_min_gain = false;
  for (const gain::GainEstimate& g : gains) {
    any_reaches_min_gain |= g.lower_bound >= p.min_gain;
  }
  auto score = [&](size_t i) {
    if (value_rule) return NetValue(costs[i], gains[i], p);
    if (!any_reaches_min_gain) return gains[i].lower_bound;
    if (gains[i].lower_bound < p.min_gain) return -std::numeric_limits<double>::infinity();
    return PointsPerKwh(costs[i], gains[i]);
  };
  size_t best = 0;
  for (size_t i = 1; i < costs.size(); ++i) {
    const double a = score(i), b = score(best);
    const bool tie = a == b;
    if (a > b || (tie && costs[i].energy_kwh < costs[best].energy_kwh) ||
        (tie && costs[i].energy_kwh == costs[best].energy_kwh &&
         costs[i].co2e_kg < costs[best].co2e_kg)) {
      best = i;
    }
  }
  bool same_gain = true;
  for (const gain::GainEstimate& g : gains) {
    same_gain &= g.lower_bound == gains[0].lower_bound && g.expected == gains[0].expected;
  }
  std::string listing;
  for (size_t i = 0; i < costs.size(); ++i) {
    absl::StrAppend(
        &listing, i == 0 ? "" : "; ", PlanLabel(costs[i], i), " ",
        absl::StrFormat("%.4g kWh / %.4g kg CO2e", costs[i].energy_kwh, costs[i].co2e_kg));
    if (!same_gain) {
      absl::StrAppend(&listing,
                      absl::StrFormat(", gain lower bound %.3g points (recovery %.2f)",
                                      100 * gains[i].lower_bound, gains[i].recovery_ratio));
    }
    if (value_rule) {
      absl::StrAppend(&listing,
                      absl::StrFormat(", net value %.4g", NetValue(costs[i], gains[i], p)));
    }
  }
  std::string rule;
  if (value_rule) {
    rule = same_gain ? "best net value (gain worth minus energy and carbon cost; every plan "
                       "has the same expected gain)"
                     : "best net value (gain worth minus energy and carbon cost)";
  } else if (same_gain) {
    rule = "least energy for the same expected gain";
  } else if (any_reaches_min_gain) {
    rule = "most accuracy points per kWh among the plans whose gain reaches min_gain";
  } else {
    rule = "largest gain: no plan's gain lower bound reaches min_gain";
  }
  std::string why = absl::StrCat("chose ", PlanLabel(costs[best], best), " of ", costs.size(),
                                 " plans: ", rule, " — ", listing);
  return {best, std::move(why)};
}

}  // namespace

absl::StatusOr<Evaluation> Evaluate(const EvaluationInput& input) {
  RETURN_IF_ERROR(profile::ValidateCurrent(*input.reference, *input.current, "current"));
  std::vector<energy::TrainingPlan> plans = input.alternatives;
  if (plans.empty()) {
    RETURN_IF_ERROR(energy::ValidatePlan(*input.plan, *input.tables));
    plans.push_back(*input.plan);
  } else {
    for (size_t i = 0; i < plans.size(); ++i) {
      RETURN_IF_ERROR(RenamePlanField(energy::ValidatePlan(plans[i], *input.tables), i,
                                      input.first_alternative_is_plan));
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
  evidence.dataset_drift = out.drift.dataset_drift;
  evidence.challenger = input.challenger;
  evidence.attained_accuracies = input.attained_accuracies;
  std::vector<energy::MeasuredRun> runs;
  for (const PastRetrain& r : input.outcomes) {
    evidence.history.push_back(r.gain);
    runs.push_back(r.energy);
  }
  // Per plan: the degradation is the data's, the recovery ratio the plan's (its own prior, or
  // the policy's, learned from outcomes of plans with the same name).
  std::vector<gain::GainEstimate> gains;
  for (const energy::TrainingPlan& plan : plans) {
    gain::GainOptions gain_options;
    gain_options.recovery_ratio = plan.recovery_ratio.value_or(input.policy->recovery_ratio);
    gain_options.confidence = input.policy->confidence;
    evidence.plan = plan.name;
    ASSIGN_OR_RETURN(gain::GainEstimate g, gain::EstimateGainFromEvidence(evidence, gain_options));
    if (plan.recovery_ratio) {  // the prior was the plan's, not the policy's
      g.recovery_ratio_source =
          absl::StrReplaceAll(g.recovery_ratio_source, {{"policy prior", "plan's prior"}});
    }
    gains.push_back(std::move(g));
  }

  const double z = gain::NormalQuantile(input.policy->confidence);
  std::vector<energy::CostEstimate> costs;
  for (size_t i = 0; i < plans.size(); ++i) {
    absl::StatusOr<energy::CostEstimate> formula = energy::EstimateCost(plans[i], *input.tables);
    if (input.alternatives.empty()) {
      RETURN_IF_ERROR(formula.status());
    } else {
      RETURN_IF_ERROR(RenamePlanField(formula.status(), i, input.first_alternative_is_plan));
    }
    ASSIGN_OR_RETURN(energy::CostEstimate cost,
                     energy::ApplyMeasuredHistory(*formula, plans[i], runs, z));
    costs.push_back(std::move(cost));
  }
  size_t chosen = 0;
  if (costs.size() > 1) {
    auto [best, why] = ChoosePlan(costs, gains, *input.policy);
    chosen = best;
    out.plan_choice = std::move(why);
    out.alternatives = costs;
    out.alternative_gains = gains;
  }
  out.cost = costs[chosen];
  out.gain = gains[chosen];

  policy::PolicyInputs policy_inputs;
  policy_inputs.policy = input.policy;
  policy_inputs.drift = &out.drift;
  policy_inputs.gain = &out.gain;
  policy_inputs.cost = &out.cost;
  policy_inputs.history = input.history;
  policy_inputs.now = input.now;
  policy_inputs.forecast = input.forecast;
  policy_inputs.job_duration = absl::Seconds(plans[chosen].hours * 3600);
  policy_inputs.fleet = input.fleet;
  out.decision = policy::Decide(policy_inputs);
  if (costs.size() > 1) {
    absl::StrAppend(&out.decision.reason, " (plan ", PlanLabel(out.cost, chosen), ", chosen of ",
                    costs.size(), ")");
  }
  return out;
}

}  // namespace greengate
