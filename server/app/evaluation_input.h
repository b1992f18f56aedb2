#pragma once

// BuildEvaluationInput(): the one place a ShouldRetrain request and the model's state become
// the core's EvaluationInput. Pure; thread-safe.

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "server/app/approval_ledger.h"
#include "server/app/model_state_cache.h"
#include "server/app/retrain_request.h"
#include "server/core/energy/tables.h"
#include "server/core/evaluate.h"
#include "server/core/policy/policy.h"
#include "server/store/store.h"

namespace greengate::app {

// The model's state one decision weighs, loaded under its lock (and the fleet's).
struct ModelSnapshot {
  const LoadedReference* reference = nullptr;
  const policy::Policy* policy = nullptr;
  ApprovalSummary approvals;                       // over the policy's budget window
  std::optional<ApprovalSummary> fleet_approvals;  // set with a fleet budget: over its window
  policy::FleetBudget fleet;
  const std::vector<store::OutcomeRow>* outcomes = nullptr;  // oldest first; may be empty
  // The accuracy each version other than the deployed one reached (versions.h), for headroom.
  std::vector<double> attained_accuracies;
  const energy::Tables* tables = nullptr;
  absl::Time now;
};

// One stored outcome as the energy and gain estimators read it.
PastRetrain PastRetrainFromRow(const store::OutcomeRow& row);

// The input points into `request` and `snapshot` (and what they point to): both must outlive
// it. Validation is Evaluate's (it names the request's fields).
EvaluationInput BuildEvaluationInput(const RetrainRequest& request, const ModelSnapshot& snapshot);

}  // namespace greengate::app
