#include "server/core/profile/merge.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/profile/categorical_builder.h"
#include "server/core/profile/compatibility.h"
#include "server/core/profile/format.h"
#include "server/core/profile/joint_merge.h"
#include "server/core/profile/limits.h"
#include "server/core/profile/random.h"
#include "server/core/profile/validate.h"

namespace greengate::profile {
namespace {

absl::Status ValidateOptions(const MergeOptions& options) {
  if (options.sample_capacity < 0 || options.sample_capacity > kMaxSampleSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sample_capacity: must be in [0, ", kMaxSampleSize, "], got ", options.sample_capacity));
  }
  if (options.max_categories < 1 || options.max_categories > kMaxCategories) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_categories: must be in [1, ", kMaxCategories, "], got ", options.max_categories));
  }
  return absl::OkStatus();
}

// Shards of one profile are made with the same options (their seeds may differ): a merge
// of shards that kept, sampled or binned differently would record options none of them had.
absl::Status CheckSameOptions(const DataProfile& a, std::string_view a_name, const DataProfile& b,
                              std::string_view b_name) {
  if (!a.options || !b.options) return absl::OkStatus();  // older clients record none
  ProfileOptions seedless = *b.options;
  seedless.seed = a.options->seed;
  if (seedless == *a.options) return absl::OkStatus();
  const auto show = [](const ProfileOptions& o) {
    return absl::StrCat("top_k ", o.top_k, ", tracked_categories ", o.tracked_categories,
                        ", sample_size ", o.sample_size, ", joint_sample_rows ",
                        o.joint_sample_rows, ", bins ", o.bins);
  };
  return absl::InvalidArgumentError(
      absl::StrCat(internal::AsAbsl(b_name), ".options: ", show(*b.options), " differ from ",
                   internal::AsAbsl(a_name), "'s ", show(*a.options),
                   "; merge only shards profiled with the same options"));
}

absl::StatusOr<int64_t> AddCounts(int64_t x, int64_t y, std::string_view path) {
  int64_t sum = 0;
  if (__builtin_add_overflow(x, y, &sum)) {
    return absl::InvalidArgumentError(
        absl::StrCat(internal::AsAbsl(path), ": ", x, " + ", y, " overflows a 64-bit count"));
  }
  return sum;
}

// A uniform sample of the union of two streams from uniform samples of each. Drawing without
// replacement from the union, the next value comes from a side with probability (its values
// not yet drawn) / (all not yet drawn), and is then a uniform pick among that side's
// reservoir values not yet taken; a reservoir is a uniform subset of its stream, so this is
// a uniform subset of the union as long as no full reservoir runs dry, which capping the size
// at the smallest full reservoir guarantees.
std::vector<double> MergeSamples(const NumericProfile& a, const NumericProfile& b, int64_t capacity,
                                 internal::Rng& rng) {
  std::vector<double> pool_a = a.sample;
  std::vector<double> pool_b = b.sample;
  // A full reservoir (fewer values than it drew from) reveals its shard's capacity and can
  // give at most what it holds; a complete one (every value) reveals only a lower bound.
  int64_t full_limit = kMaxSampleSize;
  bool any_full = false;
  for (const NumericProfile* p : {&a, &b}) {
    const int64_t held = static_cast<int64_t>(p->sample.size());
    if (held < p->sample_seen) {
      any_full = true;
      full_limit = std::min(full_limit, held);
    }
  }
  int64_t size = capacity > 0 ? capacity
                 : any_full   ? full_limit
                              : static_cast<int64_t>(pool_a.size() + pool_b.size());
  size = std::min({size, full_limit, a.sample_seen + b.sample_seen});
  uint64_t left_a = static_cast<uint64_t>(a.sample_seen);
  uint64_t left_b = static_cast<uint64_t>(b.sample_seen);
  std::vector<double> out;
  out.reserve(size);
  for (int64_t drawn = 0; drawn < size; ++drawn) {
    const bool from_a = internal::UniformBelow(rng, left_a + left_b) < left_a;
    std::vector<double>& pool = from_a ? pool_a : pool_b;
    --(from_a ? left_a : left_b);
    const std::size_t pick = internal::UniformBelow(rng, pool.size());
    out.push_back(pool[pick]);
    pool[pick] = pool.back();
    pool.pop_back();
  }
  std::sort(out.begin(), out.end());
  return out;
}

NumericProfile MergeNumeric(const FeatureProfile& fa, const FeatureProfile& fb,
                            const MergeOptions& options, uint64_t seed) {
  const NumericProfile& a = fa.numeric();
  const NumericProfile& b = fb.numeric();
  const int64_t na = fa.count - fa.missing;
  const int64_t nb = fb.count - fb.missing;
  NumericProfile out;
  out.bin_edges = a.bin_edges;
  out.bin_counts.resize(a.bin_counts.size());
  for (std::size_t i = 0; i < out.bin_counts.size(); ++i) {
    out.bin_counts[i] = a.bin_counts[i] + b.bin_counts[i];
  }
  // Edge ties add up when both shards counted them; a shard without them leaves them unknown.
  if (a.edge_counts.size() == a.bin_edges.size() && b.edge_counts.size() == a.bin_edges.size()) {
    out.edge_counts.resize(a.edge_counts.size());
    for (std::size_t i = 0; i < out.edge_counts.size(); ++i) {
      out.edge_counts[i] = a.edge_counts[i] + b.edge_counts[i];
    }
    out.low_bin_sum = a.low_bin_sum + b.low_bin_sum;
    out.high_bin_sum = a.high_bin_sum + b.high_bin_sum;
  }
  if (na == 0 || nb == 0) {
    // One side saw no values: its min/max/mean are placeholders, not data.
    const NumericProfile& only = na == 0 ? b : a;
    out.min = only.min;
    out.max = only.max;
    out.mean = only.mean;
    out.m2 = only.m2;
  } else {
    // Chan, Golub & LeVeque's pairwise update of the mean and the sum of squared deviations.
    const double n = static_cast<double>(na) + static_cast<double>(nb);
    const double delta = b.mean - a.mean;
    out.min = std::min(a.min, b.min);
    out.max = std::max(a.max, b.max);
    out.mean = std::clamp(a.mean + delta * (static_cast<double>(nb) / n), out.min, out.max);
    out.m2 = a.m2 + b.m2 + delta * delta * (static_cast<double>(na) * static_cast<double>(nb) / n);
  }
  internal::Rng rng(seed);
  out.sample = MergeSamples(a, b, options.sample_capacity, rng);
  out.sample_seen = a.sample_seen + b.sample_seen;
  return out;
}

// The categories of a profile counted on a reference that the reference lists.
std::vector<std::string_view> ListedByReference(const CategoricalProfile& p) {
  std::vector<std::string_view> out;
  out.reserve(p.counts.size() - std::min(p.counts.size(), p.unseen.size()));
  for (const auto& entry : p.counts) {
    if (!p.unseen.contains(entry.first)) out.push_back(entry.first);
  }
  return out;
}

// Two profiles counted on one reference: the reference's categories add, never folded (both
// list them all, zeros kept); unseen ones add and only they fold beyond `max_categories`.
absl::StatusOr<CategoricalProfile> MergeAligned(const CategoricalProfile& a,
                                                const CategoricalProfile& b, int64_t max_categories,
                                                std::string_view path) {
  const std::vector<std::string_view> listed = ListedByReference(a);
  if (listed != ListedByReference(b)) {
    return absl::InvalidArgumentError(absl::StrCat(
        internal::AsAbsl(path),
        ": the two profiles were counted on references that list different categories; merge "
        "only profiles made on the same reference"));
  }
  CategoricalProfile unseen;
  for (const CategoricalProfile* side : {&a, &b}) {
    for (const std::string& name : side->unseen) unseen.counts[name] += side->counts.at(name);
  }
  KeepTopCategories(
      std::min<int64_t>(max_categories, kMaxCategories - static_cast<int64_t>(listed.size())),
      &unseen);
  CategoricalProfile out;
  out.reference_aligned = true;
  out.other = a.other + b.other + unseen.other;
  for (std::string_view name : listed) {
    const std::string key(name);
    out.counts.emplace(key, a.counts.at(key) + b.counts.at(key));
  }
  for (const auto& [name, count] : unseen.counts) {
    out.unseen.insert(name);
    out.counts.emplace(name, count);
  }
  return out;
}

absl::StatusOr<CategoricalProfile> MergeCategorical(const CategoricalProfile& a,
                                                    const CategoricalProfile& b,
                                                    int64_t max_categories, std::string_view path) {
  if (a.reference_aligned != b.reference_aligned) {
    return absl::InvalidArgumentError(absl::StrCat(
        internal::AsAbsl(path), ": ", a.reference_aligned ? "a" : "b",
        " was counted on a reference and the other was not; profile every shard the same way"));
  }
  // No overflow: every count is bounded by its feature's count, whose sum was checked.
  if (a.reference_aligned) return MergeAligned(a, b, max_categories, path);
  CategoricalProfile out = a;
  for (const auto& [name, count] : b.counts) out.counts[name] += count;
  out.other += b.other;
  KeepTopCategories(max_categories, &out);
  return out;
}

// Merges two valid profiles with the same features; `a` sets the order.
absl::StatusOr<DataProfile> MergeChecked(const DataProfile& a, const DataProfile& b,
                                         const MergeOptions& options, uint64_t seed) {
  absl::flat_hash_map<absl::string_view, const FeatureProfile*> b_features;
  for (const FeatureProfile& f : b.features) b_features.emplace(f.name, &f);
  DataProfile out;
  ASSIGN_OR_RETURN(out.rows, AddCounts(a.rows, b.rows, "rows"));
  out.features.reserve(a.features.size());
  for (std::size_t i = 0; i < a.features.size(); ++i) {
    const FeatureProfile& fa = a.features[i];
    const FeatureProfile& fb = *b_features.at(fa.name);
    const std::string path = absl::StrCat("features[", i, "]");
    FeatureProfile f;
    f.name = fa.name;
    ASSIGN_OR_RETURN(f.count, AddCounts(fa.count, fb.count, absl::StrCat(path, ".count")));
    ASSIGN_OR_RETURN(f.missing, AddCounts(fa.missing, fb.missing, absl::StrCat(path, ".missing")));
    if (fa.is_numeric()) {
      f.kind = MergeNumeric(fa, fb, options, internal::MixSeed(seed, i));
    } else {
      ASSIGN_OR_RETURN(f.kind,
                       MergeCategorical(fa.categorical(), fb.categorical(), options.max_categories,
                                        absl::StrCat(path, ".categorical")));
    }
    out.features.push_back(std::move(f));
  }
  // The joint sample (multivariate tests) and feature importance (importance weighting).
  out.joint = MergeJointSamples(a.joint, b.joint, internal::MixSeed(seed, uint64_t{1} << 32));
  out.feature_importance =
      a.feature_importance.empty() ? b.feature_importance : a.feature_importance;
  out.options = a.options ? a.options : b.options;
  return out;
}

}  // namespace

