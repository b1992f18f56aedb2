#include "server/core/gain/normal.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

struct QuantileCase {
  double p;
  double expected;
};

// Expected values: scipy 1.10.1, `scipy.stats.norm.ppf(p)` printed with repr().
// The cases cover both tails, each side of Acklam's region boundary 0.02425, and p within
// 1e-9 of 0.5 (where a naive residual F(x) - p cancels).
constexpr QuantileCase kQuantileCases[] = {
    {1e-300, -37.0470962993612},
    {1e-100, -21.273453560965322},
    {1e-20, -9.262340089798409},
    {1e-10, -6.361340902404056},
    {1e-05, -4.264890793922825},
    {0.001, -3.090232306167813},
    {0.02, -2.053748910631823},
    {0.02425, -1.972961051311885},
    {0.025, -1.9599639845400545},
    {0.05, -1.6448536269514729},
    {0.1, -1.2815515655446004},
    {0.25, -0.6744897501960817},
    {0.3, -0.5244005127080409},
    {0.4, -0.2533471031357997},
    {0.49, -0.02506890825871106},
    {0.499999999, -2.5066283428845328e-09},
    {0.500000001, 2.5066282037387115e-09},
    {0.6, 0.2533471031357997},
    {0.75, 0.6744897501960817},
    {0.8, 0.8416212335729143},
    {0.9, 1.2815515655446004},
    {0.95, 1.6448536269514722},
    {0.975, 1.959963984540054},
    {0.99, 2.3263478740408408},
    {0.999, 3.090232306167813},
    {0.99999, 4.264890793923841},
    {0.9999999999, 6.361340889697422},  // the double nearest 1 - 1e-10, not 1 - 1e-10
};

TEST(NormalQuantileTest, MatchesScipyToRelative1e12) {
  for (const QuantileCase& c : kQuantileCases) {
    const double x = NormalQuantile(c.p);
    EXPECT_NEAR(x, c.expected, 1e-12 * std::abs(c.expected)) << "p=" << c.p;
  }
}

TEST(NormalQuantileTest, HalfIsExactlyZero) { EXPECT_EQ(NormalQuantile(0.5), 0.0); }

TEST(NormalQuantileTest, EdgesAndOutOfDomain) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(NormalQuantile(0), -kInf);
  EXPECT_EQ(NormalQuantile(1), kInf);
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
  EXPECT_TRUE(std::isnan(NormalQuantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST(NormalQuantileTest, InvertsTheCdf) {
  for (const QuantileCase& c : kQuantileCases) {
    if (c.p > 0.5) continue;  // the CDF is relatively accurate in the lower tail only
    EXPECT_NEAR(NormalCdf(NormalQuantile(c.p)), c.p, 1e-13 * c.p) << "p=" << c.p;
  }
}

TEST(NormalCdfTest, MatchesScipy) {
  // scipy 1.10.1: scipy.stats.norm.cdf(-1.6448536269514729) = 0.049999999999999975,
  // scipy.stats.norm.cdf(-6) = 9.865876450376946e-10, scipy.stats.norm.cdf(0.5) =
  // 0.6914624612740131.
  EXPECT_NEAR(NormalCdf(-1.6448536269514729), 0.049999999999999975, 1e-15);
  EXPECT_NEAR(NormalCdf(-6), 9.865876450376946e-10, 1e-12 * 9.865876450376946e-10);
  EXPECT_NEAR(NormalCdf(0.5), 0.6914624612740131, 1e-15);
}

}  // namespace
}  // namespace greengate::gain
