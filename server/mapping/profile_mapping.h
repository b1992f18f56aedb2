#pragma once

// DataProfile: protobuf <-> core. FromProto checks only what the proto cannot express (a
// feature with neither kind set); the rest is profile/validate.h's job.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/profile/profile.h"

namespace greengate::mapping {

// InvalidArgument naming `field` + ".features[i]" when a feature has no kind.
absl::StatusOr<profile::DataProfile> ProfileFromProto(const v1::DataProfile& proto,
                                                      absl::string_view field);

// One numeric profile (a feature's, or a model's scores); no check.
profile::NumericProfile NumericFromProto(const v1::NumericProfile& proto);

// Whether ProfileToProto copies the samples (each numeric feature's `sample`, the joint
// sample's `values`): megabytes in a reference, and not needed to profile new data on its
// bin edges. Without them, `sample_seen`, `joint.features`, `joint.rows` and `joint.seen`
// still describe the samples the profile holds.
enum class ProfileSamples { kWith, kWithout };

v1::DataProfile ProfileToProto(const profile::DataProfile& profile,
                               ProfileSamples samples = ProfileSamples::kWith);

}  // namespace greengate::mapping
