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
      tallies_(edges_.size() + 1),
      flushed_(2 * (edges_.size() + 1), 0),
      max_unflushed_(std::clamp<uint64_t>(options.max_unflushed, 1, uint64_t{1} << 31)),
      capacity_(options.sample_capacity),
      rng_(options.seed) {
  small_ = edges_.size() <= kSmallEdges;
  small_edges_.fill(std::numeric_limits<double>::infinity());
  if (small_) std::copy(edges_.begin(), edges_.end(), small_edges_.begin());
  if (!small_) grid_ = GridIndex(edges_);
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

// The mean and m2 of `count` > 0 values about their own mean, by two passes with four
// partial sums each (independent additions, so the loop is not one long dependency chain).
// Falls back to Welford's update when the plain sum overflows (values near the double range).
void ChunkMoments(const double* v, std::size_t count, double* mean, double* m2) {
  double s[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (int l = 0; l < 4; ++l) s[l] += v[i + l];
  }
  for (; i < count; ++i) s[0] += v[i];
  const double sum = (s[0] + s[1]) + (s[2] + s[3]);
  if (!std::isfinite(sum)) {
    double running_mean = 0, running_m2 = 0;
    for (std::size_t j = 0; j < count; ++j) {
      const double delta = v[j] - running_mean;
      running_mean += delta / static_cast<double>(j + 1);
      running_m2 += delta * (v[j] - running_mean);
    }
    *mean = running_mean;
    *m2 = running_m2;
    return;
  }
  const double chunk_mean = sum / static_cast<double>(count);
  double q[4] = {0, 0, 0, 0};
  i = 0;
  for (; i + 4 <= count; i += 4) {
    for (int l = 0; l < 4; ++l) {
      const double d = v[i + l] - chunk_mean;
      q[l] += d * d;
    }
  }
  for (; i < count; ++i) {
    const double d = v[i] - chunk_mean;
    q[0] += d * d;
  }
  *mean = chunk_mean;
  *m2 = (q[0] + q[1]) + (q[2] + q[3]);
}

// Chan et al.'s combination of running moments over `n` values with a chunk's over `count`.
void CombineMoments(int64_t n, double chunk_mean, double chunk_m2, std::size_t count, double* mean,
                    double* m2) {
  if (n == 0) {
    *mean = chunk_mean;
    *m2 = chunk_m2;
    return;
  }
  const double share = static_cast<double>(count) / static_cast<double>(n + count);
  const double delta = chunk_mean - *mean;
  *mean += delta * share;
  *m2 += chunk_m2 + delta * delta * (static_cast<double>(n) * share);
}

}  // namespace

void NumericBuilder::FoldChunk() {
  double chunk_mean, chunk_m2;
  ChunkMoments(chunk_.data(), chunk_size_, &chunk_mean, &chunk_m2);
  CombineMoments(n_ - static_cast<int64_t>(chunk_size_), chunk_mean, chunk_m2, chunk_size_, &mean_,
                 &m2_);
  chunk_size_ = 0;
}

void NumericBuilder::FlushTallies() {
  for (std::size_t bin = 0; bin < tallies_.size(); ++bin) {
    flushed_[2 * bin] += tallies_[bin].values;
    flushed_[2 * bin + 1] += tallies_[bin].ties_at_opening_edge;
    tallies_[bin] = {};
  }
  unflushed_ = 0;
}

void NumericBuilder::AddValues(absl::Span<const double> values) {
  // No 32-bit tally can pass max_unflushed_ (<= 2^31) values between flushes.
  while (!values.empty()) {
    if (unflushed_ >= max_unflushed_) FlushTallies();
    const std::size_t take =
        static_cast<std::size_t>(std::min<uint64_t>(values.size(), max_unflushed_ - unflushed_));
    AddValuesUnflushed(values.first(take));
    unflushed_ += take;
    values.remove_prefix(take);
  }
}

void NumericBuilder::AddValuesUnflushed(absl::Span<const double> values) {
  // The running state in locals: members would be reloaded and stored for every value, since
  // the compiler cannot prove that the reservoir's writes leave them alone.
  int64_t count = count_;
  int64_t missing = missing_;
  int64_t n = n_;
  double min = min_;
  double max = max_;
  internal::Rng rng = rng_;
  // Where the tie check reads the edges: the grid's copy, whose lines Find() just loaded.
  const double* const edges = small_ ? edges_.data() : grid_.edges();
  const std::array<double, kSmallEdges> small_edges = small_edges_;
  const bool small = small_;
  const GridIndex& grid = grid_;
  BinTally* const tallies = tallies_.data();
  const std::size_t last_bin = edges_.size();
  double low_sum = low_bin_sum_;
  double high_sum = high_bin_sum_;
  std::size_t chunk_size = chunk_size_;
  for (const double value : values) {
    ++count;
    if (!std::isfinite(value)) {
      ++missing;
      continue;
    }
    ++n;
    min = std::min(min, value);
    max = std::max(max, value);
    const std::size_t bin = small ? SmallBinIndex(small_edges, value) : grid.Find(value);
    BinTally& tally = tallies[bin];
    ++tally.values;
    // The bin's opening edge is the largest edge <= value: a tie when equal.
    if (bin > 0 && edges[bin - 1] == value) ++tally.ties_at_opening_edge;
    if (bin == 0) low_sum += value;
    if (bin == last_bin) high_sum += value;
    chunk_[chunk_size++] = value;
    if (chunk_size == kChunk) {
      n_ = n;
      chunk_size_ = chunk_size;
      FoldChunk();
      chunk_size = 0;
    }
    Sample(n, rng, [value] { return value; });
  }
  count_ = count;
  missing_ = missing;
  n_ = n;
  low_bin_sum_ = low_sum;
  high_bin_sum_ = high_sum;
  min_ = min;
  max_ = max;
  chunk_size_ = chunk_size;
  rng_ = rng;
}

void NumericBuilder::AddMissing() {
  ++count_;
  ++missing_;
}

std::vector<double> NumericBuilder::SortedSample() const {
  std::vector<double> sorted = sample_;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

NumericProfile NumericBuilder::Finish() const {
  NumericProfile p;
  p.bin_edges = edges_;
  p.bin_counts.reserve(tallies_.size());
  p.edge_counts.reserve(edges_.size());
  for (std::size_t bin = 0; bin < tallies_.size(); ++bin) {
    p.bin_counts.push_back(static_cast<double>(flushed_[2 * bin] + tallies_[bin].values));
    if (bin > 0)
      p.edge_counts.push_back(flushed_[2 * bin + 1] + tallies_[bin].ties_at_opening_edge);
  }
  p.low_bin_sum = low_bin_sum_;
  p.high_bin_sum = high_bin_sum_;
  if (n_ > 0) {
    double mean = mean_, m2 = m2_;
    if (chunk_size_ > 0) {  // the values since the last whole chunk
      double chunk_mean, chunk_m2;
      ChunkMoments(chunk_.data(), chunk_size_, &chunk_mean, &chunk_m2);
      CombineMoments(n_ - static_cast<int64_t>(chunk_size_), chunk_mean, chunk_m2, chunk_size_,
                     &mean, &m2);
    }
    p.min = min_;
    p.max = max_;
    // The mean can round an ulp past the extremes; validation wants it inside.
    p.mean = std::clamp(mean, min_, max_);
    p.m2 = std::max(m2, 0.0);
  }
  p.sample = SortedSample();
  p.sample_seen = n_;
  return p;
}

}  // namespace greengate::profile
