#include "server/core/drift/wasserstein.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/sorted_sample.h"

namespace greengate::drift {
namespace {

// Both inputs sorted ascending, with cumulative weights cum_a[i] = weight of a[0..i) (so
// size + 1 entries, last = total). Integrates |F_a - F_b| between consecutive pooled values.
double CdfDistance(absl::Span<const double> a, const std::vector<double>* cum_a,
                   absl::Span<const double> b, const std::vector<double>* cum_b) {
  const size_t n1 = a.size();
  const size_t n2 = b.size();
  const double total_a = cum_a ? cum_a->back() : static_cast<double>(n1);
  const double total_b = cum_b ? cum_b->back() : static_cast<double>(n2);
  auto cdf_a = [&](size_t i) { return (cum_a ? (*cum_a)[i] : static_cast<double>(i)) / total_a; };
  auto cdf_b = [&](size_t j) { return (cum_b ? (*cum_b)[j] : static_cast<double>(j)) / total_b; };
  size_t i = 0;
  size_t j = 0;
  double distance = 0;
  double previous = std::min(a[0], b[0]);
  while (i < n1 || j < n2) {
    const double value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    // Before `value` both ECDFs are flat at their counts so far.
    distance += std::fabs(cdf_a(i) - cdf_b(j)) * (value - previous);
    while (i < n1 && a[i] <= value) ++i;
    while (j < n2 && b[j] <= value) ++j;
    previous = value;
  }
  return distance;
}

// CdfDistance() for unweighted samples, the common case (a new sample against a stored
// reference sample), walked without data-dependent branches as KS's statistic is: one
// pooled value per step, and at the end of each run of ties the area |F_a - F_b| times the
// gap to the next pooled value. The terms and their order are CdfDistance()'s, so the result
// is the same to the bit.
double SampleCdfDistance(absl::Span<const double> a, absl::Span<const double> b) {
  const size_t n1 = a.size();
  const size_t n2 = b.size();
  const double n1d = static_cast<double>(n1);
  const double n2d = static_cast<double>(n2);
  const double* pa = a.data();
  const double* pb = b.data();
  size_t i = 0;
  size_t j = 0;
  double distance = 0;
  while (i < n1 && j < n2) {
    const double x = pa[i];
    const double y = pb[j];
    const bool take_a = x <= y;
    const double value = take_a ? x : y;
    i += take_a;
    j += !take_a;
    const double next_a = i < n1 ? pa[i] : HUGE_VAL;
    const double next_b = j < n2 ? pb[j] : HUGE_VAL;
    const double next = std::min(next_a, next_b);
    const double term =
        std::fabs(static_cast<double>(i) / n1d - static_cast<double>(j) / n2d) * (next - value);
    // No term past the last value (next = inf), where the product is not a number.
    distance += next > value && next < HUGE_VAL ? term : 0.0;
  }
  // One sample is exhausted (its ECDF is 1); the other's remaining values close the area.
  const double* rest = i < n1 ? pa : pb;
  size_t k = i < n1 ? i : j;
  const size_t n = i < n1 ? n1 : n2;
  const double nd = static_cast<double>(n);
  while (k < n) {
    const double value = rest[k++];
    if (k < n && rest[k] > value) {
      distance += std::fabs(1.0 - static_cast<double>(k) / nd) * (rest[k] - value);
    }
  }
  return distance;
}

absl::Status CheckWeighted(absl::Span<const double> values, absl::Span<const double> weights,
                           std::string_view side) {
  const std::string s(side);
  if (values.empty()) return absl::InvalidArgumentError(absl::StrCat(s, "_values: empty"));
  if (values.size() != weights.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(s, "_weights: ", weights.size(), " weights for ", values.size(), " values"));
  }
  double total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(s, "_values[", i, "]: not finite"));
    }
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(s, "_weights[", i, "]: must be finite and >= 0, got ", weights[i]));
    }
    total += weights[i];
  }
  if (!(total > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(s, "_weights: must sum to a positive value"));
  }
  return absl::OkStatus();
}

// Values sorted ascending with the cumulative weights that go with them.
std::pair<std::vector<double>, std::vector<double>> SortWithCumulativeWeights(
    absl::Span<const double> values, absl::Span<const double> weights) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return values[x] < values[y]; });
  std::vector<double> sorted(values.size());
  std::vector<double> cumulative(values.size() + 1, 0.0);
  for (size_t k = 0; k < order.size(); ++k) {
    sorted[k] = values[order[k]];
    cumulative[k + 1] = cumulative[k] + weights[order[k]];
  }
  return {std::move(sorted), std::move(cumulative)};
}

}  // namespace

absl::StatusOr<double> Wasserstein1Sorted(absl::Span<const double> reference_sorted,
                                          absl::Span<const double> current_sorted) {
  RETURN_IF_ERROR(internal::CheckSortedSample(reference_sorted, "reference_sorted"));
  RETURN_IF_ERROR(internal::CheckSortedSample(current_sorted, "current_sorted"));
  return SampleCdfDistance(reference_sorted, current_sorted);
}

absl::StatusOr<double> Wasserstein1(absl::Span<const double> reference_sorted,
                                    absl::Span<const double> current) {
  return internal::WithSortedCurrent(
      reference_sorted, current,
      [](absl::Span<const double> ref, absl::Span<const double> cur) -> absl::StatusOr<double> {
        return SampleCdfDistance(ref, cur);
      });
}

absl::StatusOr<double> NormedWasserstein(absl::Span<const double> reference_sorted,
                                         absl::Span<const double> current) {
  ASSIGN_OR_RETURN(const double w1, Wasserstein1(reference_sorted, current));
  return NormalizeWasserstein(w1, PopulationStd(reference_sorted));
}

double NormalizeWasserstein(double w1, double reference_std) {
  return w1 / std::max(reference_std, 0.001);
}

double PopulationStd(absl::Span<const double> values) {
  if (values.empty()) return 0.0;
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / n;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / n);
}

absl::StatusOr<double> WeightedWasserstein1(absl::Span<const double> u_values,
                                            absl::Span<const double> u_weights,
                                            absl::Span<const double> v_values,
                                            absl::Span<const double> v_weights) {
  RETURN_IF_ERROR(CheckWeighted(u_values, u_weights, "u"));
  RETURN_IF_ERROR(CheckWeighted(v_values, v_weights, "v"));
  const auto [u_sorted, u_cumulative] = SortWithCumulativeWeights(u_values, u_weights);
  const auto [v_sorted, v_cumulative] = SortWithCumulativeWeights(v_values, v_weights);
  return CdfDistance(u_sorted, &u_cumulative, v_sorted, &v_cumulative);
}

}  // namespace greengate::drift
