#pragma once

// One ShouldRetrain evaluation in the pure core: drift of `current` against `reference`,
// expected gain, energy and carbon of the plan, and the policy's verdict. The caller (the
// service) loads everything from the store and passes the time in. Pure and thread-safe.

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/core/drift/drift.h"
#include "server/core/energy/energy.h"
#include "server/core/gain/gain.h"
#include "server/core/policy/policy.h"
#include "server/core/profile/profile.h"

namespace greengate {

struct EvaluationInput {
  const profile::DataProfile* reference = nullptr;  // validated when it was stored
  std::optional<gain::ReferenceAccuracy> reference_accuracy;
  const profile::DataProfile* current = nullptr;
  std::optional<gain::LabeledWindow> labeled;
  const energy::TrainingPlan* plan = nullptr;
  const policy::Policy* policy = nullptr;
  const energy::Tables* tables = nullptr;
  policy::History history;
  absl::Time now;
};

struct Evaluation {
  drift::DriftReport drift;
  gain::GainEstimate gain;
  energy::CostEstimate cost;
  policy::PolicyDecision decision;
};

// Validates `current` against the reference ("current.*" fields), the labeled window
// ("labeled.*") and the plan ("plan.*"); InvalidArgument names the field.
absl::StatusOr<Evaluation> Evaluate(const EvaluationInput& input);

}  // namespace greengate
