#include "server/core/drift/kstwo_methods.h"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace greengate::drift::internal {
namespace {

// Intermediate results are rescaled by 2^128 so the long products neither overflow nor
// underflow; the exponent is tracked separately and applied once at the end.
constexpr int kScaleExponent = 128;
constexpr double kScaleUp = 0x1p128;
constexpr double kScaleDown = 0x1p-128;

constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrt2Pi = 2.50662827463100050242;

// Multiplies `p` by n!/n^n one factor i/n at a time, keeping it normal.
long double TimesFactorialOverPower(long double p, int64_t n, int* exponent) {
  const long double n_l = static_cast<long double>(n);
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<long double>(i) * p / n_l;
    if (std::fabs(p) < kScaleDown) {
      p *= kScaleUp;
      *exponent -= kScaleExponent;
    }
  }
  return p;
}

}  // namespace

double LogFactorialOverPower(int64_t n) {
  // Stirling coefficients B_2j / (2j (2j - 1)), j = 8 down to 1.
  static constexpr std::array<double, 8> kStirling = {
      -2.955065359477124183e-2,  6.4102564102564102564e-3, -1.9175269175269175269e-3,
      8.4175084175084175084e-4,  -5.952380952380952381e-4, 7.9365079365079365079e-4,
      -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double nd = static_cast<double>(n);
  const double inv_n = 1.0 / nd;
  const double inv_n2 = inv_n / nd;
  double series = 0;
  for (double c : kStirling) series = series * inv_n2 + c;
  return std::log(nd) / 2 - nd + std::log(2 * kPi) / 2 + inv_n * series;
}

double KsCdfDurbin(int64_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const int k = static_cast<int>(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;

  // First column v_j = (1 - h^j) / j!, first row mirrored into the last one, and the
  // Toeplitz band w_j = 1/j! below the super-diagonal.
  Eigen::VectorXd v(m);
  Eigen::VectorXd w(m);
  double inv_factorial = 1.0;
  for (int j = 1; j <= m; ++j) {
    w(j - 1) = inv_factorial;
    inv_factorial /= j;
    v(j - 1) = (1.0 - std::pow(h, j)) * inv_factorial;
  }
  const double corner = std::pow(std::max(2 * h - 1.0, 0.0), m) - 2 * std::pow(h, m);
  v(m - 1) = (1.0 + corner) * inv_factorial;

  Eigen::MatrixXd hm = Eigen::MatrixXd::Zero(m, m);
  for (int col = 1; col < m; ++col) {
    for (int row = col - 1; row < m; ++row) hm(row, col) = w(row - col + 1);
  }
  hm.col(0) = v;
  for (int col = 0; col < m; ++col) hm(m - 1, col) = v(m - 1 - col);

  // H^n by repeated squaring; both factors carry their own power-of-two exponent.
  Eigen::MatrixXd power = Eigen::MatrixXd::Identity(m, m);
  int power_exponent = 0;
  int h_exponent = 0;
  for (int64_t remaining = n; remaining > 0; remaining /= 2) {
    if (remaining % 2 == 1) {
      power = power * hm;
      power_exponent += h_exponent;
    }
    if (remaining == 1) break;
    hm = hm * hm;
    h_exponent *= 2;
    if (std::fabs(hm(k - 1, k - 1)) > kScaleUp) {
      hm *= kScaleDown;
      h_exponent += kScaleExponent;
    }
  }
  int exponent = power_exponent;
  const long double p = TimesFactorialOverPower(power(k - 1, k - 1), n, &exponent);
  const double cdf = std::ldexp(static_cast<double>(p), exponent);
  return std::clamp(cdf, 0.0, 1.0);
}

namespace {

// Pomeranz's recursion works on 2n + 2 rows; row i only has non-zero entries in [lo, hi].
struct RowRange {
  int64_t lo;
  int64_t hi;
};

RowRange PomeranzRange(int64_t i, int64_t n, int64_t ll, int64_t ceil_f, int64_t round_f) {
  int64_t lo;
  int64_t hi;
  if (i == 0) {
    lo = -ll - ceil_f - 1;
    hi = ll + ceil_f - 1;
  } else {
    const int64_t half = (i + 1) / 2;
    if ((i + 1) % 2 == 0) {  // i odd
      if (half == n + 1) {
        lo = n - ll - ceil_f - 1;
        hi = n + ll + ceil_f - 1;
      } else {
        lo = half - 1 - ll - round_f - 1;
        hi = half + ll - 1 + ceil_f - 1;
      }
    } else {
      lo = half - 1 - ll - 1;
      hi = half + ll + round_f - 1;
    }
  }
  return {std::max<int64_t>(lo + 2, 0), std::min(hi, n)};
}

}  // namespace

double KsCdfPomeranz(int64_t n, double d) {
  const double t = static_cast<double>(n) * d;
  const int64_t ll = static_cast<int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int64_t ceil_f = f > 0 ? 1 : 0;
  const int64_t round_f = f > 0.5 ? 1 : 0;
  const int64_t width = 2 * (ll + 1);  // most entries a row can hold

  // Unnormalised Poisson weights (r/n)^j / j! for the three interval lengths r that occur.
  std::vector<double> g_pow(width), two_g_pow(width), rest_pow(width);
  g_pow[0] = two_g_pow[0] = rest_pow[0] = 1.0;
  const double nd = static_cast<double>(n);
  for (int64_t j = 1; j < width; ++j) {
    g_pow[j] = g_pow[j - 1] * (g / nd) / static_cast<double>(j);
    two_g_pow[j] = two_g_pow[j - 1] * (2 * g / nd) / static_cast<double>(j);
    rest_pow[j] = rest_pow[j - 1] * ((1 - 2 * g) / nd) / static_cast<double>(j);
  }

  std::vector<double> previous(width, 0.0);
  std::vector<double> current(width, 0.0);
  current[0] = 1.0;
  int64_t previous_start = 0;  // column index held in previous[0]
  int64_t current_start = 0;
  int exponent = 0;
  RowRange range = PomeranzRange(0, n, ll, ceil_f, round_f);
  for (int64_t i = 1; i <= 2 * n + 1; ++i) {
    const int64_t last_lo = range.lo;
    std::swap(previous, current);
    std::swap(previous_start, current_start);
    std::fill(current.begin(), current.end(), 0.0);
    range = PomeranzRange(i, n, ll, ceil_f, round_f);
    const std::vector<double>& weights =
        (i == 1 || i == 2 * n + 1) ? g_pow : (i % 2 == 1 ? two_g_pow : rest_pow);
    const int64_t span = range.hi - last_lo + 1;
    if (span <= 0) continue;
    // current[c] = sum_a previous[last_lo + a] * weights[c + range.lo - last_lo - a].
    const int64_t src0 = last_lo - previous_start;
    const int64_t src_len = std::min(span, width - src0);
    const int64_t wt_len = std::min(span, width);
    const int64_t shift = range.lo - last_lo;
    const int64_t count = range.hi - range.lo + 1;
    double largest = 0;
    for (int64_t c = 0; c < count; ++c) {
      const int64_t k = c + shift;  // index into the full convolution
      double acc = 0;
      const int64_t a_lo = std::max<int64_t>(0, k - wt_len + 1);
      const int64_t a_hi = std::min(k, src_len - 1);
      for (int64_t a = a_lo; a <= a_hi; ++a) acc += previous[src0 + a] * weights[k - a];
      current[c] = acc;
      largest = std::max(largest, acc);
    }
    if (largest > 0 && largest < kScaleDown) {
      for (int64_t c = 0; c < count; ++c) current[c] *= kScaleUp;
      exponent -= kScaleExponent;
    }
    current_start = previous_start + range.lo - last_lo;
  }

  long double answer = current[n - current_start];
  for (int64_t j = 1; j <= n; ++j) {  // times n!
    if (std::fabs(answer) > kScaleUp) {
      answer *= kScaleDown;
      exponent += kScaleExponent;
    }
    answer *= static_cast<long double>(j);
  }
  return std::clamp(std::ldexp(static_cast<double>(answer), exponent), 0.0, 1.0);
}

double KsCdfPelzGood(int64_t n, double d) {
  if (d <= 0.0) return 0.0;
  if (d >= 1.0) return 1.0;
  const double z = std::sqrt(static_cast<double>(n)) * d;
  const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const double log_q = -kPi * kPi / 8 / z2;
  if (log_q < -708) return 0.0;  // z < ~0.0417: the first term already underflows
  const double q = std::exp(log_q);
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;

  // Coefficients, polynomial in m^2 with m = 2k - 1, of the odd-index theta sums of K0..K3.
  const double k1a = -z2, k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4,
               k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3a = -30 * z6 - 90 * z4 * z4, k3b = pi2 * (135 * z4 - 96 * z6) / 4,
               k3c = pi4 * (-60 * z2 + 212 * z4) / 16, k3d = pi6 * (5 - 30 * z2) / 64;

  // Horner in q: term k carries q^((2k-1)^2), so stepping from k+1 down to k multiplies the
  // accumulated sums by q^(8k).
  std::array<double, 4> sums = {0, 0, 0, 0};
  const int64_t max_k = static_cast<int64_t>(std::ceil(16 * z / kPi));
  for (int64_t k = max_k; k >= 1; --k) {
    const double m = static_cast<double>(2 * k - 1);
    const double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const double q_step = std::pow(q, static_cast<double>(8 * k));
    const std::array<double, 4> coeffs = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                          k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i) sums[i] = sums[i] * q_step + coeffs[i];
  }
  const std::array<double, 4> divisors = {z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4};
  for (int i = 0; i < 4; ++i) sums[i] = sums[i] * q * kSqrt2Pi / divisors[i];

  // The even-index sums of K2 and K3, all integers k, in q' = exp(-pi^2 / (2 z^2)).
  const double q_even = std::exp(-pi2 / 2 / z2);
  const double sqrt3_z = std::sqrt(3.0) * z;
  double k2_extra = 0;
  double k3_extra = 0;
  for (int64_t k = max_k; k >= 1; --k) {
    const double kd = static_cast<double>(k);
    const double weight = kd * kd * std::pow(q_even, kd * kd);
    k2_extra += weight;
    k3_extra += (sqrt3_z + kPi * kd) * (sqrt3_z - kPi * kd) * weight;
  }
  sums[2] += k2_extra * pi2 * kSqrt2Pi / (-36 * z3);
  sums[3] += k3_extra * pi2 * kSqrt2Pi / (216 * z6);

  const double nd = static_cast<double>(n);
  return sums[0] + sums[1] / std::sqrt(nd) + sums[2] / nd + sums[3] / (nd * std::sqrt(nd));
}

}  // namespace greengate::drift::internal
