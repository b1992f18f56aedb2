#include "server/core/drift/histogram_distances.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::drift {
namespace {

// ref. drift.md cases 6/7: reference [16,18,16,14,12,12] vs current [16,16,16,16,16,8].
// Evidently: PSI 0.0372184, JS(ln) 0.0680482, KL 0.0189097, Hellinger 0.0681277. Full
// precision from scipy 1.10.1 on rp = r / r.sum(), cp = c / c.sum():
//   np.sum((rp - cp) * np.log(rp / cp))         = 0.037218381577290835
//   stats.entropy(rp, cp)                         = 0.018909676965320497
//   spatial.distance.jensenshannon(rp, cp)        = 0.06804819617703867
//   spatial.distance.jensenshannon(rp, cp, 2)     = 0.08173421330573757
//   np.sqrt(np.sum((np.sqrt(rp) - np.sqrt(cp))**2) / 2) = 0.06812774370983354
//   np.max(np.abs(rp - cp))                       = 0.04545454545454547
TEST(HistogramDistancesTest, EvidentlyCountsCase6And7) {
  const std::vector<double> r = {16, 18, 16, 14, 12, 12};
  const std::vector<double> c = {16, 16, 16, 16, 16, 8};
  EXPECT_NEAR(*PopulationStabilityIndex(r, c), 0.037218381577290835, 1e-15);
  EXPECT_NEAR(*KullbackLeibler(r, c), 0.018909676965320497, 1e-15);
  EXPECT_NEAR(*JensenShannonDistance(r, c, M_E), 0.06804819617703867, 1e-15);
  EXPECT_NEAR(*JensenShannonDistance(r, c), 0.08173421330573757, 1e-15);
  EXPECT_NEAR(*JensenShannonDivergence(r, c), 0.08173421330573757 * 0.08173421330573757, 1e-15);
  EXPECT_NEAR(*HellingerDistance(r, c), 0.06812774370983354, 1e-15);
  EXPECT_NEAR(*LInfinityDistance(r, c), 0.04545454545454547, 1e-15);
}

TEST(HistogramDistancesTest, JensenShannonCase5) {
  // ref. drift.md case 5: P = [.5,.5,0,0], Q = [0,.25,.25,.5]. scipy 1.10.1
  // jensenshannon(P, Q, 2) = 0.8097154205210412, jensenshannon(P, Q) = 0.674132307080287;
  // squared base 2 = TFDV's JSD 0.6556390622295666.
  const std::vector<double> p = {.5, .5, 0, 0};
  const std::vector<double> q = {0, .25, .25, .5};
  EXPECT_NEAR(*JensenShannonDistance(p, q), 0.8097154205210412, 1e-15);
  EXPECT_NEAR(*JensenShannonDistance(p, q, M_E), 0.674132307080287, 1e-15);
  EXPECT_NEAR(*JensenShannonDivergence(p, q), 0.6556390622295666, 1e-15);
  // scipy test_jensenshannon: jensenshannon([1,0],[.5,.5]) = 0.46450140402245893,
  // jensenshannon([1,0,0],[0,1,0],2) = 1.0 (disjoint supports).
  EXPECT_NEAR(*JensenShannonDistance({1, 0}, {.5, .5}, M_E), 0.46450140402245893, 1e-15);
  EXPECT_NEAR(*JensenShannonDistance({1, 0, 0}, {0, 1, 0}), 1.0, 1e-15);
  // Identical inputs: exactly 0, never NaN from a -1e-17 under the square root.
  EXPECT_EQ(*JensenShannonDistance({3, 1, 7}, {6, 2, 14}), 0.0);
}

TEST(HistogramDistancesTest, ZeroBinsUseEvidentlysEpsilon) {
  // Evidently get_binned_data(feel_zeroes=True), scipy 1.10.1 / numpy 1.24:
  // r = [10,0,5,85], c = [0,20,5,75] -> zeros become 1e-4 on each side:
  //   PSI = 2.2220214683281783, KL = stats.entropy(rp, cp) = 0.796324476715493.
  EXPECT_NEAR(*PopulationStabilityIndex({10, 0, 5, 85}, {0, 20, 5, 75}), 2.2220214683281783, 1e-13);
  EXPECT_NEAR(*KullbackLeibler({10, 0, 5, 85}, {0, 20, 5, 75}), 0.796324476715493, 1e-13);
  // r = [1, 0, 99999]: smallest non-zero fraction 1e-5 <= 1e-4, so zeros become 1e-11;
  // c = [0, 5, 10] -> 1e-4. PSI = 8.211962791973177.
  EXPECT_NEAR(*PopulationStabilityIndex({1, 0, 99999}, {0, 5, 10}), 8.211962791973177, 1e-12);
}

TEST(HistogramDistancesTest, LInfinityTfdvCases) {
  // ref. drift.md case 4 (TFDV metrics_test.cc): 0.2 and 0.3.
  EXPECT_NEAR(*LInfinityDistance({.1, .9}, {.3, .7}), 0.2, 1e-15);
  EXPECT_NEAR(*LInfinityDistance({0, .9, .1}, {.3, .7, 0}), 0.3, 1e-15);
}

TEST(HistogramDistancesTest, SingleBinIsZeroNotNaN) {
  EXPECT_EQ(*PopulationStabilityIndex({7}, {3}), 0.0);
  EXPECT_EQ(*JensenShannonDistance({7}, {3}), 0.0);
  EXPECT_EQ(*HellingerDistance({7}, {3}), 0.0);
  EXPECT_EQ(*KullbackLeibler({7}, {3}), 0.0);
}

TEST(HistogramDistancesTest, RejectsBadInput) {
  EXPECT_EQ(PopulationStabilityIndex({}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PopulationStabilityIndex({1, 2}, {1}).ok());
  EXPECT_FALSE(JensenShannonDistance({0, 0}, {1, 1}).ok());
  EXPECT_FALSE(HellingerDistance({1, -1}, {1, 1}).ok());
  EXPECT_FALSE(LInfinityDistance({1, NAN}, {1, 1}).ok());
  EXPECT_FALSE(JensenShannonDistance({1, 1}, {1, 1}, 1.0).ok());
}

}  // namespace
}  // namespace greengate::drift
