#include "server/core/drift/ks.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <vector>

#include "server/common/status_macros.h"
#include "server/core/drift/ks_exact.h"
#include "server/core/drift/kstwo.h"
#include "server/core/drift/sorted_sample.h"

namespace greengate::drift {
namespace {

// scipy's method="auto" computes the exact p-value up to this sample size.
constexpr int64_t kMaxExactN = 10000;

// D = max(max(F1 - F2), max(F2 - F1)), with both ECDFs evaluated after all values equal to the
// current pooled value are consumed, and each ECDF formed as count / n exactly as scipy does
// (so D is bit-identical to scipy's).
//
// The walk takes one pooled value per step without data-dependent branches (the comparison
// of two random samples is a coin flip, which a branch predictor cannot learn): i and j
// advance by the comparison's result, and the ECDF difference counts only where the next
// pooled value is larger (the end of a run of ties), selected arithmetically.
double Statistic(absl::Span<const double> a, absl::Span<const double> b) {
  const size_t n1 = a.size();
  const size_t n2 = b.size();
  const double n1d = static_cast<double>(n1);
  const double n2d = static_cast<double>(n2);
  const double* pa = a.data();
  const double* pb = b.data();
  size_t i = 0;
  size_t j = 0;
  double max_diff = 0;  // the last pooled value always gives F1 - F2 = 0
  double min_diff = 0;
  double value = 0;
  while (i < n1 && j < n2) {
    const double x = pa[i];
    const double y = pb[j];
    const bool take_a = x <= y;
    value = take_a ? x : y;
    i += take_a;
    j += !take_a;
    // The next pooled value (+inf past an end); ties with `value` continue the run.
    const double next_a = i < n1 ? pa[i] : HUGE_VAL;
    const double next_b = j < n2 ? pb[j] : HUGE_VAL;
    const bool run_ends = std::min(next_a, next_b) > value;
    const double diff = static_cast<double>(i) / n1d - static_cast<double>(j) / n2d;
    max_diff = run_ends ? std::max(max_diff, diff) : max_diff;
    min_diff = run_ends ? std::min(min_diff, diff) : min_diff;
  }
  // The run of ties at the value that exhausted one sample may still have members in the
  // other: consume them and count that run's end (a no-op when it already ended).
  while (i < n1 && pa[i] <= value) ++i;
  while (j < n2 && pb[j] <= value) ++j;
  const double diff = static_cast<double>(i) / n1d - static_cast<double>(j) / n2d;
  max_diff = std::max(max_diff, diff);
  min_diff = std::min(min_diff, diff);
  // Past that, one ECDF is 1 and the other only grows towards 1, so the remaining
  // differences shrink in magnitude: nothing left can be an extremum.
  return std::max(max_diff, std::clamp(-min_diff, 0.0, 1.0));
}

double AsymptoticSf(int64_t n1, int64_t n2, double d) {
  const double m = static_cast<double>(std::max(n1, n2));
  const double n = static_cast<double>(std::min(n1, n2));
  const double effective_n = m * n / (m + n);
  // nearbyint rounds half to even, as numpy's round.
  return KsTwoSidedSf(static_cast<int64_t>(std::nearbyint(effective_n)), d);
}

// Both samples already checked: non-empty, NaN-free, sorted.
KsResult Test(absl::Span<const double> reference_sorted, absl::Span<const double> current_sorted) {
  return KolmogorovSmirnovFromStatistic(Statistic(reference_sorted, current_sorted),
                                        static_cast<int64_t>(reference_sorted.size()),
                                        static_cast<int64_t>(current_sorted.size()));
}

}  // namespace

KsResult KolmogorovSmirnovFromStatistic(double d, int64_t n1, int64_t n2) {
  if (std::max(n1, n2) <= kMaxExactN) {
    // D is a multiple of 1/lcm(n1, n2); snap it to the lattice like scipy.
    const int64_t lcm = (n1 / std::gcd(n1, n2)) * n2;
    const int64_t h = static_cast<int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
    d = static_cast<double>(h) / static_cast<double>(lcm);
    if (h == 0) return KsResult{d, 1.0, KsMethod::kExact};
    const std::optional<double> p = internal::KsTwoSampleExactSf(n1, n2, h);
    if (p.has_value()) return KsResult{d, *p, KsMethod::kExact};
  }
  const double p = std::clamp(AsymptoticSf(n1, n2, d), 0.0, 1.0);
  return KsResult{d, p, KsMethod::kAsymptotic};
}

absl::StatusOr<KsResult> KolmogorovSmirnovSorted(absl::Span<const double> reference_sorted,
                                                 absl::Span<const double> current_sorted) {
  RETURN_IF_ERROR(internal::CheckSortedSample(reference_sorted, "reference_sorted"));
  RETURN_IF_ERROR(internal::CheckSortedSample(current_sorted, "current_sorted"));
  return Test(reference_sorted, current_sorted);
}

absl::StatusOr<KsResult> KolmogorovSmirnov(absl::Span<const double> reference_sorted,
                                           absl::Span<const double> current) {
  return internal::WithSortedCurrent(
      reference_sorted, current,
      [](absl::Span<const double> ref, absl::Span<const double> cur) -> absl::StatusOr<KsResult> {
        return Test(ref, cur);
      });
}

}  // namespace greengate::drift
