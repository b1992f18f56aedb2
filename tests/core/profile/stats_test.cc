#include "server/core/profile/stats.h"

#include <cmath>

#include "gtest/gtest.h"

namespace greengate::profile {
namespace {

// x = [2.5, -1.0, 4.0, 4.0, 10.5, 3.25, 0.0, 7.75]: sum((x - mean)**2) = 100.0 and
// numpy.var(x, ddof=1) = 14.285714285714286, numpy.var(x, ddof=0) = 12.5,
// numpy.std(x, ddof=1) = 3.779644730092272 (numpy 1.24.2).
TEST(StatsTest, VarianceAndStdDevMatchNumpy) {
  EXPECT_DOUBLE_EQ(Variance(100.0, 8), 14.285714285714286);
  EXPECT_DOUBLE_EQ(Variance(100.0, 8, /*ddof=*/0), 12.5);
  EXPECT_DOUBLE_EQ(StdDev(100.0, 8), 3.779644730092272);
}

TEST(StatsTest, UndefinedBelowDdofPlusOne) {
  EXPECT_TRUE(std::isnan(Variance(0, 1)));
  EXPECT_TRUE(std::isnan(StdDev(0, 0, 0)));
  EXPECT_EQ(Variance(0, 1, 0), 0);
}

TEST(StatsTest, RoundingNegativeM2ReadsAsZero) { EXPECT_EQ(Variance(-1e-18, 10), 0); }

TEST(StatsTest, NonMissingCount) {
  FeatureProfile f;
  f.count = 10;
  f.missing = 3;
  EXPECT_EQ(NonMissingCount(f), 7);
}

}  // namespace
}  // namespace greengate::profile
