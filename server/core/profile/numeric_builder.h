#pragma once

// Streaming construction of one numeric feature's profile in bounded memory: moments of
// chunks of values combined by Chan et al.'s update, counts on fixed bin edges, and a uniform
// reservoir sample (Vitter's Algorithm R). Memory is O(edges + sample capacity + one chunk)
// whatever the number of values.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/core/profile/grid_index.h"
#include "server/core/profile/profile.h"
#include "server/core/profile/random.h"

namespace greengate::profile {

// Reservoir size used when a caller does not choose one.
inline constexpr int64_t kDefaultSampleCapacity = 1000;

// Options of a NumericBuilder.
struct NumericBuilderOptions {
  // Finite and strictly increasing (at most kMaxBinEdges); empty gives a single bin. For a
  // current profile these are the reference's edges.
  std::vector<double> bin_edges = {};
  // Reservoir size, in [0, kMaxSampleSize].
  int64_t sample_capacity = kDefaultSampleCapacity;
  // Seeds the reservoir's generator: the same values in the same order with the same seed
  // give the same sample, on every platform.
  uint64_t seed = 0;
  // Values counted in 32-bit bin tallies before they are added into 64-bit ones; at most
  // 2^31 so no tally can overflow. Only tests set it lower (to reach the flush).
  uint64_t max_unflushed = uint64_t{1} << 31;
};

// NumericBuilder accumulates one numeric feature. Not thread-safe; copyable, so shards can
// start from one configured builder.
class NumericBuilder {
 public:
  // Create()
  //
  // InvalidArgument, naming the option ("bin_edges[3]: ...", "sample_capacity: ..."), when the
  // options are out of range.
  static absl::StatusOr<NumericBuilder> Create(NumericBuilderOptions options);

  // Add()
  //
  // Counts one value. NaN and +/-inf count as missing: a profile holds finite numbers only,
  // and a CSV's "nan" or "inf" is almost always a missing-value marker. O(log edges).
  void Add(double value) { AddValues(absl::Span<const double>(&value, 1)); }

  // AddValues()
  //
  // Add() of each value in order. The result depends only on the values and their order,
  // not on how they are split into calls (bit for bit). For column-wise callers (builder.h).
  void AddValues(absl::Span<const double> values);

  // SampleLazily()
  //
  // The reservoir part of AddValues() alone, for `count` values that are cheaper to classify
  // than to parse: finite(i) says whether value i is finite (else it counts as missing), and
  // value(i) gives it; it is called only for the values the reservoir takes, in order. Counts
  // the values and draws exactly the sample AddValues() of the parsed values would, but
  // leaves min, max, moments and bin counts as they are. For pass 1 of a reference, which
  // needs only the sample (for the edges) and parses only what it takes: about one value in
  // ten of a column of 100,000 with the default reservoir.
  template <typename Finite, typename Value>
  void SampleLazily(std::size_t count, Finite finite, Value value);

  // AddMissing()
  //
  // Counts one missing value (an empty field).
  void AddMissing();

  // Values seen, missing included; and missing values alone.
  int64_t count() const { return count_; }
  int64_t missing() const { return missing_; }

  // SortedSample()
  //
  // The reservoir so far, ascending: a uniform sample of min(capacity, non-missing) of the
  // non-missing values. Pass 1 of a reference derives its bin edges from it (edges.h).
  std::vector<double> SortedSample() const;

  // Finish()
  //
  // The profile of the values so far (the builder stays usable). With no non-missing values,
  // min, max, mean and m2 are 0. The sample is sorted ascending.
  NumericProfile Finish() const;

 private:
  explicit NumericBuilder(NumericBuilderOptions options);

  // The moments take values a chunk at a time: the chunk's own mean and m2 by two passes
  // over it (no division per value, and no chain of dependent divisions), then Chan et al.'s
  // combination with the running ones. Chunks are cut every kChunk finite values from the
  // first, so how values arrive does not change the result.
  static constexpr std::size_t kChunk = 256;
  void FoldChunk();

  // The reservoir step for the n-th finite value, shared by AddValues() and the sampling
  // calls (which keep the generator in a local `rng`); value() gives the value, called only
  // when the reservoir takes it.
  template <typename Value>
  [[gnu::always_inline]] void Sample(int64_t n, internal::Rng& rng, Value value) {
    if (capacity_ == 0) return;  // no reservoir (pass 2 of a reference keeps pass 1's): no draws
    // Algorithm R: the n-th value replaces a random slot with probability capacity / n,
    // which keeps every value seen so far in the reservoir with equal probability.
    if (n > capacity_) {
      const uint64_t slot = internal::UniformBelow(rng, static_cast<uint64_t>(n));
      if (slot < static_cast<uint64_t>(capacity_)) sample_[slot] = value();
    } else {
      sample_.push_back(value());
    }
  }

  // Up to kSmallEdges edges are also kept padded with +inf to a fixed size, so a value's bin
  // is found by a fixed four-step search without branches (the common case: deciles).
  static constexpr std::size_t kSmallEdges = 15;
  std::array<double, kSmallEdges> small_edges_;
  bool small_ = false;

  std::vector<double> edges_;
  GridIndex grid_{{}};  // over edges_, when there are more than kSmallEdges
  // Per bin, its values and the values equal to its opening edge (bin i opens at edge i - 1):
  // both counts a value adds sit in one cache line, and in 32 bits each, so a column's tallies
  // take 8 kB of the L1 cache (which two hardware threads of a core share) beside its grid.
  // They are added into `flushed_` (64 bits) before they could overflow.
  struct BinTally {
    uint32_t values = 0;
    uint32_t ties_at_opening_edge = 0;
  };
  std::vector<BinTally> tallies_;
  std::vector<int64_t> flushed_;  // per bin: values, then ties, interleaved as tallies_
  uint64_t unflushed_ = 0;        // values counted in tallies_ since the last flush
  uint64_t max_unflushed_;
  void FlushTallies();
  void AddValuesUnflushed(absl::Span<const double> values);
  double low_bin_sum_ = 0;  // values in the first bin, and in the last
  double high_bin_sum_ = 0;
  int64_t capacity_;
  internal::Rng rng_;
  int64_t count_ = 0;
  int64_t missing_ = 0;
  int64_t n_ = 0;  // non-missing values, which are also the values the reservoir drew from
  // +/-inf until the first finite value, so that every value takes the same min/max step.
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double mean_ = 0;  // of the values before the current chunk
  double m2_ = 0;
  std::array<double, kChunk> chunk_;
  std::size_t chunk_size_ = 0;
  std::vector<double> sample_;
};

template <typename Finite, typename Value>
void NumericBuilder::SampleLazily(std::size_t count, Finite finite, Value value) {
  int64_t missing = missing_;
  int64_t n = n_;
  internal::Rng rng = rng_;
  for (std::size_t i = 0; i < count; ++i) {
    if (!finite(i)) {
      ++missing;
      continue;
    }
    ++n;
    Sample(n, rng, [&] { return value(i); });
  }
  count_ += static_cast<int64_t>(count);
  missing_ = missing;
  n_ = n;
  rng_ = rng;
}

}  // namespace greengate::profile
