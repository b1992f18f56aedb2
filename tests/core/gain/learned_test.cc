#include "server/core/gain/learned.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

PastOutcome Recovered(double expected, double before, double after) {
  PastOutcome o;
  o.expected_degradation = expected;
  o.accuracy_before = before;
  o.accuracy_after = after;
  return o;
}

TEST(LearnRecoveryRatioTest, NoHistoryIsThePrior) {
  const LearnedRecovery r = LearnRecoveryRatio({}, 0.8);
  EXPECT_EQ(r.ratio, 0.8);
  EXPECT_EQ(r.outcomes_used, 0);
  EXPECT_EQ(r.source, "policy prior");
}

// Realised (0.88 - 0.85) / 0.05 = 0.6 and (0.88 - 0.86) / 0.04 = 0.5, mean 0.55; n = 2,
// w = 2 / (2 + 3) = 0.4: 0.4 x 0.55 + 0.6 x 0.8 = 0.7 (numpy, /usr/bin/python3).
TEST(LearnRecoveryRatioTest, ShrinksTheRealisedMeanTowardsThePrior) {
  const LearnedRecovery r =
      LearnRecoveryRatio({Recovered(0.05, 0.85, 0.88), Recovered(0.04, 0.86, 0.88)}, 0.8);
  EXPECT_EQ(r.outcomes_used, 2);
  EXPECT_NEAR(r.realised_mean, 0.55, 1e-12);
  EXPECT_NEAR(r.ratio, 0.7, 1e-12);
}

TEST(LearnRecoveryRatioTest, ConvergesToTheRealisedRatioAsHistoryGrows) {
  std::vector<PastOutcome> history;
  for (int i = 0; i < 97; ++i) history.push_back(Recovered(0.05, 0.85, 0.87));  // 0.4 each
  const LearnedRecovery r = LearnRecoveryRatio(history, 0.8);
  // w = 97 / 100: 0.97 x 0.4 + 0.03 x 0.8 = 0.412.
  EXPECT_NEAR(r.ratio, 0.412, 1e-12);
}

TEST(LearnRecoveryRatioTest, SkipsUnusableOutcomesAndClampsRatios) {
  std::vector<PastOutcome> history = {
      Recovered(0.001, 0.85, 0.95),  // expected degradation too small to divide by
      PastOutcome{},                 // nothing measured
      Recovered(0.05, 0.85, 0.95),   // realised 2.0 -> clamped to 1
      Recovered(0.05, 0.85, 0.80),   // got worse: -1 -> clamped to 0
  };
  const LearnedRecovery r = LearnRecoveryRatio(history, 0.8);
  EXPECT_EQ(r.outcomes_used, 2);
  EXPECT_NEAR(r.realised_mean, 0.5, 1e-12);
  EXPECT_NEAR(r.ratio, 0.4 * 0.5 + 0.6 * 0.8, 1e-12);
}

PastOutcome Degraded(double drifted_share, double reference, double before) {
  PastOutcome o;
  o.drifted_share = drifted_share;
  o.reference_accuracy = reference;
  o.accuracy_before = before;
  return o;
}

TEST(FitDegradationTest, NeedsThreeOutcomes) {
  EXPECT_FALSE(FitDegradation({Degraded(0.2, 0.9, 0.89), Degraded(0.5, 0.9, 0.87)}, 0.5));
}

// x = [0.2, 0.5, 0.8, 0.6], y = [0.01, 0.03, 0.06, 0.035]: numpy.linalg.lstsq gives
// a = -0.008600000000000003, b = 0.08066666666666666 (scipy.stats.linregress agrees); at
// x0 = 0.7 the prediction is 0.047866666666666655 with standard error
// sqrt(s^2 (1 + x0' (X'X)^-1 x0)) = 0.005864393498999797, s^2 = RSS / 2 (/usr/bin/python3).
TEST(FitDegradationTest, LeastSquaresKnownValues) {
  const std::vector<PastOutcome> history = {Degraded(0.2, 0.9, 0.89), Degraded(0.5, 0.9, 0.87),
                                            Degraded(0.8, 0.9, 0.84), Degraded(0.6, 0.9, 0.865)};
  const auto fit = FitDegradation(history, 0.7);
  ASSERT_TRUE(fit.has_value());
  EXPECT_EQ(fit->outcomes_used, 4);
  EXPECT_NEAR(fit->intercept, -0.008600000000000003, 1e-12);
  EXPECT_NEAR(fit->slope, 0.08066666666666666, 1e-12);
  EXPECT_NEAR(fit->predicted, 0.047866666666666655, 1e-12);
  EXPECT_NEAR(fit->standard_error, 0.005864393498999797, 1e-12);
}

TEST(FitDegradationTest, EqualDriftSharesFitTheMeanOnly) {
  const auto fit = FitDegradation(
      {Degraded(0.5, 0.9, 0.88), Degraded(0.5, 0.9, 0.86), Degraded(0.5, 0.9, 0.87)}, 0.9);
  ASSERT_TRUE(fit.has_value());
  EXPECT_EQ(fit->slope, 0.0);
  EXPECT_NEAR(fit->predicted, 0.03, 1e-12);
  // s^2 = (0.01^2 + 0.01^2) / 2 = 1e-4; leverage 1/3: se = sqrt(1e-4 x 4/3).
  EXPECT_NEAR(fit->standard_error, std::sqrt(1e-4 * 4.0 / 3.0), 1e-12);
}

}  // namespace
}  // namespace greengate::gain
