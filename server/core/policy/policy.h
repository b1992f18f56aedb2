#pragma once

// The retraining decision: checks run in a fixed, recorded order and the first one that fails
// decides, except the accuracy floor, which always wins (a breach approves even when
// evidence_of_need failed; checks 1 and 2 are therefore always evaluated):
//   1. evidence_of_need  dataset drift, or a labeled degradation whose lower bound is > 0
//                        (fails -> REJECT)
//   2. accuracy_floor    current labeled accuracy below the floor -> APPROVE, flagged
//   3. cooldown          time since the last approval >= cooldown (fails -> DEFER)
//   4. gain_evidence     a gain estimate exists (fails -> DEFER: send labels)
//   5. min_gain          gain lower bound >= min_gain (fails -> REJECT)
//   6. efficiency        gain lower bound in accuracy points per kWh >= limit (fails -> REJECT)
//   7. energy_budget     approved kWh in the rolling window + this job <= budget (fails -> DEFER)
//   (6') value           instead of efficiency when policy.value_per_accuracy_point > 0
//   8. carbon_budget     only when policy.carbon_budget_kg is set (fails -> DEFER)
//   8'. fleet_energy_budget, fleet_carbon_budget: the same over all models' approvals, only
//                        when the operator set a fleet budget (FleetBudget; fails -> DEFER)
//   9. carbon_window     only when policy.max_deferral > 0: a forecast start within the delay
//                        saving >= min_deferral_saving of the CO2e (fails -> DEFER with
//                        suggested_start). Without a forecast it passes, saying so.
// Every check records its observed value and limit. Pure and thread-safe.
//
// What each check records (observed / limit, units):
//   evidence_of_need  drifted share / share threshold; but when the data did not drift and a
//                     labeled gain estimate exists, degradation lower bound (d - z se, accuracy
//                     fraction) / 0. The detail states both signals.
//   accuracy_floor    current accuracy / floor. Not applicable (no floor, or no labeled
//                     window) -> passed, detail says why. A breach has passed = false and
//                     decides APPROVE with accuracy_floor_override.
//   cooldown          hours since the last approval (-1: none) / cooldown hours.
//   gain_evidence     1 if a gain estimate exists else 0 / 1.
//   min_gain          gain lower bound / min_gain (accuracy fractions).
//   efficiency        100 * gain lower bound / job kWh (accuracy points per kWh) /
//                     min_gain_points_per_kwh. A job of 0 kWh passes (detail says so).
//   energy_budget     approved kWh in the window + this job's kWh / budget kWh (no budget:
//                     unlimited, limit 0, passes; a budget of 0 is a freeze, which only a job
//                     of 0 kWh passes).
// decided_by: the first failing check (or accuracy_floor on a breach). When every check
// passes the verdict is APPROVE and decided_by is "efficiency": the gain justifying its energy
// is what approves a retrain; energy_budget after it is still evaluated (and passed). Exactly
// one check is decisive; checks after it are not evaluated, except that checks 1 and 2 always
// are, and energy_budget is on an approval.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/core/drift/drift.h"
#include "server/core/energy/energy.h"
#include "server/core/gain/gain.h"
#include "server/core/policy/deferral.h"

namespace greengate::policy {

struct Policy {
  int64_t version = 0;  // 0: the defaults, never stored
  drift::DriftOptions drift;
  std::optional<double> accuracy_floor;  // fraction; unset = no floor
  double min_gain = 0.005;               // lower-bound gain, accuracy fraction
  double min_gain_points_per_kwh = 0.05;
  double recovery_ratio = 0.8;
  double confidence = 0.95;
  absl::Duration cooldown = absl::Hours(24);
  // Approved kWh per budget_window; unset = unlimited, 0 = nothing may be spent (a freeze).
  std::optional<double> energy_budget_kwh;
  absl::Duration budget_window = absl::Hours(24 * 30);
  // Value rule: when value_per_accuracy_point > 0, check 6 is "value" instead of
  // "efficiency": 100 x gain lower bound x value_per_accuracy_point >=
  // kWh x energy_price_per_kwh + kg CO2e x carbon_price_per_kg (same currency).
  double value_per_accuracy_point = 0;
  double energy_price_per_kwh = 0;
  double carbon_price_per_kg = 0;
  // Carbon budget: approved kg CO2e per budget_window; unset = unlimited (check
  // "carbon_budget" is then not listed), 0 = no emission allowed.
  std::optional<double> carbon_budget_kg;
  // Carbon-aware deferral: with a forecast, DEFER an approval to a start within max_deferral
  // whose CO2e is at least min_deferral_saving (share) lower (check "carbon_window", listed
  // when max_deferral > 0).
  absl::Duration max_deferral = absl::ZeroDuration();
  double min_deferral_saving = 0.2;
};

// Budgets over every model's approvals, set by the operator for the whole server (a platform
// team's energy allowance), not by a model's policy; 0 = unlimited. Each budget is a check
// ("fleet_energy_budget", "fleet_carbon_budget") listed only when set.
struct FleetBudget {
  double energy_budget_kwh = 0;
  double carbon_budget_kg = 0;
  absl::Duration window = absl::Hours(24 * 30);
  bool enabled() const { return energy_budget_kwh > 0 || carbon_budget_kg > 0; }
  // As a model policy's budgets read: unset when unlimited (a server flag has no unset, so 0).
  std::optional<double> energy_limit_kwh() const { return Limit(energy_budget_kwh); }
  std::optional<double> carbon_limit_kg() const { return Limit(carbon_budget_kg); }

