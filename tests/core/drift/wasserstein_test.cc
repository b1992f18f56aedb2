#include "server/core/drift/wasserstein.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/drift/test_samples.h"

namespace greengate::drift {
namespace {

using testing::LcgSample;
using testing::Linspace;
using testing::Sorted;

TEST(WassersteinTest, EvidentlyCase7) {
  // ref. drift.md case 7; scipy 1.10.1 stats.wasserstein_distance(a, b) = 4.162500000000001,
  // np.std(a) = 5.328094757978691, normed 0.781236105789365.
  const std::vector<double> a = {38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0};
  const std::vector<double> b = {39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8};
  absl::StatusOr<double> w1 = Wasserstein1(a, b);
  ASSERT_TRUE(w1.ok()) << w1.status();
  EXPECT_NEAR(*w1, 4.162500000000001, 1e-13);
  EXPECT_NEAR(PopulationStd(a), 5.328094757978691, 1e-13);
  absl::StatusOr<double> normed = NormedWasserstein(a, b);
  ASSERT_TRUE(normed.ok());
  EXPECT_NEAR(*normed, 0.781236105789365, 1e-13);

  // x = linspace(0, 1, 100), y = linspace(0.2, 1.2, 100): W1 = 0.2, normed 0.6859264169755751.
  absl::StatusOr<double> lin = NormedWasserstein(Linspace(0, 1, 100), Linspace(0.2, 1.2, 100));
  ASSERT_TRUE(lin.ok());
  EXPECT_NEAR(*lin, 0.6859264169755751, 1e-13);
}

TEST(WassersteinTest, GeneratedSamplesWithTies) {
  // scipy 1.10.1: a = sample(1, 1000, 0.0), b = sample(2, 700, 1.5) (test_samples.h);
  // stats.wasserstein_distance(a, b) = 1.2624571428571427, / np.std(a) = 0.06330053112163038.
  const std::vector<double> a = Sorted(LcgSample(1, 1000, 0.0));
  const std::vector<double> b = LcgSample(2, 700, 1.5);
  absl::StatusOr<double> w1 = Wasserstein1(a, b);
  ASSERT_TRUE(w1.ok());
  EXPECT_NEAR(*w1, 1.2624571428571427, 1e-12);
  absl::StatusOr<double> normed = NormedWasserstein(a, b);
  ASSERT_TRUE(normed.ok());
  EXPECT_NEAR(*normed, 0.06330053112163038, 1e-12);
  absl::StatusOr<double> sorted = Wasserstein1Sorted(a, Sorted(b));
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ(*sorted, *w1);
}

TEST(WassersteinTest, ConstantReferenceDoesNotDivideByZero) {
  // scipy: wasserstein_distance([3.]*5, [4.]*4) = 1.0; std 0 -> floor 0.001 (Evidently).
  const std::vector<double> constant(5, 3.0);
  absl::StatusOr<double> same = NormedWasserstein(constant, std::vector<double>(4, 3.0));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, 0.0);
  absl::StatusOr<double> moved = NormedWasserstein(constant, std::vector<double>(4, 4.0));
  ASSERT_TRUE(moved.ok());
  EXPECT_NEAR(*moved, 1000.0, 1e-9);
  EXPECT_EQ(NormalizeWasserstein(2.0, 0.0), 2000.0);
  EXPECT_EQ(NormalizeWasserstein(2.0, 4.0), 0.5);
}

struct WeightedCase {
  std::vector<double> u_values, v_values, u_weights, v_weights;
  double expected;
};

TEST(WassersteinTest, WeightedMatchesScipy) {
  // ref. drift.md case 8 (scipy TestWassersteinDistance):
  // wasserstein_distance(u_values, v_values, u_weights, v_weights).
  const WeightedCase cases[] = {
      {{0, 1}, {0}, {1, 1}, {1}, 0.5},
      {{0, 1}, {0}, {3, 1}, {1}, 0.25},
      {{4.5, 6.7, 2.1}, {4.6, 7, 9.2}, {3, 1, 1}, {1, 3, 1}, 2.5},
  };
  for (const WeightedCase& c : cases) {
    absl::StatusOr<double> w =
        WeightedWasserstein1(c.u_values, c.u_weights, c.v_values, c.v_weights);
    ASSERT_TRUE(w.ok()) << w.status();
    EXPECT_NEAR(*w, c.expected, 1e-14);
  }
}

TEST(WassersteinTest, UnitWeightsEqualUnweighted) {
  const std::vector<double> a = LcgSample(3, 50, 0.0);
  const std::vector<double> b = LcgSample(4, 30, 2.0);
  absl::StatusOr<double> weighted =
      WeightedWasserstein1(a, std::vector<double>(50, 1.0), b, std::vector<double>(30, 1.0));
  absl::StatusOr<double> plain = Wasserstein1(Sorted(a), b);
  ASSERT_TRUE(weighted.ok() && plain.ok());
  EXPECT_NEAR(*weighted, *plain, 1e-12);
}

TEST(WassersteinTest, RejectsBadInput) {
  const std::vector<double> ok = {1, 2};
  EXPECT_FALSE(Wasserstein1({}, ok).ok());
  EXPECT_FALSE(Wasserstein1({2, 1}, ok).ok());
  EXPECT_FALSE(Wasserstein1(ok, {NAN}).ok());
  EXPECT_FALSE(WeightedWasserstein1(ok, {1}, ok, {1, 1}).ok());      // length mismatch
  EXPECT_FALSE(WeightedWasserstein1(ok, {1, -1}, ok, {1, 1}).ok());  // negative weight
  EXPECT_FALSE(WeightedWasserstein1(ok, {0, 0}, ok, {1, 1}).ok());   // zero total
  EXPECT_FALSE(WeightedWasserstein1({1, INFINITY}, {1, 1}, ok, {1, 1}).ok());
}

}  // namespace
}  // namespace greengate::drift
