// Cramér-von Mises, Anderson-Darling k-sample, energy distance and the two-proportion z-test
// against scipy 1.10.1 (reference/drift.md §6 cases 3, 6 and 8; other values computed with
// the scipy call named in each row).

#include <algorithm>
#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "server/core/drift/anderson_darling.h"
#include "server/core/drift/bessel.h"
#include "server/core/drift/cramer_von_mises.h"
#include "server/core/drift/energy_distance.h"
#include "server/core/drift/proportion_z.h"

namespace greengate::drift {
namespace {

std::vector<double> Sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void ExpectRel(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, rel * std::max(std::fabs(expected), 1e-300)) << expected;
}

// Conover's data (scipy TestCvm_2samp, reference/drift.md §6 case 3).
const std::vector<double> kConoverX = {7.6, 8.4, 8.6, 8.7, 9.3, 9.9, 10.1, 10.6, 11.2};
const std::vector<double> kConoverY = {5.2,  5.7,  5.9,  6.5,  6.8,  8.2,  9.1, 9.8,
                                       10.8, 11.3, 11.5, 12.3, 12.5, 13.4, 14.6};
const std::vector<double> kTiesX = {2, 2, 2, 3, 3, 3, 3, 5, 5, 5, 5, 5, 6, 6, 6, 6};
std::vector<double> Plus(const std::vector<double>& v, double d) {
  std::vector<double> out = v;
  for (double& x : out) x += d;
  return out;
}
// numpy.random.default_rng(1): round(normal(size=50), 2) and round(normal(0.3, 1, 70), 2).
const std::vector<double> kU = {
    0.35,  0.82,  0.33,  -1.3,  0.91,  0.45,  -0.54, 0.58, 0.36,  0.29, 0.03,  0.55,  -0.74,
    -0.16, -0.48, 0.6,   0.04,  -0.29, -0.78, -0.26, 0.01, -0.28, 1.29, 1.01,  -2.71, -1.89,
    -0.17, -0.42, 0.21,  0.22,  2.12,  -1.11, -0.38, 2.04, 0.65,  0.66, -0.51, -1.65, 0.17,
    0.11,  -1.23, -0.68, -0.07, -0.94, -0.1,  0.1,   0.04, -0.51, 0.59, 0.89};
const std::vector<double> kV = {
    0.62,  -0.52, 1.03, -0.2,  1.18,  -0.77, 1.21,  0.28, -0.95, -0.01, 0.35,  0.57, -0.68, -0.81,
    0.5,   -0.17, 0.54, 1.06,  -1.35, 0.55,  1.52,  0.0,  -0.51, 1.05,  0.55,  1.2,  -0.05, -1.18,
    0.19,  -0.15, 1.08, 0.49,  -1.33, -0.9,  1.18,  0.98, -0.34, 0.3,   0.75,  0.77, 1.18,  0.56,
    0.21,  0.04,  1.36, -1.95, 0.16,  0.33,  -1.13, 0.63, -0.35, 1.16,  0.17,  0.97, 1.52,  0.68,
    -0.58, -1.21, 2.05, 0.19,  -0.39, 0.44,  0.11,  1.15, 0.33,  0.31,  -0.41, 0.77, -0.73, 0.97};

TEST(BesselTest, MatchesScipyKve) {
  struct Case {
    double nu, x, expected;  // scipy.special.kve(nu, x)
  };
  for (const Case& c : {Case{0.25, 1e-3, 11.768238628404424}, Case{0.25, 0.5, 1.5832939515157707},
                        Case{0.25, 30, 0.2281203453502268}, Case{0.75, 2, 0.9450822843113041},
                        Case{1.25, 0.1, 21.023099278916458}}) {
    ExpectRel(ScaledBesselK(c.nu, c.x), c.expected, 1e-12);
  }
}

TEST(CramerVonMisesTest, MatchesScipy) {
  struct Case {
    const char* name;
    std::vector<double> x, y;
    double statistic, p_value;
    CvmMethod method;
  };
  std::vector<double> low, high;
  for (int i = 1; i <= 20; ++i) {
    low.push_back(i);
    high.push_back(i + 20);
  }
  const std::vector<Case> cases = {
      // cramervonmises_2samp(x, y): drift.md §6 case 3, exact since max(n, m) <= 20.
      {"conover", kConoverX, kConoverY, 0.2615740740740744, 0.18675430438453725, CvmMethod::kExact},
      // Ties: the KS tie case of §6 case 1 (x vs x + 1).
      {"ties", kTiesX, Plus(kTiesX, 1), 0.40234375, 0.07461895737440379, CvmMethod::kExact},
      // 20 vs 20, disjoint: the exact tail is a single arrangement, 1 / C(40, 20) times 2.
      {"disjoint", low, high, 3.3375000000000004, 1.4508889103849688e-11, CvmMethod::kExact},
      // 50 vs 70 with ties: asymptotic.
      {"asymptotic", kU, kV, 0.39813492063492006, 0.0732161335847139, CvmMethod::kAsymptotic},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = CramerVonMises(Sorted(c.x), c.y);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectRel(r->statistic, c.statistic, 1e-12);
    ExpectRel(r->p_value, c.p_value, 1e-9);
    EXPECT_EQ(r->method, c.method);
  }
}

TEST(CramerVonMisesTest, AsymptoticTailOfConover) {
  // cramervonmises_2samp(x, y, method="asymptotic") = 0.1795224559766866 (§6 case 3): the
  // limit distribution at the standardised statistic of the Conover data.
  const double n = 9, m = 15, k = n * m, big_n = n + m;
  const double t = 0.2615740740740744;
  const double mean = (1 + 1 / big_n) / 6;
  const double var =
      (big_n + 1) * (4 * k * big_n - 3 * (n * n + m * m) - 2 * k) / (45 * big_n * big_n * 4 * k);
  const double tn = 1.0 / 6 + (t - mean) / std::sqrt(45 * var);
  ExpectRel(1 - CramerVonMisesLimitCdf(tn), 0.1795224559766866, 1e-9);
}

TEST(CramerVonMisesTest, RejectsBadInput) {
  EXPECT_EQ(CramerVonMises({1.0}, {1.0, 2.0}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CramerVonMises({2.0, 1.0}, {1.0, 2.0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CramerVonMises({1.0, 2.0}, {1.0, NAN}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AndersonDarlingTest, MatchesScipy) {
  struct Case {
    const char* name;
    std::vector<std::vector<double>> samples;
    double statistic, level;
    bool capped;
  };
  const std::vector<Case> cases = {
      // anderson_ksamp([x, y]) on the Conover data.
      {"conover", {kConoverX, kConoverY}, 0.8866981180383443, 0.1412173728172919, false},
      {"normal", {kU, kV}, 1.3873763712672627, 0.08702741807640992, false},
      {"ties", {kTiesX, Plus(kTiesX, 1)}, 3.0692645170059927, 0.018300054372030434, false},
      {"three samples, floored", {kU, kV, kTiesX}, 28.701874279383517, 0.001, true},
      {"disjoint",
       {{1, 2, 3, 4, 5}, {11, 12, 13, 14, 15}},
       4.726015467264128,
       0.004355977966506485,
       false},
      {"capped", {{1, 2, 3, 4, 5, 6}, {1.5, 2.5, 3.5, 4.5, 5.5}}, -1.2603134756420546, 0.25, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::vector<double>> sorted;
    for (const auto& s : c.samples) sorted.push_back(Sorted(s));
    std::vector<absl::Span<const double>> spans(sorted.begin(), sorted.end());
    const auto r = AndersonDarlingKSample(spans);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectRel(r->statistic, c.statistic, 1e-10);
    ExpectRel(r->significance_level, c.level, 1e-9);
    EXPECT_EQ(r->capped, c.capped);
  }
}

TEST(AndersonDarlingTest, CriticalValuesForTwoSamples) {
  // anderson_ksamp(...).critical_values for k = 2.
  const std::vector<double> expected = {0.325, 1.226, 1.961, 2.718, 3.752, 4.592, 6.546};
  std::vector<double> x = Sorted(kConoverX), y = Sorted(kConoverY);
  const auto r = AndersonDarlingKSample({x, y});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->critical_values.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(r->critical_values[i], expected[i], 1e-12);
}

TEST(AndersonDarlingTest, RejectsBadInput) {
  std::vector<double> a = {1, 2, 3};
  std::vector<double> same = {1, 1, 1};
  std::vector<double> empty;
  EXPECT_FALSE(AndersonDarlingKSample({a}).ok());
  EXPECT_FALSE(AndersonDarlingKSample({a, empty}).ok());
  EXPECT_FALSE(AndersonDarlingKSample({same, same}).ok());
}

TEST(EnergyDistanceTest, MatchesScipy) {
  // energy_distance([0, 1, 2], [1, 2, 3]) = 0.8164966 (§6 case 8).
  std::vector<double> a = {0, 1, 2};
  auto r = EnergyDistance(a, {1, 2, 3});
  ASSERT_TRUE(r.ok());
  ExpectRel(*r, 0.8164965809277261, 1e-12);
  // energy_distance(x, y) on the Conover data.
  r = EnergyDistance(Sorted(kConoverX), kConoverY);
  ASSERT_TRUE(r.ok());
  ExpectRel(*r, 0.9105147099509361, 1e-12);
  // scipy's docstring example: energy_distance([0.7, 7.4, 2.4, 6.8], [1.4, 8.7],
  // [2.1, 4.2, 7.4, 8.0], [7.6, 8.8]).
  r = WeightedEnergyDistance({0.7, 7.4, 2.4, 6.8}, {2.1, 4.2, 7.4, 8.0}, {1.4, 8.7}, {7.6, 8.8});
  ASSERT_TRUE(r.ok());
  ExpectRel(*r, 1.0851507725123837, 1e-12);
  EXPECT_FALSE(WeightedEnergyDistance({1.0}, {-1.0}, {1.0}, {1.0}).ok());
  EXPECT_FALSE(EnergyDistance({}, {1.0}).ok());
}

TEST(TwoProportionZTest, EvidentlyCaseSix) {
  // §6 case 6: a:10, b:10 vs a:15, b:5 -> Evidently z-test p = 0.1024704 = chi2 without Yates
  // (statistic 2.6667 = z^2). scipy: chi2_contingency([[10,10],[15,5]], correction=False).
  const auto r = TwoProportionZ(10, 20, 15, 20);
  ASSERT_TRUE(r.ok());
  ExpectRel(r->z * r->z, 2.666666666666667, 1e-12);
  ExpectRel(r->p_value, 0.10247043485974885, 1e-10);
  EXPECT_LT(r->z, 0);
  // No variation at all: Evidently's "same single value" rule.
  EXPECT_EQ(TwoProportionZ(0, 5, 0, 7)->p_value, 1.0);
  EXPECT_EQ(TwoProportionZ(5, 5, 7, 7)->p_value, 1.0);
  EXPECT_FALSE(TwoProportionZ(3, 2, 1, 2).ok());
  EXPECT_FALSE(TwoProportionZ(0, 0, 1, 2).ok());
}

}  // namespace
}  // namespace greengate::drift
