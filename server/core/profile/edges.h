#pragma once

// Numeric bin edges: checking them, finding a value's bin, and deriving a reference's edges
// from quantiles of its sample. A reference fixes the edges; every later profile counts on
// them, so histograms of the two compare bin by bin.

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::profile {

// ValidateBinEdges()
//
// OK when `edges` are finite, strictly increasing and at most kMaxBinEdges; else
// InvalidArgument naming the entry as "<field>[i]". Empty edges are valid (a single bin).
// Pure and thread-safe.
absl::Status ValidateBinEdges(absl::Span<const double> edges, std::string_view field);

// BinIndex()
//
// The bin of `value` on valid `edges`: 0 for (-inf, e0), i for [e_{i-1}, e_i), and
// edges.size() for [e_last, +inf). A value equal to an edge falls in the bin that edge
// opens. O(log edges). `value` must not be NaN. Pure and thread-safe.
std::size_t BinIndex(absl::Span<const double> edges, double value);

// CountAtMost()
//
// How many of the `size` ascending values at `first` are <= `value`: a binary search whose
// halving step is a conditional move, not a branch (random data costs no mispredictions).
// `value` must not be NaN.
inline std::size_t CountAtMost(const double* first, std::size_t size, double value) {
  if (size == 0) return 0;
  // Invariant: the answer lies in [base, base + size] (as an index); every value before base
  // is <= value.
  const double* base = first;
  while (size > 1) {
    const std::size_t half = size / 2;
    base = base[half - 1] <= value ? base + half : base;
    size -= half;
  }
  return static_cast<std::size_t>(base - first) + (*base <= value ? 1 : 0);
}

// Quantile()
//
// The q-quantile (0 <= q <= 1) of a non-empty ascending `sorted` sample by linear
// interpolation between order statistics, computed exactly as
// numpy.quantile(sorted, q, method="linear") (numpy's default; Hyndman-Fan type 7).
// Pure and thread-safe.
double Quantile(absl::Span<const double> sorted, double q);

// QuantileEdges()
//
// Interior quantile edges that split `sorted_sample` into `bins` bins of (about) equal mass:
// the 1/bins, 2/bins, ..., (bins-1)/bins quantiles as Quantile() computes them, with repeats
// dropped so the result is strictly increasing (a heavily tied sample yields fewer edges,
// hence fewer bins). An empty sample gives no edges (a single bin).
// InvalidArgument when bins < 1, bins - 1 > kMaxBinEdges, or the sample is not finite and
// ascending. Pure and thread-safe.
absl::StatusOr<std::vector<double>> QuantileEdges(absl::Span<const double> sorted_sample, int bins);

}  // namespace greengate::profile
