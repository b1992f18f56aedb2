#pragma once

// TrainingPlan, LabeledWindow and Challenger: protobuf -> core.

#include <optional>

#include "greengate/v1/greengate.pb.h"
#include "server/core/energy/energy.h"
#include "server/core/gain/gain.h"
#include "server/core/gain/paired.h"

namespace greengate::mapping {

energy::TrainingPlan PlanFromProto(const v1::TrainingPlan& proto);
v1::TrainingPlan PlanToProto(const energy::TrainingPlan& plan);
std::optional<gain::LabeledWindow> LabeledFromProto(const v1::ShouldRetrainRequest& request);
// The challenger's holdout as paired counts (first: the proxy, second: the deployed model);
// nullopt when the request has none. Validated by the core ("challenger.*" field names).
std::optional<gain::PairedCounts> ChallengerFromProto(const v1::ShouldRetrainRequest& request);

}  // namespace greengate::mapping
