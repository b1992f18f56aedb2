#include "server/core/gain/challenger.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

// 2000 holdout rows: the proxy right on 1516, the deployed model on 1488, 1456 by both.
PairedCounts Holdout() { return PairedCounts{2000, 1516, 1488, 60, 32}; }

PastOutcome Outcome(double proxy_gain, double before, double after) {
  PastOutcome o;
  o.proxy_gain = proxy_gain;
  o.accuracy_before = before;
  o.accuracy_after = after;
  return o;
}

// One-sided 0.95 = Newcombe's paired interval at two-sided 0.90 (paired_test.cc, first case):
// difference 0.014, [0.0061239518597117574, 0.021914833922156658].
TEST(ChallengerTest, TheProxyGainAndItsNewcombeBoundAtScaleOne) {
  absl::StatusOr<GainEstimate> g =
      EstimateChallengerGain(Holdout(), ProxyScale{}, GainOptions{0.8, 0.95}, "challenger");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->method, "challenger");
  EXPECT_TRUE(g->has_evidence);
  EXPECT_NEAR(g->expected, 0.014, 1e-12);
  EXPECT_NEAR(g->lower_bound, 0.0061239518597117574, 1e-12);
  EXPECT_NEAR(g->upper_bound, 0.021914833922156658, 1e-12);
  EXPECT_NEAR(g->degradation_lower_bound, 0.0061239518597117574, 1e-12);
  EXPECT_NEAR(g->current_accuracy, 0.744, 1e-12);
  EXPECT_NEAR(g->proxy_scale, 1, 0);
  EXPECT_NE(g->evidence.find("paired"), std::string::npos) << g->evidence;
}

TEST(ChallengerTest, TheScaleMultipliesEveryBound) {
  ProxyScale scale;
  scale.scale = 1.5;
  absl::StatusOr<GainEstimate> g =
      EstimateChallengerGain(Holdout(), scale, GainOptions{0.8, 0.95}, "challenger");
  ASSERT_TRUE(g.ok());
  EXPECT_NEAR(g->expected, 0.021, 1e-12);
  EXPECT_NEAR(g->lower_bound, 1.5 * 0.0061239518597117574, 1e-12);
  EXPECT_NEAR(g->upper_bound, 1.5 * 0.021914833922156658, 1e-12);
}

TEST(ChallengerTest, AProxyThatLosesGivesNoGain) {
  PairedCounts worse{2000, 1488, 1516, 32, 60};
  absl::StatusOr<GainEstimate> g =
      EstimateChallengerGain(worse, ProxyScale{}, GainOptions{0.8, 0.95}, "challenger");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->expected, 0);
  EXPECT_EQ(g->lower_bound, 0);
  EXPECT_LT(g->degradation_lower_bound, 0);
}

// Ratios 0.03 / 0.02 = 1.5, 0.005 / 0.01 = 0.5, 0.05 / 0.01 = 5 clamped to 3 (a proxy gain of
// 0.004 is below kMinExpectedDegradation, one without a proxy gain is not counted):
// mean 5/3, w = 3 / (3 + 3) = 0.5, scale = 0.5 x 5/3 + 0.5 = 4/3.
TEST(ChallengerTest, TheScaleIsLearnedFromRealisedGainsAndShrunkToOne) {
  std::vector<PastOutcome> history = {Outcome(0.02, 0.70, 0.73), Outcome(0.01, 0.70, 0.705),
                                      Outcome(0.004, 0.70, 0.80), Outcome(0.01, 0.70, 0.75)};
  PastOutcome no_proxy;
  no_proxy.accuracy_before = 0.7;
  no_proxy.accuracy_after = 0.9;
  history.push_back(no_proxy);
  const ProxyScale scale = LearnProxyScale(history);
  EXPECT_EQ(scale.outcomes_used, 3);
  EXPECT_NEAR(scale.realised_mean, 5.0 / 3, 1e-12);
  EXPECT_NEAR(scale.scale, 4.0 / 3, 1e-12);
  EXPECT_EQ(LearnProxyScale({}).scale, 1);
}

TEST(ChallengerTest, BadCountsNameTheField) {
  PairedCounts bad{100, 120, 50, std::nullopt, std::nullopt};
  absl::StatusOr<GainEstimate> g =
      EstimateChallengerGain(bad, ProxyScale{}, GainOptions{0.8, 0.95}, "challenger");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("challenger.proxy_correct"), std::string::npos);
}

}  // namespace
}  // namespace greengate::gain
