#include "server/core/gain/evidence.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::gain {
namespace {

GainOptions Options() { return GainOptions{0.8, 0.95}; }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Wilson interval for 850/1000 at two-sided 0.90 (= 2 x 0.95 - 1), from the Wilson formula
// with z = scipy.stats.norm.ppf(0.95) on /usr/bin/python3: [0.8304836500709786,
// 0.8676275796611891] (statsmodels proportion_confint method="wilson" computes the same).
TEST(EvidenceTest, LabeledWindowCarriesTheWilsonIntervalOfCurrentAccuracy) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.labeled = LabeledWindow{1000, 850};
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->method, "labeled_window");
  EXPECT_NEAR(g->current_accuracy_lower, 0.8304836500709786, 1e-12);
  EXPECT_NEAR(g->current_accuracy_upper, 0.8676275796611891, 1e-12);
  EXPECT_EQ(g->recovery_ratio_source, "policy prior");
}

// Reference 0.9 on 5000 rows; scores: mean 0.85, variance 0.01 over 2000 rows (m2 = 20).
// CBPE SE = sqrt((0.85 - 0.85^2 - 0.01) / 2000) = 0.007664854858377948; with the reference
// se = sqrt(0.09/5000 + CBPE SE^2) = 0.008760707733967617; d = 0.05, expected 0.8 d = 0.04,
// lower 0.8 (d - z se) = 0.02847193448729728 (numpy / scipy.stats.norm.ppf(0.95)).
TEST(EvidenceTest, CalibratedScoresGiveACbpeEstimate) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.scores = ScoreSummary{2000, 0.85, 20};
  e.reference_scores_calibrated = true;
  e.reference_calibration_detail = "calibrated";
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->method, "cbpe");
  EXPECT_TRUE(g->has_evidence);
  EXPECT_NEAR(g->current_accuracy, 0.85, 1e-12);
  EXPECT_NEAR(g->standard_error, 0.008760707733967617, 1e-12);
  EXPECT_NEAR(g->expected, 0.04, 1e-12);
  EXPECT_NEAR(g->lower_bound, 0.02847193448729728, 1e-12);
}

TEST(EvidenceTest, UncalibratedOrUncheckedScoresAreNotUsedAndTheEstimateSaysWhy) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.scores = ScoreSummary{2000, 0.85, 20};
  e.reference_calibration_detail = "mean confidence 0.97 vs accuracy 0.9: not calibrated";
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->method, "none");
  EXPECT_FALSE(g->has_evidence);
  EXPECT_TRUE(Contains(g->evidence, "not calibrated")) << g->evidence;

  e.reference_calibration_detail.clear();  // the reference was set without scores
  g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->method, "none");
  EXPECT_TRUE(Contains(g->evidence, "without scores")) << g->evidence;
}

TEST(EvidenceTest, InvalidScoresAreRejectedEvenWithLabels) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.labeled = LabeledWindow{1000, 850};
  e.scores = ScoreSummary{0, 0.85, 0};
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message().substr(0, 11), "scores.rows");
}

TEST(EvidenceTest, NoEvidenceSaysWhatToSend) {
  auto g = EstimateGainFromEvidence(GainEvidence{}, Options());
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_evidence);
  EXPECT_TRUE(Contains(g->evidence, "send labeled rows")) << g->evidence;
}

// History: the regression of learned_test.cc (prediction 0.047866666666666655, SE
// 0.005864393498999797 at share 0.7) with no recovery data, so r = the prior 0.8.
TEST(EvidenceTest, HistoryRegressionWhenNoLabelsAndNoScores) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.drifted_share = 0.7;
  for (auto [x, before] : std::vector<std::pair<double, double>>{
           {0.2, 0.89}, {0.5, 0.87}, {0.8, 0.84}, {0.6, 0.865}}) {
    PastOutcome o;
    o.drifted_share = x;
    o.reference_accuracy = 0.9;
    o.accuracy_before = before;
    e.history.push_back(o);
  }
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->method, "history_regression");
  EXPECT_EQ(g->outcomes_used, 4);
  EXPECT_NEAR(g->degradation, 0.047866666666666655, 1e-12);
  EXPECT_NEAR(g->expected, 0.8 * 0.047866666666666655, 1e-12);
  // z(0.95) = 1.6448536269514722.
  EXPECT_NEAR(g->lower_bound,
              0.8 * (0.047866666666666655 - 1.6448536269514722 * 0.005864393498999797), 1e-12);
}

