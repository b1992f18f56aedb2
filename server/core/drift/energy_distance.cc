#include "server/core/drift/energy_distance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/sorted_sample.h"

namespace greengate::drift {
namespace {

// integral (F_a - F_b)^2 dx over the pooled sorted values. cum_x[i] is the weight of x[0..i)
// (size + 1 entries); null means unit weights.
double SquaredCdfIntegral(absl::Span<const double> a, const std::vector<double>* cum_a,
                          absl::Span<const double> b, const std::vector<double>* cum_b) {
  const size_t n1 = a.size();
  const size_t n2 = b.size();
  const double total_a = cum_a ? cum_a->back() : static_cast<double>(n1);
  const double total_b = cum_b ? cum_b->back() : static_cast<double>(n2);
  size_t i = 0;
  size_t j = 0;
  double integral = 0;
  double previous = std::min(a[0], b[0]);
  while (i < n1 || j < n2) {
    const double value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    const double fa = (cum_a ? (*cum_a)[i] : static_cast<double>(i)) / total_a;
    const double fb = (cum_b ? (*cum_b)[j] : static_cast<double>(j)) / total_b;
    integral += (fa - fb) * (fa - fb) * (value - previous);
    while (i < n1 && a[i] <= value) ++i;
    while (j < n2 && b[j] <= value) ++j;
    previous = value;
  }
  return integral;
}

absl::Status CheckWeighted(absl::Span<const double> values, absl::Span<const double> weights,
                           const char* side) {
  if (values.empty()) return absl::InvalidArgumentError(absl::StrCat(side, "_values: empty"));
  if (values.size() != weights.size()) {
    return absl::InvalidArgumentError(absl::StrCat(side, "_weights: ", weights.size(),
                                                   " weights for ", values.size(), " values"));
  }
  double total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(side, "_values[", i, "]: not finite"));
    }
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(side, "_weights[", i, "]: must be finite and >= 0, got ", weights[i]));
    }
    total += weights[i];
  }
  if (!(total > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(side, "_weights: must sum to a positive value"));
  }
  return absl::OkStatus();
}

void SortWeighted(absl::Span<const double> values, absl::Span<const double> weights,
                  std::vector<double>& sorted, std::vector<double>& cumulative) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return values[x] < values[y]; });
  sorted.resize(values.size());
  cumulative.assign(values.size() + 1, 0.0);
  for (size_t k = 0; k < order.size(); ++k) {
    sorted[k] = values[order[k]];
    cumulative[k + 1] = cumulative[k] + weights[order[k]];
  }
}

}  // namespace

absl::StatusOr<double> EnergyDistanceSorted(absl::Span<const double> reference_sorted,
                                            absl::Span<const double> current_sorted) {
  RETURN_IF_ERROR(internal::CheckSortedSample(reference_sorted, "reference_sorted"));
  RETURN_IF_ERROR(internal::CheckSortedSample(current_sorted, "current_sorted"));
  return std::sqrt(2.0) *
         std::sqrt(SquaredCdfIntegral(reference_sorted, nullptr, current_sorted, nullptr));
}

absl::StatusOr<double> EnergyDistance(absl::Span<const double> reference_sorted,
                                      absl::Span<const double> current) {
  ASSIGN_OR_RETURN(const std::vector<double> sorted, internal::SortedCopy(current, "current"));
  return EnergyDistanceSorted(reference_sorted, sorted);
}

absl::StatusOr<double> WeightedEnergyDistance(absl::Span<const double> u_values,
                                              absl::Span<const double> u_weights,
                                              absl::Span<const double> v_values,
                                              absl::Span<const double> v_weights) {
  RETURN_IF_ERROR(CheckWeighted(u_values, u_weights, "u"));
  RETURN_IF_ERROR(CheckWeighted(v_values, v_weights, "v"));
  std::vector<double> u_sorted, u_cumulative, v_sorted, v_cumulative;
  SortWeighted(u_values, u_weights, u_sorted, u_cumulative);
  SortWeighted(v_values, v_weights, v_sorted, v_cumulative);
  return std::sqrt(2.0) *
         std::sqrt(SquaredCdfIntegral(u_sorted, &u_cumulative, v_sorted, &v_cumulative));
}

}  // namespace greengate::drift
