#include "server/core/profile/edges.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "server/core/profile/format.h"
#include "server/core/profile/limits.h"

namespace greengate::profile {

using internal::AsAbsl;
using internal::FormatDouble;

absl::Status ValidateBinEdges(absl::Span<const double> edges, std::string_view field) {
  if (static_cast<int64_t>(edges.size()) > kMaxBinEdges) {
    return absl::InvalidArgumentError(absl::StrCat(
        AsAbsl(field), ": has ", edges.size(), " edges; at most ", kMaxBinEdges, " are allowed"));
  }
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (!std::isfinite(edges[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(AsAbsl(field), "[", i, "]: must be finite, got ", FormatDouble(edges[i])));
    }
    if (i > 0 && !(edges[i] > edges[i - 1])) {
      return absl::InvalidArgumentError(
          absl::StrCat(AsAbsl(field), "[", i, "]: must be greater than the previous edge [", i - 1,
                       "] (", FormatDouble(edges[i - 1]), "), got ", FormatDouble(edges[i]),
                       "; bin edges must be strictly increasing"));
    }
  }
  return absl::OkStatus();
}

std::size_t BinIndex(absl::Span<const double> edges, double value) {
  assert(!std::isnan(value));
  // Few edges (deciles by default): counting the edges <= value without branches beats a
  // binary search, whose branches on random data are mispredicted half the time.
  if (edges.size() <= 32) {
    std::size_t index = 0;
    for (double edge : edges) index += edge <= value;
    return index;
  }
  return CountAtMost(edges.data(), edges.size(), value);
}

namespace {

// numpy's _lerp: interpolates from the nearer end, which keeps the result monotonic in t
// near both ends and returns `b` exactly at t = 1.
double Lerp(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

}  // namespace

double Quantile(absl::Span<const double> sorted, double q) {
  assert(!sorted.empty());
  const double last = static_cast<double>(sorted.size() - 1);
  // numpy's virtual index for method="linear" is (n - 1) * q; at or past the last index it
  // takes the last value, as numpy does.
  const double virtual_index = last * q;
  if (virtual_index >= last) return sorted.back();
  if (virtual_index <= 0) return sorted.front();
  const double lo = std::floor(virtual_index);
  const std::size_t i = static_cast<std::size_t>(lo);
  return Lerp(sorted[i], sorted[i + 1], virtual_index - lo);
}

absl::StatusOr<std::vector<double>> QuantileEdges(absl::Span<const double> sorted_sample,
                                                  int bins) {
  if (bins < 1 || bins - 1 > kMaxBinEdges) {
    return absl::InvalidArgumentError(
        absl::StrCat("bins: must be in [1, ", kMaxBinEdges + 1, "], got ", bins));
  }
  for (std::size_t i = 0; i < sorted_sample.size(); ++i) {
    if (!std::isfinite(sorted_sample[i])) {
      return absl::InvalidArgumentError(absl::StrCat("sorted_sample[", i, "]: must be finite, got ",
                                                     FormatDouble(sorted_sample[i])));
    }
    if (i > 0 && sorted_sample[i] < sorted_sample[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat("sorted_sample[", i, "]: ", FormatDouble(sorted_sample[i]),
                       " is less than the previous value; the sample must be sorted ascending"));
    }
  }
  std::vector<double> edges;
  if (sorted_sample.empty()) return edges;
  edges.reserve(bins - 1);
  for (int j = 1; j < bins; ++j) {
    const double edge = Quantile(sorted_sample, static_cast<double>(j) / bins);
    // Ties repeat a quantile; interpolation rounding could even step back by an ulp. Keeping
    // only increases makes the edges strictly increasing.
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  return edges;
}

}  // namespace greengate::profile
