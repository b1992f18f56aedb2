#include "server/core/drift/correction.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::drift {
namespace {

void ExpectAllNear(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-15) << "i=" << i;
}

int CountBelow(const std::vector<double>& p, double alpha) {
  int n = 0;
  for (double v : p) n += v < alpha;
  return n;
}

TEST(AdjustPValuesTest, BenjaminiHochbergCase10) {
  // ref. drift.md case 10. scipy 1.10 has no false_discovery_control; computed by hand with
  // numpy as scipy >= 1.11 does: o = argsort(p); q = p[o] * (m / arange(1, m+1));
  // q = minimum.accumulate(q[::-1])[::-1]; clip to [0, 1]; back in input order.
  const std::vector<double> p = {.001, .008, .039, .041, .042, .06, .074, .205, .212, .216};
  const std::vector<double> adjusted = AdjustPValues(p, Correction::kBenjaminiHochberg);
  ExpectAllNear(adjusted,
                {0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057142857142857, 0.216, 0.216, 0.216});
  // alibi's step-up at q = .05 rejects the two smallest (threshold 0.01): the same decisions.
  EXPECT_EQ(CountBelow(adjusted, 0.05), 2);
}

TEST(AdjustPValuesTest, BenjaminiHochbergUnsortedInputKeepsOrder) {
  // Same recipe: [0.5, 0.01, 0.3, 0.04, 0.9] -> [0.625, 0.05, 0.5, 0.1, 0.9].
  ExpectAllNear(AdjustPValues({0.5, 0.01, 0.3, 0.04, 0.9}, Correction::kBenjaminiHochberg),
                {0.625, 0.05, 0.5, 0.1, 0.9});
}

TEST(AdjustPValuesTest, FloatTrapDoesNotTrip) {
  // ref. drift.md case 10: p = [.01,.02,.03,.04,.05] trips alibi's `p < q i / n` only because
  // 0.05 * 3 / 5 = 0.030000000000000006. Adjusted values (numpy, as above) are all exactly
  // 0.05, so "adjusted < 0.05" rejects nothing.
  const std::vector<double> adjusted =
      AdjustPValues({.01, .02, .03, .04, .05}, Correction::kBenjaminiHochberg);
  ExpectAllNear(adjusted, {0.05, 0.05, 0.05, 0.05, 0.05});
  EXPECT_EQ(CountBelow(adjusted, 0.05), 0);
}

TEST(AdjustPValuesTest, BonferroniAndNone) {
  const std::vector<double> p = {.001, .008, .039, .041, .042, .06, .074, .205, .212, .216};
  const std::vector<double> bonferroni = AdjustPValues(p, Correction::kBonferroni);
  // ref. drift.md case 10: Bonferroni threshold 0.005 -> only p = .001 drifts.
  EXPECT_NEAR(bonferroni[0], 0.01, 1e-15);
  EXPECT_NEAR(bonferroni[1], 0.08, 1e-15);
  EXPECT_EQ(bonferroni[9], 1.0);  // min(1, 2.16)
  EXPECT_EQ(CountBelow(bonferroni, 0.05), 1);
  EXPECT_EQ(AdjustPValues(p, Correction::kNone), p);
}

TEST(AdjustPValuesTest, EmptyAndSingle) {
  EXPECT_TRUE(AdjustPValues({}, Correction::kBenjaminiHochberg).empty());
  ExpectAllNear(AdjustPValues({0.03}, Correction::kBenjaminiHochberg), {0.03});
  ExpectAllNear(AdjustPValues({0.03}, Correction::kBonferroni), {0.03});
}

}  // namespace
}  // namespace greengate::drift
