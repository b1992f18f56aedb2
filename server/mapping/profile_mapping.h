#pragma once

// DataProfile: protobuf <-> core. FromProto checks only what the proto cannot express (a
// feature with neither kind set); the rest is profile/validate.h's job.

#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/profile/profile.h"

namespace greengate::mapping {

// InvalidArgument naming `field` + ".features[i]" when a feature has no kind.
absl::StatusOr<profile::DataProfile> ProfileFromProto(const v1::DataProfile& proto,
                                                      absl::string_view field);
v1::DataProfile ProfileToProto(const profile::DataProfile& profile);

}  // namespace greengate::mapping
