#pragma once

// Policy: protobuf <-> core. Zero or unset proto fields take the core defaults, so a stored
// policy always records every value a decision used.

#include "greengate/v1/greengate.pb.h"
#include "server/core/policy/policy.h"

namespace greengate::mapping {

v1::Correction CorrectionToProto(drift::Correction correction);

policy::Policy PolicyFromProto(const v1::Policy& proto);
// All fields filled (defaults explicit); `model` and `create_time` are left to the caller.
v1::Policy PolicyToProto(const policy::Policy& policy);

}  // namespace greengate::mapping
