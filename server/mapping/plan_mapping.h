#pragma once

// TrainingPlan and LabeledWindow: protobuf -> core.

#include <optional>

#include "greengate/v1/greengate.pb.h"
#include "server/core/energy/energy.h"
#include "server/core/gain/gain.h"

namespace greengate::mapping {

energy::TrainingPlan PlanFromProto(const v1::TrainingPlan& proto);
v1::TrainingPlan PlanToProto(const energy::TrainingPlan& plan);
std::optional<gain::LabeledWindow> LabeledFromProto(const v1::ShouldRetrainRequest& request);

}  // namespace greengate::mapping
