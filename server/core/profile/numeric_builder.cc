#include "server/core/profile/numeric_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/limits.h"

namespace greengate::profile {

absl::StatusOr<NumericBuilder> NumericBuilder::Create(NumericBuilderOptions options) {
  RETURN_IF_ERROR(ValidateBinEdges(options.bin_edges, "bin_edges"));
  if (options.sample_capacity < 0 || options.sample_capacity > kMaxSampleSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sample_capacity: must be in [0, ", kMaxSampleSize, "], got ", options.sample_capacity));
  }
  return NumericBuilder(std::move(options));
}

NumericBuilder::NumericBuilder(NumericBuilderOptions options)
    : edges_(std::move(options.bin_edges)),
      bin_counts_(edges_.size() + 1, 0),
      capacity_(options.sample_capacity),
      rng_(options.seed) {
  small_ = edges_.size() <= kSmallEdges;
  small_edges_.fill(std::numeric_limits<double>::infinity());
  if (small_) std::copy(edges_.begin(), edges_.end(), small_edges_.begin());
}

namespace {

// BinIndex() on at most 15 ascending edges padded with +inf to 15: the number of edges <=
// value, found in four steps whose comparisons select an offset instead of a branch (no
// mispredictions on random data). `value` is finite, so no padding edge counts.
inline std::size_t SmallBinIndex(const std::array<double, 15>& e, double value) {
  std::size_t i = 0;
  i += e[i + 7] <= value ? 8 : 0;
  i += e[i + 3] <= value ? 4 : 0;
  i += e[i + 1] <= value ? 2 : 0;
  i += e[i] <= value ? 1 : 0;
  return i;
}

// Algorithm R: the n-th finite value replaces a random slot with probability capacity / n,
// which keeps every value seen so far in the reservoir with equal probability. One copy for
// Add(), AddValues() and SampleValues(), so they draw alike; the loops pass locals.
inline void DrawIntoReservoir(double value, int64_t n, int64_t capacity, internal::Rng& rng,
                              std::vector<double>& sample) {
  if (static_cast<int64_t>(sample.size()) < capacity) {
    sample.push_back(value);
  } else if (capacity != 0) {
    const uint64_t slot = internal::UniformBelow(rng, static_cast<uint64_t>(n));
    if (slot < static_cast<uint64_t>(capacity)) sample[slot] = value;
  }
}

}  // namespace

void NumericBuilder::Add(double value) {
  if (!std::isfinite(value)) {
    AddMissing();
    return;
  }
  ++count_;
  ++n_;
  if (n_ == 1) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  // Welford: stable where the naive sum of squares cancels catastrophically.
  const double delta = value - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (value - mean_);
  ++bin_counts_[small_ ? SmallBinIndex(small_edges_, value) : BinIndex(edges_, value)];
  Sample(value);
}

void NumericBuilder::AddValues(absl::Span<const double> values) {
  // Exactly Add()'s operations in Add()'s order, on local copies: members would be reloaded
  // and stored for every value, since the compiler cannot prove that the reservoir's writes
  // leave them alone.
  int64_t count = count_;
  int64_t missing = missing_;
  int64_t n = n_;
  double min = min_;
  double max = max_;
  double mean = mean_;
  double m2 = m2_;
  internal::Rng rng = rng_;
  const absl::Span<const double> edges(edges_);
  const std::array<double, kSmallEdges> small_edges = small_edges_;
  const bool small = small_;
  int64_t* const bins = bin_counts_.data();
  const int64_t capacity = capacity_;
  for (const double value : values) {
    ++count;
    if (!std::isfinite(value)) {
      ++missing;
      continue;
    }
    ++n;
    if (n == 1) {
      min = max = value;
    } else {
      min = std::min(min, value);
      max = std::max(max, value);
    }
    const double delta = value - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (value - mean);
    ++bins[small ? SmallBinIndex(small_edges, value) : BinIndex(edges, value)];
    DrawIntoReservoir(value, n, capacity, rng, sample_);
  }
  count_ = count;
  missing_ = missing;
  n_ = n;
  min_ = min;
  max_ = max;
  mean_ = mean;
  m2_ = m2;
  rng_ = rng;
}

void NumericBuilder::SampleValues(absl::Span<const double> values) {
  // AddValues() without the moments and bins: the same counts and the same draws in order.
  int64_t count = count_;
  int64_t missing = missing_;
  int64_t n = n_;
  internal::Rng rng = rng_;
  const int64_t capacity = capacity_;
  for (const double value : values) {
    ++count;
    if (!std::isfinite(value)) {
      ++missing;
      continue;
    }
    ++n;
    DrawIntoReservoir(value, n, capacity, rng, sample_);
  }
  count_ = count;
  missing_ = missing;
  n_ = n;
  rng_ = rng;
}

void NumericBuilder::AddMissing() {
  ++count_;
  ++missing_;
}

void NumericBuilder::Sample(double value) {
  DrawIntoReservoir(value, n_, capacity_, rng_, sample_);
}

std::vector<double> NumericBuilder::SortedSample() const {
  std::vector<double> sorted = sample_;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

NumericProfile NumericBuilder::Finish() const {
  NumericProfile p;
  p.bin_edges = edges_;
  p.bin_counts.assign(bin_counts_.begin(), bin_counts_.end());
  if (n_ > 0) {
    p.min = min_;
    p.max = max_;
    // The running mean can drift an ulp past the extremes; validation wants it inside.
    p.mean = std::clamp(mean_, min_, max_);
    p.m2 = std::max(m2_, 0.0);
  }
  p.sample = SortedSample();
  p.sample_seen = n_;
  return p;
}

}  // namespace greengate::profile