TEST(EvidenceTest, LearnedRecoveryRatioScalesTheLabeledGain) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 0};
  e.labeled = LabeledWindow{1000, 850};
  PastOutcome a, b;
  a.expected_degradation = 0.05;
  a.accuracy_before = 0.85;
  a.accuracy_after = 0.88;
  b.expected_degradation = 0.04;
  b.accuracy_before = 0.86;
  b.accuracy_after = 0.88;
  e.history = {a, b};
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok());
  EXPECT_NEAR(g->recovery_ratio, 0.7, 1e-12);  // learned_test.cc
  EXPECT_NEAR(g->expected, 0.7 * 0.05, 1e-12);
  EXPECT_EQ(g->outcomes_used, 2);
}

// A model retrained in bad conditions (reference 0.695) scores 1498/2000 = 0.749 once the data
// recovers: no degradation against its reference, but the versions before it reached 0.80,
// 0.79, 0.78 (headroom_test.cc's formula): A = 0.80, d = 0.051, se = 0.013190887005808213,
// so with r = 0.8 expected 0.0408 and lower 0.02344233733263149 (numpy, scipy.stats.norm).
TEST(EvidenceTest, HeadroomSeesTheOpportunityTheReferenceHides) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.695, 2000};
  e.labeled = LabeledWindow{2000, 1498};
  e.attained_accuracies = {0.80, 0.79, 0.78};
  e.dataset_drift = true;
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->method, "headroom");
  EXPECT_NEAR(g->expected, 0.8 * 0.051, 1e-12);
  EXPECT_NEAR(g->lower_bound, 0.02344233733263149, 1e-12);
  EXPECT_NEAR(g->reference_accuracy, 0.695, 0);
  EXPECT_TRUE(g->has_labels);
  EXPECT_TRUE(Contains(g->considered, "labeled_window")) << g->considered;

  e.dataset_drift = false;  // without drift the reference decides
  g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->method, "labeled_window");
  EXPECT_EQ(g->lower_bound, 0);
}

TEST(EvidenceTest, LabeledWindowKeptWhenItsBoundIsHigher) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.labeled = LabeledWindow{2000, 1600};
  e.attained_accuracies = {0.82, 0.83};
  e.dataset_drift = true;
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->method, "labeled_window");
  EXPECT_TRUE(Contains(g->considered, "headroom")) << g->considered;
}

// The challenger replaces the other estimates (challenger_test.cc has its numbers) but keeps
// the labeled window's measurements for the accuracy floor.
TEST(EvidenceTest, AChallengerReplacesTheOtherEstimatesAndKeepsTheLabels) {
  GainEvidence e;
  e.reference = ReferenceAccuracy{0.9, 5000};
  e.labeled = LabeledWindow{1000, 850};
  e.challenger = PairedCounts{2000, 1516, 1488, 60, 32};
  auto g = EstimateGainFromEvidence(e, Options());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->method, "challenger");
  EXPECT_NEAR(g->lower_bound, 0.0061239518597117574, 1e-12);
  EXPECT_TRUE(g->has_labels);
  EXPECT_EQ(g->labeled_correct, 850);
  EXPECT_NEAR(g->current_accuracy, 0.85, 1e-12);
  EXPECT_NEAR(g->current_accuracy_lower, 0.8304836500709786, 1e-12);
  EXPECT_TRUE(Contains(g->considered, "labeled_window")) << g->considered;

  e.challenger->first_correct = 2001;
  g = EstimateGainFromEvidence(e, Options());
  ASSERT_FALSE(g.ok());
  EXPECT_TRUE(Contains(std::string(g.status().message()), "challenger.proxy_correct"));
}

}  // namespace
}  // namespace greengate::gain
