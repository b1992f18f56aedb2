#include "server/core/drift/cramer_von_mises.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/bessel.h"
#include "server/core/drift/sorted_sample.h"

namespace greengate::drift {
namespace {

// scipy's method="auto" computes the exact p-value up to this sample size.
constexpr size_t kMaxExactN = 20;

absl::Status CheckSize(absl::Span<const double> sample, const char* field) {
  if (sample.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": needs at least 2 values, got ", sample.size()));
  }
  return absl::OkStatus();
}

// U = n sum_i (r_i - i)^2 + m sum_j (s_j - j)^2 over the mid-ranks r (reference) and s
// (current) in the pooled sample, both samples sorted.
double UStatistic(absl::Span<const double> a, absl::Span<const double> b) {
  const size_t n = a.size();
  const size_t m = b.size();
  double sum_a = 0;
  double sum_b = 0;
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    const double value = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    const size_t i0 = i;
    const size_t j0 = j;
    while (i < n && a[i] == value) ++i;
    while (j < m && b[j] == value) ++j;
    // The tie group occupies pooled positions i0 + j0 + 1 .. i + j; all get their mean.
    const double rank = static_cast<double>(i0 + j0 + 1 + i + j) / 2.0;
    for (size_t k = i0; k < i; ++k) {
      const double d = rank - static_cast<double>(k + 1);
      sum_a += d * d;
    }
    for (size_t k = j0; k < j; ++k) {
      const double d = rank - static_cast<double>(k + 1);
      sum_b += d * d;
    }
  }
  return static_cast<double>(n) * sum_a + static_cast<double>(m) * sum_b;
}

// Python's float floor division a // b (b > 0), which the exact p-value's threshold uses.
double FloorDivide(double a, double b) {
  const double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && mod < 0) div -= 1.0;
  const double floor_div = std::floor(div);
  return div - floor_div > 0.5 ? floor_div + 1.0 : floor_div;
}

// One lattice point's distribution: sorted (sum, number of paths) pairs.
using Counts = std::vector<std::pair<int64_t, double>>;

// Merges two sorted distributions, then adds `offset` to every sum.
Counts MergeShifted(const Counts& x, const Counts& y, int64_t offset) {
  Counts out;
  out.reserve(x.size() + y.size());
  size_t i = 0;
  size_t j = 0;
  while (i < x.size() || j < y.size()) {
    if (j >= y.size() || (i < x.size() && x[i].first < y[j].first)) {
      out.emplace_back(x[i].first + offset, x[i].second);
      ++i;
    } else if (i >= x.size() || y[j].first < x[i].first) {
      out.emplace_back(y[j].first + offset, y[j].second);
      ++j;
    } else {
      out.emplace_back(x[i].first + offset, x[i].second + y[j].second);
      ++i;
      ++j;
    }
  }
  return out;
}

// Exact P(U' >= u) (Xiao, Gordon and Yakovlev 2006): every arrangement of the ranks is a
// monotone lattice path from (0, 0) to (n, m); U is an affine function of the sum over the
// path's points of (a v - b w)^2 with a = lcm / n, b = lcm / m. Path counts reach
// C(40, 20) ~ 1.4e11, exact in a double.
double ExactPValue(double u, int64_t n, int64_t m) {
  const int64_t lcm = std::lcm(n, m);
  const int64_t a = lcm / n;
  const int64_t b = lcm / m;
  const double nm = static_cast<double>(n * m);
  const double numerator =
      static_cast<double>(lcm * lcm * (n + m)) * (6.0 * u - nm * (4.0 * nm - 1.0));
  const double zeta = FloorDivide(numerator, 6.0 * nm * nm);

  // column[v] holds the distribution at (w, v) for the current w; paths step in v or w.
  std::vector<Counts> column(static_cast<size_t>(n) + 1);
  column[0] = {{0, 1.0}};
  for (int64_t w = 0; w <= m; ++w) {
    Counts below;  // the point (w, v - 1), already updated for this w
    for (int64_t v = 0; v <= n; ++v) {
      const int64_t d = a * v - b * w;
      below = MergeShifted(below, column[static_cast<size_t>(v)], d * d);
      column[static_cast<size_t>(v)] = below;
    }
  }
  double at_least = 0;
  double total = 0;
  for (const auto& [sum, paths] : column[static_cast<size_t>(n)]) {
    total += paths;
    if (static_cast<double>(sum) >= zeta) at_least += paths;
  }
  return at_least / total;
}

