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
// Every check records its observed value and limit. Pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/core/drift/drift.h"
#include "server/core/energy/energy.h"
#include "server/core/gain/gain.h"

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
  double energy_budget_kwh = 0;  // 0 = unlimited
  absl::Duration budget_window = absl::Hours(24 * 30);
};

// InvalidArgument naming the field ("policy.min_gain", ...) for out-of-range values.
absl::Status ValidatePolicy(const Policy& policy);

enum class Verdict { kApprove, kReject, kDefer };
const char* VerdictName(Verdict verdict);  // "APPROVE", "REJECT", "DEFER"

struct Check {
  std::string name;
  bool evaluated = false;  // false when an earlier check already decided
  bool passed = false;
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
};

struct PolicyInputs {
  const Policy* policy = nullptr;
  const drift::DriftReport* drift = nullptr;
  const gain::GainEstimate* gain = nullptr;
  const energy::CostEstimate* cost = nullptr;
  History history;
  absl::Time now;
};

struct PolicyDecision {
  Verdict verdict = Verdict::kDefer;
  std::string decided_by;     // name of the decisive check
  std::vector<Check> checks;  // all seven, in order
  std::string reason;         // one line, for humans
  bool accuracy_floor_override = false;
  std::optional<absl::Time> retry_after;  // DEFER: when a retry can change the answer
};

PolicyDecision Decide(const PolicyInputs& inputs);

}  // namespace greengate::policy
