#include "server/core/drift/anderson_darling.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "Eigen/Dense"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/sorted_sample.h"

namespace greengate::drift {
namespace {

// Interpolation table 2 of Scholz and Stephens (1987), as scipy uses it.
constexpr std::array<double, 7> kB0 = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
constexpr std::array<double, 7> kB1 = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
constexpr std::array<double, 7> kB2 = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
constexpr std::array<double, 7> kLevels = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};

// Number of values of a sorted sample strictly below `value` and at most `value`.
std::pair<double, double> Counts(absl::Span<const double> s, double value) {
  const auto lo = std::lower_bound(s.begin(), s.end(), value);
  const auto hi = std::upper_bound(lo, s.end(), value);
  return {static_cast<double>(lo - s.begin()), static_cast<double>(hi - s.begin())};
}

// Least-squares quadratic through (x_i, y_i), as numpy.polyfit(x, y, 2): coefficients of
// x^2, x, 1.
Eigen::Vector3d QuadraticFit(const std::array<double, 7>& x, const std::array<double, 7>& y) {
  Eigen::Matrix<double, 7, 3> a;
  Eigen::Matrix<double, 7, 1> b;
  for (int i = 0; i < 7; ++i) {
    a(i, 0) = x[i] * x[i];
    a(i, 1) = x[i];
    a(i, 2) = 1.0;
    b(i) = y[i];
  }
  // numpy scales the columns to unit norm before its SVD least squares; QR on the scaled
  // columns is as well conditioned.
  const Eigen::Vector3d scale = a.colwise().norm().transpose();
  for (int c = 0; c < 3; ++c) a.col(c) /= scale(c);
  Eigen::Vector3d coef = a.colPivHouseholderQr().solve(b);
  return coef.cwiseQuotient(scale);
}

}  // namespace

absl::StatusOr<AndersonDarlingResult> AndersonDarlingKSample(
    const std::vector<absl::Span<const double>>& samples_sorted) {
  const size_t k = samples_sorted.size();
  if (k < 2) {
    return absl::InvalidArgumentError(absl::StrCat("samples: needs at least 2 samples, got ", k));
  }
  std::vector<double> pooled;
  for (size_t i = 0; i < k; ++i) {
    RETURN_IF_ERROR(
        internal::CheckSortedSample(samples_sorted[i], absl::StrCat("samples[", i, "]")));
    pooled.insert(pooled.end(), samples_sorted[i].begin(), samples_sorted[i].end());
  }
  std::sort(pooled.begin(), pooled.end());
  // One group per distinct pooled value z, holding each sample's count of values equal to z.
  std::vector<std::vector<double>> groups(k);
  for (size_t start = 0; start < pooled.size();) {
    const double z = pooled[start];
    size_t end = start;
    while (end < pooled.size() && pooled[end] == z) ++end;
    for (size_t i = 0; i < k; ++i) {
      const auto [below, at_most] = Counts(samples_sorted[i], z);
      groups[i].push_back(at_most - below);
    }
    start = end;
  }
  return AndersonDarlingFromTieGroups(groups);
}

