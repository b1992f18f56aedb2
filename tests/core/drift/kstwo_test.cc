#include "server/core/drift/kstwo.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "gtest/gtest.h"
#include "server/core/drift/kstwo_methods.h"
#include "server/core/drift/smirnov.h"

namespace greengate::drift {
namespace {

struct KstwoCase {
  int64_t n;
  double d;
  double sf;  // scipy.stats.kstwo.sf(d, n), scipy 1.10.1
};

// One or more cases per branch of scipy's `_kolmogn` (comment: the branch taken).
TEST(KsTwoSidedSfTest, MatchesScipyInEveryRegime) {
  const KstwoCase cases[] = {
      {500000, 0.004, 2.2445978493851467e-07},  // ref. drift.md case 12; 2 * smirnov
      {500, 0.04, 0.3902508696049749},          // ref. drift.md case 12; Pelz-Good
      {100, 0.05, 0.9532159710635725},          // n <= 140, Durbin matrix
      {50, 0.2, 0.03143877776953241},           // n <= 140, Pomeranz
      {100, 0.1, 0.2526927570063874},           // n <= 140, Pomeranz
      {20, 0.6, 2.0483011649719853e-07},        // d >= 0.5: 2 * smirnov
      {20000, 0.01, 0.03638603905248727},       // n > 140, Pelz-Good
      {20000, 0.02, 2.2181270070049744e-07},    // n d^2 >= 2.2: 2 * smirnov
      {1000000, 0.003, 3.039812751939269e-08},  // 2 * smirnov, largest exact n
      {3000000, 0.001, 0.0049542003601089},     // 2 * smirnov, n > 1e6 approximation
      {50000, 0.0009, 0.999999999999086},       // n > 140, Durbin matrix, m = 89
      {10, 0.3, 0.27053557479999946},           // n <= 140, Pomeranz
      {1000, 0.07, 0.00010494206285958879},     // 2 * smirnov
      {141, 0.15, 0.0031058623613645147},       // 2 * smirnov just above the n <= 140 split
      {140, 0.15, 0.0032495604415101703},       // Pomeranz just below it
      {3, 0.5, 0.3333333333333333},             // d >= 0.5: 2 * smirnov
      {50000, 0.0067, 0.02236306937721667},     // 2 * smirnov
      {10, 0.08, 0.9999978058034054},           // 1/(2n) < d <= 1/n: Ruben-Gambino product
      {200, 0.004, 1.0},                        // Ruben-Gambino via Stirling, cdf ~ e^-300
      {5, 0.85, 0.0001518750000000001},         // n d >= n - 1: 2 (1 - d)^n
      {2000, 0.02, 0.3953133626892045},         // n > 140, Pelz-Good
  };
  for (const KstwoCase& c : cases) {
    EXPECT_NEAR(KsTwoSidedSf(c.n, c.d), c.sf, 1e-9 * c.sf) << "n=" << c.n << " d=" << c.d;
  }
}

TEST(KsTwoSidedSfTest, LargeNCollapseAgainstSmallN) {
  // ref. drift.md case 12: the same 10x smaller gap is "significant" at n = 5e5 but a
  // 0.04 gap is not at n = 500. (The Kolmogorov limit for case 12 is 2.2507e-7.)
  EXPECT_LT(KsTwoSidedSf(500000, 0.004), 1e-6);
  EXPECT_GT(KsTwoSidedSf(500, 0.04), 0.3);
}

TEST(KsTwoSidedSfTest, Edges) {
  EXPECT_EQ(KsTwoSidedSf(10, 0.0), 1.0);
  EXPECT_EQ(KsTwoSidedSf(10, 1.0), 0.0);
  EXPECT_EQ(KsTwoSidedSf(10, 0.04), 1.0);  // n d <= 1/2: D_n >= 1/(2n) always
  EXPECT_TRUE(std::isnan(KsTwoSidedSf(0, 0.5)));
  EXPECT_TRUE(std::isnan(KsTwoSidedSf(10, NAN)));
  EXPECT_EQ(KsTwoSidedSf(1000, 0.9), 0.0);  // n d^2 >= 370
}

TEST(KsTwoSidedSfTest, LogFactorialOverPowerMatchesScipy) {
  // scipy 1.10.1 stats._ksstats._log_nfactorial_div_n_pow_n(n); the same as
  // special.gammaln(n + 1) - n log n up to that expression's cancellation.
  EXPECT_NEAR(internal::LogFactorialOverPower(141), -137.6060905060487, 1e-12);
  EXPECT_NEAR(internal::LogFactorialOverPower(200), -196.43148611720187, 1e-12);
  EXPECT_NEAR(internal::LogFactorialOverPower(1000000), -999992.1733061045, 1e-8);
}

TEST(SmirnovSfTest, MatchesScipy) {
  // scipy.special.smirnov(n, d), scipy 1.10.1
  const KstwoCase cases[] = {
      {10, 0.3, 0.1354635556},
      {1000, 0.05, 0.006506037390545166},
      {500000, 0.004, 1.1222989246925734e-07},
      {5, 0.1, 0.85359},                       // d <= 1/n closed form
      {5, 0.85, 7.593750000000005e-05},        // d >= 1 - 1/n: (1 - d)^n
      {2000000, 0.001, 0.018303432023617325},  // n > 1e6 approximation
      // Thousands of terms matter: the sum taken as an integral.
      {50000, 0.02, 4.177939367710235e-18},
      {20000, 0.015, 0.00012213901365031659},
      {300000, 0.0055, 1.3059170015479665e-08},
      {1000000, 0.003, 1.5199063759696346e-08},
  };
  for (const KstwoCase& c : cases) {
    EXPECT_NEAR(SmirnovSf(c.n, c.d), c.sf, 1e-9 * c.sf) << "n=" << c.n << " d=" << c.d;
  }
  EXPECT_EQ(SmirnovSf(1, 0.25), 0.75);
  EXPECT_TRUE(std::isnan(SmirnovSf(10, 1.5)));
}

// Where thousands of terms matter SmirnovSf() integrates instead of adding them; over the
// sizes and distances the two-sample test meets (d = t / sqrt(n)), it must give the sum.
TEST(SmirnovSfTest, IntegralEqualsTheTermByTermSum) {
  for (const int64_t n : {1000, 2000, 5000, 20000, 50000, 100000, 300000, 1000000}) {
    for (const double t : {0.6, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 19.0}) {
      const double d = t / std::sqrt(static_cast<double>(n));
      const double sum = internal::SmirnovSfTermByTerm(n, d);
      // Past 1e5 terms the sum's own rounding reaches ~3e-13 (the integral is the one
      // closer to scipy there, see MatchesScipy).
      const double tolerance = n <= 100000 ? 1e-13 : 5e-13;
      EXPECT_NEAR(SmirnovSf(n, d), sum, tolerance * sum) << "n=" << n << " t=" << t;
    }
  }
}

}  // namespace
}  // namespace greengate::drift
