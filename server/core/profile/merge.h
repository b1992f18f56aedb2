#pragma once

// Merging shard profiles: the profile of a dataset from the profiles of its parts, so a
// pipeline can profile partitions in parallel (Spark, Beam) and send one profile.
//
// What "merge equals one pass" means here: counts, missing, bin counts, min and max are
// exact; mean and m2 agree with one pass to rounding (Chan et al.'s pairwise update); the
// merged reservoir is a uniform sample of the union, so it equals a one-pass reservoir in
// distribution, not value by value. Categorical counts add; when more categories than
// `max_categories` result, the rarest fold into `other`, so (as in the builder) kept counts
// can be lower bounds when shards kept different categories. Profiles counted on one
// reference (CategoricalProfile::reference_aligned) merge exactly: the reference's categories
// and `other` add up to one pass's counts, and so do the unseen categories as long as each
// shard listed all of its own (at most its top-K); beyond that the rarest unseen ones fold
// into `other`, which changes neither the chi-square statistic nor the Jensen-Shannon
// distance against the reference (both are linear in cells the reference does not have).
// Shards that record options must record the same ones (seeds aside): InvalidArgument
// otherwise. The merged profile records the first shard's options that has any.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/core/profile/limits.h"
#include "server/core/profile/profile.h"

namespace greengate::profile {

// Options of Merge().
struct MergeOptions {
  // Seeds the draw that merges reservoirs (feature i uses a seed derived from this and i):
  // the same inputs and seed give the same merged profile.
  uint64_t seed = 0;
  // Size of a merged reservoir, at most kMaxSampleSize; pass the shards' reservoir capacity.
  // 0 infers it: a full reservoir (sample smaller than sample_seen) shows its shard's
  // capacity, so the smallest full one is used; when both samples are complete (every value)
  // all their values are kept. Any size is lowered when needed to stay uniform: a full
  // reservoir can contribute at most the values it holds.
  int64_t sample_capacity = 0;
  // Categories kept per categorical feature after adding counts, in [1, kMaxCategories]. In
  // profiles counted on a reference, the unseen categories kept; the reference's are all kept.
  int64_t max_categories = kMaxCategories;
};

// Merge()
//
// The profile of the union of the datasets profiled by `a` and `b`. Both must be valid
// (ValidateProfile; errors name "a..." or "b...") and describe the same features with the
// same kinds and bit-identical bin edges (ValidateSameFeatures); features are matched by
// name and come out in `a`'s order. Otherwise InvalidArgument, as also when a count would
// overflow int64 or an option is out of range. Merged samples are sorted ascending.
// Pure and thread-safe.
absl::StatusOr<DataProfile> Merge(const DataProfile& a, const DataProfile& b,
                                  const MergeOptions& options = {});

// MergeAll()
//
// Merge() folded over `shards` left to right (each step with its own derived seed); errors
// name the shard as "shards[i]...". InvalidArgument when `shards` is empty. A single shard
// is validated and returned as is. Pure and thread-safe.
absl::StatusOr<DataProfile> MergeAll(absl::Span<const DataProfile> shards,
                                     const MergeOptions& options = {});

}  // namespace greengate::profile
