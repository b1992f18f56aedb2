#pragma once

// Policy: protobuf <-> core. Zero or unset proto fields take the core defaults, so a stored
// policy always records every value a decision used.

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/policy/policy.h"

namespace greengate::mapping {

v1::Correction CorrectionToProto(drift::Correction correction);

// The one validation of a policy, on SetPolicy and on every read of a stored one:
// InvalidArgument for what the proto can hold but the core cannot (a `correction` outside the
// enum, `mmd_permutations` below -1), then policy::ValidatePolicy's ranges.
absl::StatusOr<policy::Policy> PolicyFromProto(const v1::Policy& proto);
// All fields filled (defaults explicit); `model` and `create_time` are left to the caller.
v1::Policy PolicyToProto(const policy::Policy& policy);

}  // namespace greengate::mapping
