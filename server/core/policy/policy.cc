// Decide: the seven checks of policy.h, in order, and the one-line reason.

#include "server/core/policy/policy.h"

#include <cassert>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/core/policy/reason_text.h"

namespace greengate::policy {
namespace {

// Check names, in their fixed order; the indices below follow it.
enum CheckIndex {
  kEvidenceOfNeed,
  kAccuracyFloor,
  kCooldown,
  kGainEvidence,
  kMinGain,
  kEfficiency,
  kEnergyBudget,
  kCarbonBudget,       // optional: listed only when configured
  kFleetEnergyBudget,  // optional
  kFleetCarbonBudget,  // optional
  kCarbonWindow,       // optional
  kCheckCount
};
constexpr const char* kCheckNames[kCheckCount] = {
    "evidence_of_need",    "accuracy_floor", "cooldown",
    "gain_evidence",       "min_gain",       "efficiency",
    "energy_budget",       "carbon_budget",  "fleet_energy_budget",
    "fleet_carbon_budget", "carbon_window"};
constexpr const char* kValueCheckName = "value";

// Formatting for details and reasons (reason_text.h).
using text::Accuracy;
using text::CostPhrase;
using text::FeaturesDrifted;
using text::Hours;
using text::NeedPhrase;
using text::Num;
using text::Percent;
using text::Points;
using text::Time;

// --- The checks ------------------------------------------------------------------------------

struct Context {
  const Policy& policy;
  const drift::DriftReport& drift;
  const gain::GainEstimate& gain;
  const energy::CostEstimate& cost;
  const History& history;
  absl::Time now;
  const std::vector<ForecastPoint>& forecast;
  absl::Duration job_duration;
  const FleetBudget& fleet;
};

// A check's result, with what it decides if it is decisive.
struct Outcome {
  Check check;
  Verdict verdict_if_decisive = Verdict::kDefer;
  std::string reason_if_decisive;
  std::optional<absl::Time> retry_after;
};

Outcome Evaluated(CheckIndex index) {
  Outcome out;
  out.check.name = kCheckNames[index];
  out.check.evaluated = true;
  return out;
}

bool SignificantDegradation(const gain::GainEstimate& g) {
  return g.has_evidence && g.degradation_lower_bound > 0;
}

Outcome EvidenceOfNeed(const Context& c) {
  Outcome out = Evaluated(kEvidenceOfNeed);
  const drift::DriftReport& d = c.drift;
  const gain::GainEstimate& g = c.gain;
  out.check.passed = d.dataset_drift || SignificantDegradation(g);
  const bool degradation_decides = !d.dataset_drift && g.has_evidence;
  out.check.observed = degradation_decides ? g.degradation_lower_bound : d.drifted_share;
  out.check.limit = degradation_decides ? 0 : d.share_threshold;

  const std::string drift_part = absl::StrCat(
      d.dataset_drift ? "dataset drift: " : "no dataset drift: ", FeaturesDrifted(d), " (share ",
      Num(d.drifted_share), d.dataset_drift ? " >= " : " < ", Num(d.share_threshold), ")");
  std::string label_part;
  std::string reject_suffix;
  if (g.has_evidence) {
    label_part =
        absl::StrCat("degradation ", Points(g.degradation), " points, lower bound ",
                     Points(g.degradation_lower_bound), " points at ", Percent(g.confidence),
                     SignificantDegradation(g) ? " > 0 (significant)" : " <= 0 (not significant)");
    reject_suffix = absl::StrCat(" (accuracy ", Accuracy(g.current_accuracy), " vs reference ",
                                 Accuracy(g.reference_accuracy), ", degradation lower bound ",
                                 Points(g.degradation_lower_bound), " points)");
  } else if (g.has_labels) {
    label_part = "labels but no reference accuracy: degradation unknown";
  } else {
    label_part = "no labeled window: degradation unknown";
  }
  out.check.detail = absl::StrCat(drift_part, "; ", label_part);
  out.verdict_if_decisive = Verdict::kReject;
  out.reason_if_decisive =
      absl::StrFormat("REJECT: no drift (%d of %d features) and no significant degradation%s",
                      d.drifted_features, d.features.size(), reject_suffix);
  return out;
}

Outcome AccuracyFloor(const Context& c) {
  Outcome out = Evaluated(kAccuracyFloor);
  const gain::GainEstimate& g = c.gain;
  out.check.observed = g.has_labels ? g.current_accuracy : 0;
  out.check.limit = c.policy.accuracy_floor.value_or(0);
  out.check.passed = true;
  if (!c.policy.accuracy_floor) {
    out.check.detail = "no accuracy floor set";
    return out;
  }
  const double floor = *c.policy.accuracy_floor;
  if (!g.has_labels) {
    out.check.detail =
        absl::StrCat("no labeled window: the floor ", Accuracy(floor), " cannot be checked");
    return out;
  }
  const std::string measured =
      absl::StrFormat("current accuracy %s (%d/%d labeled rows)", Accuracy(g.current_accuracy),
                      g.labeled_correct, g.labeled_rows);
  out.check.passed = g.current_accuracy >= floor;
  if (out.check.passed) {
    out.check.detail = absl::StrCat(measured, " >= floor ", Accuracy(floor));
    return out;
  }
  out.check.detail = absl::StrCat(measured, " < floor ", Accuracy(floor),
                                  ": approved whatever the other checks say");
  out.verdict_if_decisive = Verdict::kApprove;
  out.reason_if_decisive =
      absl::StrCat("APPROVE (accuracy floor override): ", measured, " < floor ", Accuracy(floor));
  return out;
}

Outcome Cooldown(const Context& c) {
  Outcome out = Evaluated(kCooldown);
  const absl::Duration cooldown = c.policy.cooldown;
  out.check.limit = absl::ToDoubleHours(cooldown);
  if (!c.history.last_approval) {
    out.check.observed = -1;
    out.check.passed = true;
    out.check.detail = "no previous approval";
    return out;
  }
  const absl::Time last = *c.history.last_approval;
  const absl::Duration elapsed = c.now - last;
  out.check.observed = absl::ToDoubleHours(elapsed);
  out.check.passed = elapsed >= cooldown;
  const std::string since =
      absl::StrCat("last approval ", Hours(elapsed), " h ago (", Time(last), ")");
  if (out.check.passed) {
    out.check.detail = absl::StrCat(since, " >= cooldown ", Hours(cooldown), " h");
    return out;
  }
  out.retry_after = last + cooldown;
  out.check.detail = absl::StrCat(since, " < cooldown ", Hours(cooldown), " h; retry after ",
                                  Time(*out.retry_after));
  out.verdict_if_decisive = Verdict::kDefer;
  out.reason_if_decisive =
      absl::StrCat("DEFER: last approval ", Hours(elapsed), " h ago, within the ", Hours(cooldown),
                   " h cooldown; retry after ", Time(*out.retry_after));
  return out;
}

Outcome GainEvidence(const Context& c) {
  Outcome out = Evaluated(kGainEvidence);
  const gain::GainEstimate& g = c.gain;
  out.check.passed = g.has_evidence;
  out.check.observed = g.has_evidence ? 1 : 0;
  out.check.limit = 1;
  out.check.detail = absl::StrCat(g.method, ": ", g.evidence);
  out.verdict_if_decisive = Verdict::kDefer;
  out.reason_if_decisive = absl::StrCat("DEFER: ", NeedPhrase(c.drift, g),
                                        " but the gain cannot be estimated: ", g.evidence);
  return out;
}

Outcome MinGain(const Context& c) {
  Outcome out = Evaluated(kMinGain);
  const gain::GainEstimate& g = c.gain;
  const double limit = c.policy.min_gain;
  out.check.observed = g.lower_bound;
  out.check.limit = limit;
  out.check.passed = g.lower_bound >= limit;
  out.check.detail =
      absl::StrCat("gain lower bound ", Points(g.lower_bound), " points at ", Percent(g.confidence),
                   " (expected ", Points(g.expected),
                   out.check.passed ? ") >= minimum " : ") < minimum ", Points(limit), " points");
  out.verdict_if_decisive = Verdict::kReject;
  out.reason_if_decisive = absl::StrCat(
      "REJECT: ", NeedPhrase(c.drift, g), " but the gain lower bound ", Points(g.lower_bound),
      " points < minimum ", Points(limit), " points (expected ", Points(g.expected), " points)");
  return out;
}

// The value rule (policy.h): gain worth vs energy and carbon cost, in the policy's currency.
Outcome Value(const Context& c) {
  Outcome out = Evaluated(kEfficiency);
  out.check.name = kValueCheckName;
  const gain::GainEstimate& g = c.gain;
  const Policy& p = c.policy;
  const double worth = 100 * g.lower_bound * p.value_per_accuracy_point;
  const double energy_cost = c.cost.energy_kwh * p.energy_price_per_kwh;
  const double carbon_cost = c.cost.co2e_kg * p.carbon_price_per_kg;
  out.check.observed = worth;
  out.check.limit = energy_cost + carbon_cost;
  out.check.passed = worth >= energy_cost + carbon_cost;
  const std::string weighing = absl::StrCat(
      "gain lower bound ", Points(g.lower_bound), " points x ", Num(p.value_per_accuracy_point),
      " per point = ", Num(worth), out.check.passed ? " >= " : " < ", "cost ",
      Num(c.cost.energy_kwh), " kWh x ", Num(p.energy_price_per_kwh), " + ", Num(c.cost.co2e_kg),
      " kg CO2e x ", Num(p.carbon_price_per_kg), " = ", Num(energy_cost + carbon_cost));
  out.check.detail = weighing;
  out.verdict_if_decisive = out.check.passed ? Verdict::kApprove : Verdict::kReject;
  out.reason_if_decisive =
      absl::StrCat(out.check.passed ? "APPROVE: " : "REJECT: ", NeedPhrase(c.drift, g),
                   "; value rule: ", weighing);
  return out;
}

Outcome Efficiency(const Context& c) {
  if (c.policy.value_per_accuracy_point > 0) return Value(c);
  Outcome out = Evaluated(kEfficiency);
  const gain::GainEstimate& g = c.gain;
  const double limit = c.policy.min_gain_points_per_kwh;
  out.check.limit = limit;
  const std::string gain_part =
      absl::StrCat(NeedPhrase(c.drift, g), "; expected gain ", Points(g.expected),
                   " points (lower bound ", Points(g.lower_bound), ") for ", CostPhrase(c.cost));
  if (!(c.cost.energy_kwh > 0)) {
    // No energy to weigh the gain against: nothing for this check to limit.
    out.check.observed = 0;
    out.check.passed = true;
    out.check.detail = absl::StrCat("the job has no estimated energy (", Num(c.cost.energy_kwh),
                                    " kWh): efficiency does not limit");
    out.verdict_if_decisive = Verdict::kApprove;
    out.reason_if_decisive = absl::StrCat("APPROVE: ", gain_part, " (no estimated energy)");
    return out;
  }
  const double points_per_kwh = 100 * g.lower_bound / c.cost.energy_kwh;
  out.check.observed = points_per_kwh;
  out.check.passed = points_per_kwh >= limit;
  const std::string ratio = absl::StrCat(" = ", Num(points_per_kwh), " points/kWh ",
                                         out.check.passed ? ">= " : "< ", Num(limit));
  out.check.detail = absl::StrCat("gain lower bound ", Points(g.lower_bound), " points for ",
                                  Num(c.cost.energy_kwh), " kWh", ratio);
  out.verdict_if_decisive = out.check.passed ? Verdict::kApprove : Verdict::kReject;
  out.reason_if_decisive =
      absl::StrCat(out.check.passed ? "APPROVE: " : "REJECT: ", gain_part, ratio);
  return out;
}

// One budget over a rolling window, as the budget checks see it.
struct BudgetUse {
  const char* name;  // "energy budget", "fleet carbon budget", ...
  const char* unit;  // "kWh", "kg"
  double approved;   // in the window
  double job;
  std::optional<double> budget;  // unset = unlimited
  absl::Duration window;
  std::optional<absl::Time> oldest_approval;  // in the window
  const char* scope;                          // "" or " across all models"
};

// "3 kWh approved in the last 720 h + 1 kWh for this job = 4 kWh"
std::string UseText(const BudgetUse& b) {
  return absl::StrCat(Num(b.approved), " ", b.unit, " approved", b.scope, " in the last ",
                      Hours(b.window), " h + ", Num(b.job), " ", b.unit,
                      " for this job = ", Num(b.approved + b.job), " ", b.unit);
}

// A budget check that failed defers; budget frees up when the oldest approval in the window
// ages out, unless this job alone is larger than the whole budget.
void DeferOverBudget(const BudgetUse& b, Outcome* out) {
  std::string when;
  if (b.job > *b.budget) {
    when = "; this job alone exceeds the budget";
  } else if (b.oldest_approval) {
    out->retry_after = *b.oldest_approval + b.window;
    when = absl::StrCat("; retry after ", Time(*out->retry_after),
                        " when the oldest approval leaves the window");
  }
  out->check.detail += when;
  out->verdict_if_decisive = Verdict::kDefer;
  out->reason_if_decisive =
      absl::StrCat("DEFER: ", b.name, ": ", UseText(b), " > ", Num(*b.budget), " ", b.unit, when);
}

// Checks approved + job <= budget. No budget is unlimited and passes (limit 0); a budget of 0
// is a freeze: only a job that spends nothing passes.
Outcome BudgetCheck(CheckIndex index, const BudgetUse& b) {
  Outcome out = Evaluated(index);
  out.check.observed = b.approved + b.job;
  if (!b.budget) {
    out.check.passed = true;
    out.check.detail = absl::StrCat("unlimited (no ", b.name, "); ", UseText(b));
    return out;
  }
  out.check.limit = *b.budget;
  out.check.passed = b.approved + b.job <= *b.budget;
  out.check.detail = absl::StrCat(UseText(b), out.check.passed ? " <= " : " > ", "budget ",
                                  Num(*b.budget), " ", b.unit);
  if (!out.check.passed) DeferOverBudget(b, &out);
  return out;
}

Outcome EnergyBudget(const Context& c) {
  return BudgetCheck(kEnergyBudget,
                     {"energy budget", "kWh", c.history.approved_energy_kwh_in_window,
                      c.cost.energy_kwh, c.policy.energy_budget_kwh, c.policy.budget_window,
                      c.history.oldest_approval_in_window, ""});
}

Outcome CarbonBudget(const Context& c) {
  return BudgetCheck(
      kCarbonBudget,
      {"carbon budget", "kg", c.history.approved_co2e_kg_in_window, c.cost.co2e_kg,
       c.policy.carbon_budget_kg, c.policy.budget_window, c.history.oldest_approval_in_window, ""});
}

Outcome FleetEnergyBudget(const Context& c) {
  return BudgetCheck(kFleetEnergyBudget,
                     {"fleet energy budget", "kWh", c.history.fleet_approved_energy_kwh_in_window,
                      c.cost.energy_kwh, c.fleet.energy_limit_kwh(), c.fleet.window,
                      c.history.fleet_oldest_approval_in_window, " across all models"});
}

Outcome FleetCarbonBudget(const Context& c) {
  return BudgetCheck(kFleetCarbonBudget,
                     {"fleet carbon budget", "kg", c.history.fleet_approved_co2e_kg_in_window,
                      c.cost.co2e_kg, c.fleet.carbon_limit_kg(), c.fleet.window,
                      c.history.fleet_oldest_approval_in_window, " across all models"});
}

// Set by CarbonWindow for the decision (the Outcome struct has no room for them).
struct WindowResult {
  std::optional<absl::Time> start;
  double saved_kg = 0;
};

Outcome CarbonWindow(const Context& c, WindowResult* result) {
  Outcome out = Evaluated(kCarbonWindow);
  const Policy& p = c.policy;
  out.check.limit = p.min_deferral_saving;
  out.check.passed = true;
  if (c.forecast.empty()) {
    out.check.detail = "no carbon-intensity forecast sent: deferral not considered";
    return out;
  }
  if (c.job_duration <= absl::ZeroDuration()) {
    out.check.detail = "job duration unknown: deferral not considered";
    return out;
  }
  const double now_mean = MeanIntensity(c.forecast, c.now, c.job_duration);
  const double now_kg = c.cost.energy_kwh * now_mean / 1000;
  std::optional<DeferralWindow> best =
      BestStart(c.forecast, c.now, p.max_deferral, c.job_duration, c.cost.energy_kwh);
  if (!best || !(now_kg > 0)) {
    out.check.detail = "no CO2e to save by waiting";
    return out;
  }
  const double saved = now_kg - best->co2e_kg;
  const double share = saved / now_kg;
  out.check.observed = share;
  out.check.passed = share < p.min_deferral_saving;
  const std::string compare = absl::StrCat(
      "starting now: ", Num(now_mean), " g/kWh, ", Num(now_kg), " kg CO2e; best start within ",
      Hours(p.max_deferral), " h: ", Time(best->start), " at ", Num(best->mean_intensity_g_per_kwh),
      " g/kWh, ", Num(best->co2e_kg), " kg (saves ", Percent(share), ")");
  if (out.check.passed) {
    out.check.detail =
        absl::StrCat(compare, " < minimum saving ", Percent(p.min_deferral_saving), ": start now");
    return out;
  }
  out.check.detail = absl::StrCat(compare, " >= minimum saving ", Percent(p.min_deferral_saving));
  out.retry_after = best->start;
  result->start = best->start;
  result->saved_kg = saved;
  out.verdict_if_decisive = Verdict::kDefer;
  out.reason_if_decisive =
      absl::StrCat("DEFER (carbon-aware): approved on its merits, but starting at ",
                   Time(best->start), " saves ", Num(saved), " kg CO2e (", Percent(share), ") at ",
                   Num(best->mean_intensity_g_per_kwh), " g/kWh vs ", Num(now_mean), " g/kWh now");
  return out;
}

using CheckFn = Outcome (*)(const Context&);
// Checks 3 to 7, run in order until one fails.
constexpr CheckFn kGatedChecks[] = {Cooldown, GainEvidence, MinGain, Efficiency, EnergyBudget};

void MakeDecisive(Outcome& outcome, PolicyDecision& decision) {
  outcome.check.decisive = true;
  decision.verdict = outcome.verdict_if_decisive;
  decision.decided_by = outcome.check.name;
  decision.reason = outcome.reason_if_decisive;
  decision.retry_after = outcome.retry_after;
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kApprove:
      return "APPROVE";
    case Verdict::kReject:
      return "REJECT";
    case Verdict::kDefer:
      return "DEFER";
  }
  return "UNKNOWN";
}

PolicyDecision Decide(const PolicyInputs& inputs) {
  assert(inputs.policy && inputs.drift && inputs.gain && inputs.cost);
  const Context c{*inputs.policy,  *inputs.drift,       *inputs.gain,
                  *inputs.cost,    inputs.history,      inputs.now,
                  inputs.forecast, inputs.job_duration, inputs.fleet};
  std::vector<Outcome> outcomes(kCheckCount);
  for (int i = 0; i < kCheckCount; ++i) outcomes[i].check.name = kCheckNames[i];
  if (c.policy.value_per_accuracy_point > 0) outcomes[kEfficiency].check.name = kValueCheckName;
  const bool carbon_budget = c.policy.carbon_budget_kg.has_value();
  const bool fleet_energy = c.fleet.energy_budget_kwh > 0;
  const bool fleet_carbon = c.fleet.carbon_budget_kg > 0;
  const bool carbon_window = c.policy.max_deferral > absl::ZeroDuration();
  WindowResult window;

  PolicyDecision decision;
  outcomes[kEvidenceOfNeed] = EvidenceOfNeed(c);
  outcomes[kAccuracyFloor] = AccuracyFloor(c);
  if (!outcomes[kAccuracyFloor].check.passed) {
    MakeDecisive(outcomes[kAccuracyFloor], decision);
    decision.accuracy_floor_override = true;
  } else if (!outcomes[kEvidenceOfNeed].check.passed) {
    MakeDecisive(outcomes[kEvidenceOfNeed], decision);
  } else {
    int decisive = kEfficiency;  // when every check passes (see policy.h)
    bool failed = false;
    for (int i = kCooldown; i <= kEnergyBudget; ++i) {
      outcomes[i] = kGatedChecks[i - kCooldown](c);
      if (!outcomes[i].check.passed) {
        decisive = i;
        failed = true;
        break;
      }
    }
    // The optional budgets and the carbon window only ever turn an approval into a DEFER.
    const std::pair<bool, CheckFn> optional_budgets[] = {{carbon_budget, CarbonBudget},
                                                         {fleet_energy, FleetEnergyBudget},
                                                         {fleet_carbon, FleetCarbonBudget}};
    for (int k = 0; k < 3 && !failed; ++k) {
      if (!optional_budgets[k].first) continue;
      const int index = kCarbonBudget + k;
      outcomes[index] = optional_budgets[k].second(c);
      if (!outcomes[index].check.passed) {
        decisive = index;
        failed = true;
      }
    }
    if (!failed && carbon_window) {
      outcomes[kCarbonWindow] = CarbonWindow(c, &window);
      if (!outcomes[kCarbonWindow].check.passed) decisive = kCarbonWindow;
    }
    MakeDecisive(outcomes[decisive], decision);
    if (decisive == kCarbonWindow) {
      decision.suggested_start = window.start;
      decision.co2e_saved_kg = window.saved_kg;
    }
  }
  decision.checks.reserve(kCheckCount);
  for (int i = 0; i < kCheckCount; ++i) {
    if (i == kCarbonBudget && !carbon_budget) continue;
    if (i == kFleetEnergyBudget && !fleet_energy) continue;
    if (i == kFleetCarbonBudget && !fleet_carbon) continue;
    if (i == kCarbonWindow && !carbon_window) continue;
    decision.checks.push_back(std::move(outcomes[i].check));
  }
  return decision;
}

}  // namespace greengate::policy