absl::StatusOr<AndersonDarlingResult> AndersonDarlingFromTieGroups(
    const std::vector<std::vector<double>>& groups) {
  const size_t k = groups.size();
  if (k < 2) {
    return absl::InvalidArgumentError(absl::StrCat("samples: needs at least 2 samples, got ", k));
  }
  const size_t distinct = groups[0].size();
  std::vector<double> sizes(k, 0.0);
  for (size_t i = 0; i < k; ++i) {
    if (groups[i].size() != distinct) {
      return absl::InvalidArgumentError(absl::StrCat("samples[", i, "]: has ", groups[i].size(),
                                                     " tie groups; samples[0] has ", distinct));
    }
    for (double c : groups[i]) sizes[i] += c;
    if (!(sizes[i] > 0)) {
      return absl::InvalidArgumentError(absl::StrCat("samples[", i, "]: must not be empty"));
    }
  }
  double total = 0;
  size_t occupied = 0;
  for (size_t j = 0; j < distinct; ++j) {
    double l = 0;
    for (size_t i = 0; i < k; ++i) l += groups[i][j];
    total += l;
    if (l > 0) ++occupied;
  }
  const double big_n = total;
  if (big_n < 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("samples: needs at least 4 values in all, got ", big_n));
  }
  if (occupied < 2) {
    return absl::InvalidArgumentError("samples: needs more than one distinct value");
  }

  // A2akN (Scholz and Stephens eq. 7): a sum over the distinct pooled values z_j with
  // multiplicity l_j, B_j = (values below z_j) + l_j / 2, and per sample M_ij = (its values
  // below z_j) + (its values equal to z_j) / 2.
  double a2 = 0;
  std::vector<double> per_sample(k, 0.0);
  std::vector<double> below(k, 0.0);
  double pooled_below = 0;
  for (size_t j = 0; j < distinct; ++j) {
    double l = 0;
    for (size_t i = 0; i < k; ++i) l += groups[i][j];
    if (l <= 0) continue;
    const double b = pooled_below + l / 2.0;
    const double denominator = b * (big_n - b) - big_n * l / 4.0;
    for (size_t i = 0; i < k; ++i) {
      const double m_ij = below[i] + groups[i][j] / 2.0;
      const double diff = big_n * m_ij - b * sizes[i];
      per_sample[i] += l / big_n * diff * diff / denominator;
      below[i] += groups[i][j];
    }
    pooled_below += l;
  }
  for (size_t i = 0; i < k; ++i) a2 += per_sample[i] / sizes[i];
  a2 *= (big_n - 1.0) / big_n;

  // Variance of A2akN under the null (Scholz and Stephens eq. 4), with scipy's sums.
  double h_sum = 0;  // sum of 1 / n_i
  for (double size : sizes) h_sum += 1.0 / size;
  const int64_t n_total = static_cast<int64_t>(std::llround(big_n));
  double cumulative = 0;  // running sum of 1 / (N - 1), 1 / (N - 2), ..., 1 / 2
  double g = 0;
  for (int64_t i = 0; i < n_total - 2; ++i) {
    cumulative += 1.0 / static_cast<double>(n_total - 1 - i);
    g += cumulative / static_cast<double>(i + 2);
  }
  const double h = cumulative + 1.0;
  const double kd = static_cast<double>(k);
  const double a = (4 * g - 6) * (kd - 1) + (10 - 6 * g) * h_sum;
  const double bb =
      (2 * g - 4) * kd * kd + 8 * h * kd + (2 * g - 14 * h - 4) * h_sum - 8 * h + 4 * g - 6;
  const double c =
      (6 * h + 2 * g - 2) * kd * kd + (4 * h - 4 * g + 6) * kd + (2 * h - 6) * h_sum + 4 * h;
  const double d = (2 * h + 6) * kd * kd - 4 * h * kd;
  const double sigma_sq = (a * big_n * big_n * big_n + bb * big_n * big_n + c * big_n + d) /
                          ((big_n - 1.0) * (big_n - 2.0) * (big_n - 3.0));
  const double m = kd - 1.0;

  AndersonDarlingResult result;
  result.statistic = (a2 - m) / std::sqrt(sigma_sq);
  std::array<double, 7> critical;
  std::array<double, 7> log_levels;
  for (size_t i = 0; i < 7; ++i) {
    critical[i] = kB0[i] + kB1[i] / std::sqrt(m) + kB2[i] / m;
    log_levels[i] = std::log(kLevels[i]);
  }
  result.critical_values.assign(critical.begin(), critical.end());
  const double lowest = *std::min_element(critical.begin(), critical.end());
  const double highest = *std::max_element(critical.begin(), critical.end());
  if (result.statistic < lowest) {
    result.significance_level = 0.25;
    result.capped = true;
  } else if (result.statistic > highest) {
    result.significance_level = 0.001;
    result.capped = true;
  } else {
    const Eigen::Vector3d p = QuadraticFit(critical, log_levels);
    const double x = result.statistic;
    result.significance_level = std::exp((p(0) * x + p(1)) * x + p(2));
  }
  return result;
}

}  // namespace greengate::drift
