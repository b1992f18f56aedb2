#include "server/core/gain/gain.h"

#include <cmath>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

// Relative tolerance, with an absolute floor for values that are 0.
void ExpectClose(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-12 * std::abs(expected) + 1e-15) << what;
}

struct KnownCase {
  const char* name;
  ReferenceAccuracy reference;
  LabeledWindow labeled;
  GainOptions options;
  double standard_error;
  double degradation_lower_bound;
  double expected;
  double lower_bound;
  double upper_bound;
};

// Expected values by hand, checked with /usr/bin/python3 (scipy 1.10.1), z =
// scipy.stats.norm.ppf(confidence): se = sqrt(ref (1-ref) / n_ref + cur (1-cur) / n),
// d = ref - cur, expected = r max(0, d), lower = r max(0, d - z se), upper = r max(0, d + z se).
const KnownCase kKnownCases[] = {
    // cur = 0.812, d = 0.088, se = sqrt(0.09/5000 + 0.812*0.188/1000) = sqrt(1.70656e-4),
    // z(0.95) = 1.6448536269514722.
    {"degraded",
     {0.9, 5000},
     {1000, 812},
     {0.8, 0.95},
     0.013063537040174072,
     0.06651239371865475,
     0.07039999999999998,
     0.053209914974923805,
     0.08759008502507615},
    // Reference taken as exact (no evaluation rows): se = sqrt(0.9*0.1/1000),
    // z(0.99) = 2.3263478740408408, d = 0.05.
    {"exact_reference",
     {0.95, 0},
     {1000, 900},
     {1.0, 0.99},
     0.009486832980505136,
     0.02793032626442128,
     0.04999999999999993,
     0.02793032626442128,
     0.07206967373557858},
    // Improvement: d = -0.05, every gain is 0.
    {"improved",
     {0.8, 1000},
     {1000, 850},
     {0.8, 0.95},
     0.01695582495781317,
     -0.07788985017981322,
     0.0,
     0.0,
     0.0},
    // Not significant: d = 0.02 but d - z se = -0.000186 < 0, so the lower bound is 0.
    {"not_significant",
     {0.9, 2000},
     {1000, 880},
     {0.8, 0.95},
     0.012271919165313956,
     -0.00018551074872192458,
     0.016000000000000014,
     0.0,
     0.03214840859897757},
    // confidence 0.5: z = 0, both bounds equal the expected gain.
    {"median",
     {0.9, 5000},
     {1000, 812},
     {0.8, 0.5},
     0.013063537040174072,
     0.08799999999999997,
     0.07039999999999998,
     0.07039999999999998,
     0.07039999999999998},
    // cur = 0 and an exact reference: no sampling error, se = 0, d = 0.5, r = 0.6.
    {"no_error", {0.5, 0}, {100, 0}, {0.6, 0.95}, 0.0, 0.5, 0.3, 0.3, 0.3},
    // z(0.9) = 1.2815515655446004, se = sqrt(0.09/500), d = 0.07, r = 0.5.
    {"half_recovered",
     {0.97, 0},
     {500, 450},
     {0.5, 0.9},
     0.013416407864998736,
     0.05280618149662593,
     0.034999999999999976,
     0.026403090748312964,
     0.04359690925168699},
};

TEST(EstimateGainTest, KnownValues) {
  for (const KnownCase& c : kKnownCases) {
    absl::StatusOr<GainEstimate> got = EstimateGain(c.reference, c.labeled, c.options);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_TRUE(got->has_evidence) << c.name;
    EXPECT_TRUE(got->has_labels) << c.name;
    EXPECT_EQ(got->method, "labeled_window") << c.name;
    const double current =
        static_cast<double>(c.labeled.correct) / static_cast<double>(c.labeled.rows);
    ExpectClose(got->current_accuracy, current, std::string(c.name) + " current");
    ExpectClose(got->reference_accuracy, c.reference.accuracy, std::string(c.name) + " ref");
    ExpectClose(got->degradation, c.reference.accuracy - current, std::string(c.name) + " d");
    ExpectClose(got->standard_error, c.standard_error, std::string(c.name) + " se");
    ExpectClose(got->degradation_lower_bound, c.degradation_lower_bound,
                std::string(c.name) + " d_lower");
    ExpectClose(got->expected, c.expected, std::string(c.name) + " expected");
    ExpectClose(got->lower_bound, c.lower_bound, std::string(c.name) + " lower");
    ExpectClose(got->upper_bound, c.upper_bound, std::string(c.name) + " upper");
    EXPECT_EQ(got->recovery_ratio, c.options.recovery_ratio) << c.name;
    EXPECT_EQ(got->confidence, c.options.confidence) << c.name;
    EXPECT_EQ(got->labeled_rows, c.labeled.rows) << c.name;
    EXPECT_EQ(got->labeled_correct, c.labeled.correct) << c.name;
  }
}

