#include "server/core/gain/proportion.h"

#include <cmath>
#include <cstdint>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

struct WilsonCase {
  int64_t successes;
  int64_t trials;
  double confidence;
  double lower;
  double upper;
};

// Expected values: statsmodels' proportion_confint(method="wilson") formula, evaluated with
// scipy 1.10.1 (statsmodels is not installed):
//   crit = scipy.stats.norm.isf((1 - confidence) / 2); c2 = crit**2; q = k / n
//   center = (q + c2 / (2 n)) / (1 + c2 / n)
//   dist = crit * sqrt(q (1 - q) / n + c2 / (4 n**2)) / (1 + c2 / n)
//   (center - dist, center + dist)
constexpr WilsonCase kWilsonCases[] = {
    {812, 1000, 0.95, 0.7866068125887822, 0.8350052901162315},
    {0, 10, 0.95, 0.0, 0.2775327998628892},
    {10, 10, 0.95, 0.7224672001371107, 0.9999999999999999},
    {1, 20, 0.9, 0.011234816850851634, 0.19600723677401644},
    {50, 100, 0.99, 0.37527962504483986, 0.6247203749551602},
    {3, 7, 0.8, 0.22598811161452578, 0.6583029463790934},
    {999999, 1000000, 0.95, 0.9999943350881957, 0.9999998234754233},
};

TEST(WilsonIntervalTest, MatchesStatsmodelsFormula) {
  for (const WilsonCase& c : kWilsonCases) {
    absl::StatusOr<ProportionInterval> got = WilsonInterval(c.successes, c.trials, c.confidence);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_NEAR(got->lower, c.lower, 1e-12 * c.lower + 1e-16) << c.successes << "/" << c.trials;
    EXPECT_NEAR(got->upper, c.upper, 1e-12 * c.upper) << c.successes << "/" << c.trials;
  }
}

TEST(WilsonIntervalTest, StaysInsideTheUnitInterval) {
  for (int64_t k : {0, 1, 49, 50}) {
    absl::StatusOr<ProportionInterval> got = WilsonInterval(k, 50, 0.999);
    ASSERT_TRUE(got.ok());
    EXPECT_GE(got->lower, 0.0);
    EXPECT_LE(got->upper, 1.0);
    EXPECT_LT(got->lower, got->upper);
  }
}

struct InvalidCase {
  int64_t successes;
  int64_t trials;
  double confidence;
  const char* field;
};

TEST(WilsonIntervalTest, RejectsInvalidArgumentsNamingThem) {
  const InvalidCase cases[] = {
      {0, 0, 0.95, "trials:"},      {-1, 10, 0.95, "successes:"},
      {11, 10, 0.95, "successes:"}, {5, 10, 0.0, "confidence:"},
      {5, 10, 1.0, "confidence:"},  {5, 10, std::nan(""), "confidence:"},
  };
  for (const InvalidCase& c : cases) {
    absl::StatusOr<ProportionInterval> got = WilsonInterval(c.successes, c.trials, c.confidence);
    ASSERT_FALSE(got.ok()) << c.field;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message().rfind(c.field, 0), 0u) << got.status();
  }
}

}  // namespace
}  // namespace greengate::gain
