#include "server/core/drift/special_functions.h"

#include <cmath>

#include "gtest/gtest.h"

namespace greengate::drift {
namespace {

struct ChiSquareCase {
  double x;
  double dof;
  double sf;  // scipy.stats.chi2.sf(x, dof), scipy 1.10.1
  double relative_tolerance = 1e-12;
};

TEST(ChiSquareSfTest, MatchesScipy) {
  const ChiSquareCase cases[] = {
      {1.622409, 5, 0.8985262349563191},  // ref. drift.md case 6 statistic
      {3.84, 1, 0.05004352124870519},
      {0.5, 1, 0.47950012218695337},
      {100, 3, 1.5541594313896026e-21},
      {0.001, 10, 1.0},
      {2000, 1500, 5.809910989761926e-17},
      {30, 2, 3.0590232050182594e-07},
      // Large a = x: scipy's igamc uses Temme's asymptotic series there, Eigen's port of the
      // older Cephes a continued fraction; they agree to ~3e-12.
      {10000.0, 10000, 0.49811936596618267, 1e-11},
      {50, 70, 0.9661576332378218},
  };
  for (const ChiSquareCase& c : cases) {
    EXPECT_NEAR(ChiSquareSf(c.x, c.dof), c.sf, c.relative_tolerance * c.sf)
        << "x=" << c.x << " dof=" << c.dof;
  }
}

TEST(ChiSquareSfTest, NonPositiveStatisticIsCertain) {
  EXPECT_EQ(ChiSquareSf(0.0, 3), 1.0);
  EXPECT_EQ(ChiSquareSf(-1.0, 3), 1.0);
  EXPECT_EQ(ChiSquareSf(INFINITY, 3), 0.0);
}

TEST(NormalSfTest, MatchesScipyIncludingFarTail) {
  // scipy.stats.norm.sf(z), scipy 1.10.1
  const double cases[][2] = {{0, 0.5},
                             {1.96, 0.024997895148220435},
                             {-1, 0.8413447460685429},
                             {5, 2.866515718791933e-07},
                             {10, 7.61985302416047e-24},
                             {30, 4.906713927147908e-198}};
  for (const auto& c : cases) {
    // 1e-12: scipy's ndtr and glibc's erfc round differently deep in the tail (z = 30).
    EXPECT_NEAR(NormalSf(c[0]), c[1], 1e-12 * c[1]) << "z=" << c[0];
  }
}

}  // namespace
}  // namespace greengate::drift
