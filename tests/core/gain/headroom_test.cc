#include "server/core/gain/headroom.h"

#include <optional>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

// Earlier versions reached 0.80, 0.81, 0.79; the deployed model scores 1400/2000 = 0.70 on
// drifted data. A = 0.81 (the best), se = sqrt((0.81 x 0.19 + 0.7 x 0.3) / 2000)
// = 0.013488884312647952, z = scipy.stats.norm.ppf(0.95); with r = 0.8: expected 0.088,
// lower 0.8 (0.11 - z se) = 0.07025020777184984, upper 0.10574979222815034.
TEST(HeadroomTest, ShortfallAgainstWhatEarlierRetrainsReached) {
  std::optional<GainEstimate> g = EstimateHeadroomGain(
      {0.80, 0.81, 0.79}, LabeledWindow{2000, 1400}, true, GainOptions{0.8, 0.95});
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->method, "headroom");
  EXPECT_NEAR(g->attainable_accuracy, 0.81, 1e-12);
  EXPECT_EQ(g->attainable_versions, 3);
  EXPECT_NEAR(g->standard_error, 0.013488884312647952, 1e-12);
  EXPECT_NEAR(g->expected, 0.088, 1e-12);
  EXPECT_NEAR(g->lower_bound, 0.07025020777184984, 1e-12);
  EXPECT_NEAR(g->upper_bound, 0.10574979222815034, 1e-12);
}

TEST(HeadroomTest, NeedsDriftLabelsAndTwoEarlierVersions) {
  const GainOptions options{0.8, 0.95};
  EXPECT_FALSE(EstimateHeadroomGain({0.8, 0.81}, LabeledWindow{2000, 1400}, false, options));
  EXPECT_FALSE(EstimateHeadroomGain({0.8}, LabeledWindow{2000, 1400}, true, options));
  EXPECT_FALSE(EstimateHeadroomGain({}, LabeledWindow{2000, 1400}, true, options));
  EXPECT_TRUE(EstimateHeadroomGain({0.8, 0.81}, LabeledWindow{2000, 1400}, true, options));
}

TEST(HeadroomTest, OnlyTheMostRecentVersionsCount) {
  std::vector<double> attained(20, 0.95);  // old versions on data long gone
  for (int i = 0; i < kMaxAttainedVersions; ++i) attained.push_back(0.8);
  std::optional<GainEstimate> g =
      EstimateHeadroomGain(attained, LabeledWindow{1000, 700}, true, GainOptions{1, 0.95});
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->attainable_versions, kMaxAttainedVersions);
  EXPECT_NEAR(g->attainable_accuracy, 0.8, 1e-12);
}

TEST(HeadroomTest, ADeployedModelAboveWhatRetrainsReachedHasNoHeadroom) {
  std::optional<GainEstimate> g =
      EstimateHeadroomGain({0.70, 0.72}, LabeledWindow{1000, 800}, true, GainOptions{0.8, 0.95});
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->expected, 0);
  EXPECT_EQ(g->lower_bound, 0);
}

}  // namespace
}  // namespace greengate::gain