 private:
  static std::optional<double> Limit(double budget) {
    return budget > 0 ? std::optional<double>(budget) : std::nullopt;
  }
};

// ValidateFleetBudget(): InvalidArgument naming the server flag ("fleet_energy_budget_kwh",
// "fleet_carbon_budget_kg", "fleet_budget_window_s") for negative, NaN or infinite budgets and
// a window <= 0. Thread-safe.
absl::Status ValidateFleetBudget(const FleetBudget& fleet);

// ValidatePolicy(): InvalidArgument naming the field by its API name ("policy.min_gain",
// "policy.cooldown_s", ...) for out-of-range values; NaN and infinities are rejected.
// Ranges: p_value_threshold and distance_threshold in (0, 1), drift_share_threshold in
// (0, 1], large_sample_rows >= 1, accuracy_floor in [0, 1], min_gain in [0, 1],
// min_gain_points_per_kwh >= 0, recovery_ratio in (0, 1], confidence in [0.5, 1),
// cooldown_s >= 0, energy_budget_kwh >= 0 (when set), budget_window_s > 0,
// value_per_accuracy_point, energy_price_per_kwh, carbon_price_per_kg >= 0, carbon_budget_kg
// >= 0 (when set), max_deferral_s >= 0,
// min_deferral_saving in (0, 1],
// mmd_permutations, when the multivariate tests are on, in [1, 100000]. Feature names are
// quoted with a bounded prefix. Thread-safe.
absl::Status ValidatePolicy(const Policy& policy);

// ValidatePolicyForReference(): what a policy asks of the model's reference profile, by
// drift::ValidateDriftOptionsForReference, the check drift detection repeats: every
// feature_tests key must name a feature of `reference` and its test must apply to it
// (drift::ValidateFeatureTestFor). Checked when either is stored (SetPolicy against the
// reference in force, SetReference against the policy in force), so neither write can leave
// the model unable to decide. InvalidArgument naming "policy.feature_tests[...]". Thread-safe.
absl::Status ValidatePolicyForReference(const Policy& policy,
                                        const profile::DataProfile& reference);

enum class Verdict { kApprove, kReject, kDefer };
// VerdictName(): "APPROVE", "REJECT", "DEFER"; a static string. Thread-safe.
const char* VerdictName(Verdict verdict);

// One check of the decision, as recorded. A check not evaluated keeps its defaults (not
// passed, no detail).
struct Check {
  std::string name;
  bool evaluated = false;  // false when an earlier check already decided
  bool passed = false;     // accuracy_floor: false = breached
  double observed = 0;
  double limit = 0;
  std::string detail;
  bool decisive = false;
};

// What the log says about this model's recent approvals.
struct History {
  std::optional<absl::Time> last_approval;
  double approved_energy_kwh_in_window = 0;  // approvals within policy.budget_window of now
  std::optional<absl::Time> oldest_approval_in_window;  // frees budget when it ages out
  double approved_co2e_kg_in_window = 0;  // kg CO2e of those approvals (carbon budget)
  // Every model's approvals within fleet.window of now (fleet budgets).
  double fleet_approved_energy_kwh_in_window = 0;
  double fleet_approved_co2e_kg_in_window = 0;
  std::optional<absl::Time> fleet_oldest_approval_in_window;
};

struct PolicyInputs {
  const Policy* policy = nullptr;
  const drift::DriftReport* drift = nullptr;
  const gain::GainEstimate* gain = nullptr;
  const energy::CostEstimate* cost = nullptr;
  History history;
  absl::Time now;
  // Carbon-intensity forecast (validated, time-ordered) for check "carbon_window"; empty = none.
  std::vector<ForecastPoint> forecast;
  absl::Duration job_duration = absl::ZeroDuration();  // the plan's hours
  FleetBudget fleet;                                   // unlimited unless the operator set one
};

struct PolicyDecision {
  Verdict verdict = Verdict::kDefer;
  std::string decided_by;  // name of the decisive check
  // All seven, in order, then carbon_budget / fleet_energy_budget / fleet_carbon_budget /
  // carbon_window when configured.
  std::vector<Check> checks;
  std::string reason;  // one line, for humans, e.g. "APPROVE: 3 of 5 features drifted;
                       // expected gain 2.4 points (lower bound 1.1) for 12.3 kWh /
                       // 4.1 kg CO2e = 0.0894 points/kWh >= 0.05"
  bool accuracy_floor_override = false;
  // DEFER: when a retry can change the answer. cooldown: last approval + cooldown;
  // energy_budget: oldest approval in the window + budget_window (unset when unknown, or when
  // this job alone exceeds the budget); gain_evidence: unset (send labels instead).
  std::optional<absl::Time> retry_after;
  // carbon_window DEFER: the cleaner start and the CO2e it saves against starting now.
  std::optional<absl::Time> suggested_start;
  double co2e_saved_kg = 0;
};

// Decide(): runs the checks above. All four pointers in `inputs` must be non-null (asserted);
// the policy should have passed ValidatePolicy. Pure and thread-safe.
PolicyDecision Decide(const PolicyInputs& inputs);

}  // namespace greengate::policy
