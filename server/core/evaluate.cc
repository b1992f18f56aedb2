#include "server/core/evaluate.h"

#include "server/common/status_macros.h"
#include "server/core/profile/validate.h"

namespace greengate {

absl::StatusOr<Evaluation> Evaluate(const EvaluationInput& input) {
  RETURN_IF_ERROR(profile::ValidateProfile(*input.current, "current"));
  RETURN_IF_ERROR(profile::ValidateAgainstReference(*input.reference, *input.current, "current"));
  RETURN_IF_ERROR(energy::ValidatePlan(*input.plan, *input.tables));

  Evaluation out;
  ASSIGN_OR_RETURN(out.drift,
                   drift::DetectDrift(*input.reference, *input.current, input.policy->drift));
  gain::GainOptions gain_options;
  gain_options.recovery_ratio = input.policy->recovery_ratio;
  gain_options.confidence = input.policy->confidence;
  ASSIGN_OR_RETURN(out.gain,
                   gain::EstimateGain(input.reference_accuracy, input.labeled, gain_options));
  ASSIGN_OR_RETURN(out.cost, energy::EstimateCost(*input.plan, *input.tables));

  policy::PolicyInputs policy_inputs;
  policy_inputs.policy = input.policy;
  policy_inputs.drift = &out.drift;
  policy_inputs.gain = &out.gain;
  policy_inputs.cost = &out.cost;
  policy_inputs.history = input.history;
  policy_inputs.now = input.now;
  out.decision = policy::Decide(policy_inputs);
  return out;
}

}  // namespace greengate