absl::StatusOr<DataProfile> Merge(const DataProfile& a, const DataProfile& b,
                                  const MergeOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  RETURN_IF_ERROR(ValidateProfile(a, "a"));
  RETURN_IF_ERROR(ValidateProfile(b, "b"));
  RETURN_IF_ERROR(ValidateSameFeatures(a, "a", b, "b"));
  RETURN_IF_ERROR(CheckSameOptions(a, "a", b, "b"));
  return MergeChecked(a, b, options, options.seed);
}

absl::StatusOr<DataProfile> MergeAll(absl::Span<const DataProfile> shards,
                                     const MergeOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (shards.empty()) return absl::InvalidArgumentError("shards: must not be empty");
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string field = absl::StrCat("shards[", i, "]");
    RETURN_IF_ERROR(ValidateProfile(shards[i], field));
    if (i == 0) continue;
    RETURN_IF_ERROR(ValidateSameFeatures(shards[0], "shards[0]", shards[i], field));
    RETURN_IF_ERROR(CheckSameOptions(shards[0], "shards[0]", shards[i], field));
  }
  DataProfile merged = shards[0];
  for (std::size_t i = 1; i < shards.size(); ++i) {
    ASSIGN_OR_RETURN(merged,
                     MergeChecked(merged, shards[i], options, internal::MixSeed(options.seed, i)));
  }
  return merged;
}

}  // namespace greengate::profile