double AsymptoticPValue(double t, double n, double m) {
  const double k = n * m;
  const double big_n = n + m;
  const double mean = (1.0 + 1.0 / big_n) / 6.0;
  double variance = (big_n + 1.0) * (4.0 * k * big_n - 3.0 * (n * n + m * m) - 2.0 * k);
  variance = variance / (45.0 * big_n * big_n * 4.0 * k);
  const double tn = 1.0 / 6.0 + (t - mean) / std::sqrt(45.0 * variance);
  if (tn < 0.003) return 1.0;  // V(tn) < 1.3e-18 there, as scipy short-cuts
  return std::max(0.0, 1.0 - CramerVonMisesLimitCdf(tn));
}

}  // namespace

double CramerVonMisesLimitCdf(double x) {
  if (!(x > 0)) return 0.0;
  const double pi = 3.14159265358979323846;
  double total = 0;
  for (int k = 0;; ++k) {
    const double kd = static_cast<double>(k);
    const double u = std::exp(std::lgamma(kd + 0.5) - std::lgamma(kd + 1.0)) /
                     (std::pow(pi, 1.5) * std::sqrt(x));
    const double y = 4.0 * kd + 1.0;
    const double q = y * y / (16.0 * x);
    // exp(-q) K_{1/4}(q) = exp(-2q) * (exp(q) K_{1/4}(q)).
    const double term = u * std::sqrt(y) * std::exp(-2.0 * q) * ScaledBesselK(0.25, q);
    total += term;
    if (std::fabs(term) < 1e-7) break;
  }
  return total;
}

absl::StatusOr<CvmResult> CramerVonMisesSorted(absl::Span<const double> reference_sorted,
                                               absl::Span<const double> current_sorted) {
  RETURN_IF_ERROR(internal::CheckSortedSample(reference_sorted, "reference_sorted"));
  RETURN_IF_ERROR(internal::CheckSortedSample(current_sorted, "current_sorted"));
  RETURN_IF_ERROR(CheckSize(reference_sorted, "reference_sorted"));
  RETURN_IF_ERROR(CheckSize(current_sorted, "current_sorted"));
  const double n = static_cast<double>(reference_sorted.size());
  const double m = static_cast<double>(current_sorted.size());
  const double u = UStatistic(reference_sorted, current_sorted);
  const double k = n * m;
  const double big_n = n + m;
  CvmResult result;
  result.statistic = u / (k * big_n) - (4.0 * k - 1.0) / (6.0 * big_n);
  if (std::max(reference_sorted.size(), current_sorted.size()) <= kMaxExactN) {
    result.method = CvmMethod::kExact;
    result.p_value = ExactPValue(u, static_cast<int64_t>(reference_sorted.size()),
                                 static_cast<int64_t>(current_sorted.size()));
  } else {
    result.method = CvmMethod::kAsymptotic;
    result.p_value = AsymptoticPValue(result.statistic, n, m);
  }
  return result;
}

CvmResult CramerVonMisesFromStatistic(double t, int64_t n, int64_t m) {
  const double nd = static_cast<double>(n);
  const double md = static_cast<double>(m);
  CvmResult result;
  result.statistic = t;
  if (static_cast<size_t>(std::max(n, m)) <= kMaxExactN) {
    const double k = nd * md;
    const double big_n = nd + md;
    result.method = CvmMethod::kExact;
    result.p_value =
        ExactPValue(std::nearbyint((t + (4.0 * k - 1.0) / (6.0 * big_n)) * k * big_n), n, m);
  } else {
    result.method = CvmMethod::kAsymptotic;
    result.p_value = AsymptoticPValue(t, nd, md);
  }
  return result;
}

absl::StatusOr<CvmResult> CramerVonMises(absl::Span<const double> reference_sorted,
                                         absl::Span<const double> current) {
  ASSIGN_OR_RETURN(const std::vector<double> sorted, internal::SortedCopy(current, "current"));
  return CramerVonMisesSorted(reference_sorted, sorted);
}

}  // namespace greengate::drift
