#pragma once

// Merging the joint row samples of two shard profiles (DataProfile::joint). Pure and
// thread-safe.

#include <cstdint>
#include <optional>

#include "server/core/profile/profile.h"

namespace greengate::profile {

// MergeJointSamples()
//
// A uniform sample of the complete rows of both shards, drawn as Merge() draws numeric
// reservoirs: each pick comes from a shard with probability (its rows not yet drawn) / (all
// not yet drawn), then uniformly among that shard's kept rows. The size is the smaller full
// reservoir's (a full one holds fewer rows than it saw), or all rows when both are complete.
// nullopt unless both sides have a joint sample over the same features in the same order
// (a joint sample that covers only part of the data would not be uniform). Deterministic
// for a given `seed`. The inputs must be well-formed (values.size() == rows x features).
std::optional<JointSample> MergeJointSamples(const std::optional<JointSample>& a,
                                             const std::optional<JointSample>& b, uint64_t seed);

}  // namespace greengate::profile
