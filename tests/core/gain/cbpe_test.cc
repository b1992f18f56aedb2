#include "server/core/gain/cbpe.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

// Moments of the top-class confidence max(p, 1 - p) of binary scores p, as a NumericProfile
// of the confidences would carry them (Welford).
ScoreSummary FromBinaryScores(const std::vector<double>& p) {
  ScoreSummary s;
  double mean = 0, m2 = 0;
  int64_t k = 0;
  for (double score : p) {
    const double c = std::max(score, 1 - score);
    ++k;
    const double delta = c - mean;
    mean += delta / static_cast<double>(k);
    m2 += delta * (c - mean);
  }
  s.rows = k;
  s.mean = mean;
  s.m2 = m2;
  return s;
}

// reference/drift.md §6 case 9 (NannyML CBPE formulas): expected accuracy
// (sum_{yhat=1} p + sum_{yhat=0} (1 - p)) / n. Standard errors: sqrt(sum c (1 - c)) / n with
// numpy on /usr/bin/python3 (c = numpy.maximum(p, 1 - p)).
struct Case9 {
  std::vector<double> scores;
  double accuracy;
  double standard_error;
};
const Case9 kCase9[] = {
    {{.9, .6, .2, .4}, 0.725, 0.21360009363293828},
    {{.95, .8, .7, .55, .45, .3, .1, .05}, 0.7625, 0.1403121520040228},
};

TEST(CbpeTest, ExpectedAccuracyIsTheMeanTopClassConfidence) {
  for (const Case9& c : kCase9) {
    auto estimate = EstimateAccuracyFromScores(FromBinaryScores(c.scores), "scores");
    ASSERT_TRUE(estimate.ok()) << estimate.status();
    EXPECT_NEAR(estimate->accuracy, c.accuracy, 1e-12);
    EXPECT_NEAR(estimate->standard_error, c.standard_error, 1e-12);
  }
}

TEST(CbpeTest, CertainScoresHaveNoSamplingError) {
  auto estimate = EstimateAccuracyFromScores({100, 1.0, 0.0}, "scores");
  ASSERT_TRUE(estimate.ok());
  EXPECT_EQ(estimate->accuracy, 1.0);
  EXPECT_EQ(estimate->standard_error, 0.0);
}

TEST(CbpeTest, InvalidSummariesNameTheField) {
  struct Bad {
    ScoreSummary scores;
    const char* field;
  };
  const Bad kBad[] = {
      {{0, 0.8, 0}, "scores.rows"},
      {{10, 1.2, 0}, "scores.mean"},
      {{10, NAN, 0}, "scores.mean"},
      {{10, 0.8, -1}, "scores.m2"},
      {{10, 0.8, 10 * 0.8 * 0.2 + 0.1}, "scores.m2"},  // above n mean (1 - mean)
  };
  for (const Bad& b : kBad) {
    auto estimate = EstimateAccuracyFromScores(b.scores, "scores");
    ASSERT_FALSE(estimate.ok()) << b.field;
    EXPECT_EQ(estimate.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(estimate.status().message().substr(0, std::string(b.field).size()), b.field);
  }
}

// Tolerance 3 sqrt(acc (1 - acc) / n) + 0.01: acc 0.9, n 5000 -> 0.022727922061357854
// (numpy, /usr/bin/python3).
TEST(CbpeTest, CalibrationToleranceKnownValue) {
  EXPECT_NEAR(CalibrationTolerance(0.9, 5000), 0.022727922061357854, 1e-15);
}

TEST(CbpeTest, CalibrationAcceptsScoresWithinToleranceAndRejectsBeyond) {
  // Mean confidence 0.91 vs accuracy 0.9 on 5000 rows: gap 0.01 <= 0.0227.
  auto ok = CheckCalibration({5000, 0.91, 5000 * 0.005}, 0.9, 5000, "reference.scores");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->calibrated);
  EXPECT_NE(ok->detail.find("calibrated, CBPE usable"), std::string::npos) << ok->detail;
  // Overconfident: 0.97 vs 0.9, gap 0.07 > 0.0227.
  auto bad = CheckCalibration({5000, 0.97, 5000 * 0.001}, 0.9, 5000, "reference.scores");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->calibrated);
  EXPECT_NE(bad->detail.find("not calibrated"), std::string::npos) << bad->detail;
  // Without evaluation rows the scores' own row count sets the standard error.
  auto rows = CheckCalibration({100, 0.9, 1}, 0.9, 0, "reference.scores");
  ASSERT_TRUE(rows.ok());
  EXPECT_NEAR(rows->tolerance, 3 * std::sqrt(0.09 / 100) + 0.01, 1e-15);
}

}  // namespace
}  // namespace greengate::gain
