#include "server/core/profile/joint_merge.h"

#include <algorithm>
#include <vector>

#include "server/core/profile/random.h"

namespace greengate::profile {

std::optional<JointSample> MergeJointSamples(const std::optional<JointSample>& a,
                                             const std::optional<JointSample>& b, uint64_t seed) {
  if (!a || !b || a->features != b->features || a->features.empty()) return std::nullopt;
  const size_t d = a->features.size();
  if (a->values.size() != static_cast<size_t>(a->rows) * d ||
      b->values.size() != static_cast<size_t>(b->rows) * d) {
    return std::nullopt;
  }
  int64_t size = a->rows + b->rows;
  for (const JointSample* s : {&*a, &*b}) {
    if (s->rows < s->seen) size = std::min(size, s->rows);  // full reservoir: its capacity
  }
  // Row indices not yet taken, per side.
  std::vector<int64_t> pool_a(static_cast<size_t>(a->rows));
  std::vector<int64_t> pool_b(static_cast<size_t>(b->rows));
  for (int64_t i = 0; i < a->rows; ++i) pool_a[static_cast<size_t>(i)] = i;
  for (int64_t i = 0; i < b->rows; ++i) pool_b[static_cast<size_t>(i)] = i;
  uint64_t left_a = static_cast<uint64_t>(std::max(a->seen, a->rows));
  uint64_t left_b = static_cast<uint64_t>(std::max(b->seen, b->rows));
  internal::Rng rng(seed);
  JointSample out;
  out.features = a->features;
  out.seen = a->seen + b->seen;
  out.values.reserve(static_cast<size_t>(size) * d);
  for (int64_t drawn = 0; drawn < size; ++drawn) {
    bool from_a = internal::UniformBelow(rng, left_a + left_b) < left_a;
    if (from_a ? pool_a.empty() : pool_b.empty()) from_a = !from_a;  // cannot happen when uniform
    std::vector<int64_t>& pool = from_a ? pool_a : pool_b;
    const JointSample& side = from_a ? *a : *b;
    --(from_a ? left_a : left_b);
    const size_t pick = internal::UniformBelow(rng, pool.size());
    const auto row = side.values.begin() + pool[pick] * static_cast<int64_t>(d);
    out.values.insert(out.values.end(), row, row + static_cast<int64_t>(d));
    pool[pick] = pool.back();
    pool.pop_back();
  }
  out.rows = size;
  return out;
}

}  // namespace greengate::profile
