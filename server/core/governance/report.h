#pragma once

// Governance report aggregation: from the decisions of a period (and the outcomes reported
// for them, and each model's budget) to per-model and overall summaries. Pure: the service
// loads rows and maps the result to protobuf. Thread-safe (no shared state).
//
// "Avoided" energy is the estimated cost of the training jobs the gate kept from running:
//  - every REJECT avoids its own job (its estimate);
//  - consecutive DEFERs of a model are one postponed job. If an APPROVE of that model
//    follows within the period, the job ran: it is counted once, as approved, and never as
//    avoided. If a REJECT follows, the rejection already counts it. If the period ends with
//    the run still open, the job is counted as avoided once, at its latest estimate — it may
//    still be approved in a later period (deferrals_pending says how many).
// Energy in kWh, emissions in kg CO2e, gains as accuracy fractions (0.02 = 2 points).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace greengate::governance {

enum class Verdict { kApprove, kReject, kDefer };

// One logged decision of the period.
struct DecisionInput {
  int64_t seq = 0;    // decision log order; ties on `time` are broken by it
  std::string model;  // "models/{model_id}"
  Verdict verdict = Verdict::kApprove;
  absl::Time time;
  double energy_kwh = 0;  // estimate of the job
  double co2e_kg = 0;
  double expected_gain = 0;
  bool accuracy_floor_override = false;
  std::vector<std::string> drifted_features;
};

// A measured outcome reported for one of the period's decisions.
struct OutcomeInput {
  int64_t decision_seq = 0;
  std::string model;
  double measured_energy_kwh = 0;
  std::optional<double> measured_co2e_kg;
  double estimated_energy_kwh = 0;
  double expected_gain = 0;
  std::optional<double> accuracy_before;
  std::optional<double> accuracy_after;
};

// A budget in force at the period's end (a model's policy, or the fleet's) and what its
// window used.
struct BudgetInput {
  std::optional<double> energy_budget_kwh;  // unset = unlimited; 0 = a freeze
  absl::Duration window;
  double used_kwh = 0;                     // approved kWh in [end - window, end)
  std::optional<double> carbon_budget_kg;  // unset = unlimited; 0 = no emission allowed
  double used_co2e_kg = 0;                 // approved kg CO2e in the same window
};

struct ReportInput {
  absl::Time start;  // inclusive
  absl::Time end;    // exclusive
  std::vector<DecisionInput> decisions;
  std::vector<OutcomeInput> outcomes;
  std::map<std::string, BudgetInput> budgets;  // by model
  std::optional<BudgetInput> fleet_budget;     // the server's, across all models
};

struct VerdictCounts {
  int64_t approved = 0;
  int64_t rejected = 0;
  int64_t deferred = 0;
  int64_t total = 0;
};

struct WeeklyEnergy {
  std::string week;  // "2026-W47"
  double approved_energy_kwh = 0;
  double avoided_energy_kwh = 0;
};

struct FeatureCount {
  std::string feature;
  int64_t drifted_decisions = 0;
};

struct GainPoint {
  std::string model;
  int64_t decision_seq = 0;
  double expected_gain = 0;
  double realised_gain = 0;
};

struct Summary {
  std::string model;  // empty for the overall summary
  VerdictCounts decisions;
  double approved_energy_kwh = 0;
  double approved_co2e_kg = 0;
  double avoided_energy_kwh = 0;
  double avoided_co2e_kg = 0;
  int64_t avoided_jobs = 0;
  int64_t deferrals_later_approved = 0;
  int64_t deferrals_pending = 0;
  int64_t accuracy_floor_overrides = 0;
  int64_t outcomes = 0;
  double measured_energy_kwh = 0;
  double estimated_energy_kwh = 0;
  double measured_co2e_kg = 0;
  int64_t outcomes_with_gain = 0;
  double mean_expected_gain = 0;
  double mean_realised_gain = 0;
  std::vector<GainPoint> gains;       // by decision_seq
  std::optional<BudgetInput> budget;  // a model's; overall: the fleet's
  double budget_used_share = 0;       // used / budget; 0 when unlimited or the budget is 0
  double carbon_budget_used_share = 0;
  std::vector<FeatureCount> most_drifted_features;  // most first, then by name; at most 10
  std::vector<WeeklyEnergy> weeks;  // every ISO week overlapping the period, in order
};

struct Report {
  absl::Time start;
  absl::Time end;
  Summary overall;
  std::vector<Summary> models;  // by model name
  std::vector<std::string> notes;
};

// At most this many features in most_drifted_features.
inline constexpr int kMaxDriftedFeatures = 10;

// BuildReport()
//
// Aggregates the period. InvalidArgument when end <= start. Decisions and outcomes may come
// in any order; decisions outside [start, end) are a programmer error and are ignored.
absl::StatusOr<Report> BuildReport(const ReportInput& input);

}  // namespace greengate::governance