TEST(EstimateGainTest, EvidenceLineStatesTheCounts) {
  absl::StatusOr<GainEstimate> got =
      EstimateGain(ReferenceAccuracy{0.9, 5000}, LabeledWindow{1000, 812}, GainOptions{});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->evidence,
            "labeled window: 812/1000 correct (0.812) vs reference 0.900 on 5000 rows");

  got = EstimateGain(ReferenceAccuracy{0.95, 0}, LabeledWindow{1000, 900}, GainOptions{});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->evidence,
            "labeled window: 900/1000 correct (0.900) vs reference 0.950 (evaluation size "
            "unknown: taken as exact)");
}

TEST(EstimateGainTest, NoLabeledWindowHasNoEvidence) {
  absl::StatusOr<GainEstimate> got =
      EstimateGain(ReferenceAccuracy{0.9, 5000}, std::nullopt, GainOptions{});
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_evidence);
  EXPECT_FALSE(got->has_labels);
  EXPECT_EQ(got->method, "none");
  EXPECT_EQ(got->expected, 0);
  EXPECT_EQ(got->lower_bound, 0);
  EXPECT_EQ(got->evidence,
            "no labeled window: send labeled rows (rows, correct) to estimate the gain");
}

TEST(EstimateGainTest, LabelsWithoutReferenceAccuracyKeepTheCurrentAccuracy) {
  absl::StatusOr<GainEstimate> got =
      EstimateGain(std::nullopt, LabeledWindow{1000, 812}, GainOptions{});
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_evidence);
  EXPECT_TRUE(got->has_labels);  // an accuracy floor can still be checked
  EXPECT_EQ(got->method, "none");
  EXPECT_DOUBLE_EQ(got->current_accuracy, 0.812);
  EXPECT_EQ(got->lower_bound, 0);
  EXPECT_NE(got->evidence.find("reference has no accuracy"), std::string::npos) << got->evidence;
}

struct InvalidCase {
  std::optional<ReferenceAccuracy> reference;
  std::optional<LabeledWindow> labeled;
  GainOptions options;
  const char* field;
};

TEST(EstimateGainTest, InvalidArgumentsNameTheField) {
  const double nan = std::nan("");
  const InvalidCase cases[] = {
      {ReferenceAccuracy{0.9, 10}, LabeledWindow{0, 0}, {}, "labeled.rows:"},
      {ReferenceAccuracy{0.9, 10}, LabeledWindow{-5, 0}, {}, "labeled.rows:"},
      {ReferenceAccuracy{0.9, 10}, LabeledWindow{10, -1}, {}, "labeled.correct:"},
      {ReferenceAccuracy{0.9, 10}, LabeledWindow{10, 11}, {}, "labeled.correct:"},
      {ReferenceAccuracy{1.1, 10}, LabeledWindow{10, 5}, {}, "reference.accuracy:"},
      {ReferenceAccuracy{-0.1, 10}, std::nullopt, {}, "reference.accuracy:"},
      {ReferenceAccuracy{nan, 10}, LabeledWindow{10, 5}, {}, "reference.accuracy:"},
      {ReferenceAccuracy{0.9, -1}, LabeledWindow{10, 5}, {}, "reference.evaluation_rows:"},
      {std::nullopt, std::nullopt, {0.0, 0.95}, "options.recovery_ratio:"},
      {std::nullopt, std::nullopt, {1.5, 0.95}, "options.recovery_ratio:"},
      {std::nullopt, std::nullopt, {nan, 0.95}, "options.recovery_ratio:"},
      {std::nullopt, std::nullopt, {0.8, 0.49}, "options.confidence:"},
      {std::nullopt, std::nullopt, {0.8, 1.0}, "options.confidence:"},
      {std::nullopt, std::nullopt, {0.8, nan}, "options.confidence:"},
  };
  for (const InvalidCase& c : cases) {
    absl::StatusOr<GainEstimate> got = EstimateGain(c.reference, c.labeled, c.options);
    ASSERT_FALSE(got.ok()) << c.field;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(got.status().message().rfind(c.field, 0), 0u) << got.status();
  }
}

TEST(EstimateGainTest, BoundaryValuesAreValid) {
  // correct == rows, correct == 0, accuracy 0 and 1, recovery_ratio 1, confidence 0.5.
  EXPECT_TRUE(EstimateGain(ReferenceAccuracy{1.0, 10}, LabeledWindow{10, 10}, {1.0, 0.5}).ok());
  EXPECT_TRUE(EstimateGain(ReferenceAccuracy{0.0, 10}, LabeledWindow{10, 0}, {1.0, 0.5}).ok());
}

}  // namespace
}  // namespace greengate::gain
