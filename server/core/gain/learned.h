#pragma once

// What past retrains of a model teach the gain estimate: the share of the expected
// degradation a retrain really recovered, and how degradation grows with drift. Both come
// from the model's reported outcomes. Pure and thread-safe.

#include <optional>
#include <string>
#include <vector>

namespace greengate::gain {

// One reported outcome of an approved retrain, with what its decision expected.
struct PastOutcome {
  std::optional<double> expected_degradation;  // reference - current accuracy at the decision
  std::optional<double> reference_accuracy;    // the decision's reference accuracy
  std::optional<double> accuracy_before;       // measured on the outcome's evaluation set
  std::optional<double> accuracy_after;
  double drifted_share = 0;  // the decision's share of drifted features, in [0, 1]
  std::string plan;          // name of the plan the retrain ran ("" when unnamed)
  // The decision's challenger: proxy accuracy - deployed accuracy on its holdout, when the
  // decision had one (challenger.h learns the proxy-to-full-retrain scale from it).
  std::optional<double> proxy_gain;
};

// The prior counts as this many outcomes: with n outcomes the learned ratio weighs their mean
// n / (n + k). k = 3 lets three retrains move the ratio half-way, so one odd retrain cannot
// swing the gate while a consistent history takes over within a handful of retrains.
inline constexpr double kRecoveryPriorWeight = 3;

// Expected degradations below this (accuracy fraction) are not used as denominators: the
// realised/expected ratio of a half-point expectation is mostly noise.
inline constexpr double kMinExpectedDegradation = 0.005;

struct LearnedRecovery {
  double ratio = 0;          // shrunk ratio, in [0.01, 1]
  int outcomes_used = 0;     // n
  double realised_mean = 0;  // mean of the realised ratios (0 when n == 0)
  std::string source;        // one line: prior, n, realised mean, weight
};

// LearnRecoveryRatio(): realised_i = (accuracy_after - accuracy_before) / expected_degradation
// for outcomes with all three and expected_degradation >= kMinExpectedDegradation, each clamped
// to [0, 1]; ratio = w mean(realised) + (1 - w) prior with w = n / (n + kRecoveryPriorWeight),
// clamped to [0.01, 1] (a ratio of 0 would make every gain 0, which the data cannot show with
// a clamp at 0). With n == 0 the ratio is the prior.
LearnedRecovery LearnRecoveryRatio(const std::vector<PastOutcome>& outcomes, double prior);

// Least-squares fit of degradation_i = a + b drifted_share_i, where degradation_i =
// reference_accuracy_i - accuracy_before_i, over outcomes with both; needs >= 3 of them.
struct DegradationFit {
  double intercept = 0;       // a
  double slope = 0;           // b (0 when every drifted share is equal: intercept-only fit)
  double predicted = 0;       // a + b x at the requested drifted share
  double standard_error = 0;  // of a new observation: sqrt(s^2 (1 + x0' (X'X)^-1 x0))
  int outcomes_used = 0;
  std::string detail;
};

// FitDegradation(): nullopt with fewer than 3 usable outcomes. Solved with Eigen's
// column-pivoting QR; s^2 = RSS / (n - p), p = 2 (1 for the intercept-only fit).
std::optional<DegradationFit> FitDegradation(const std::vector<PastOutcome>& outcomes,
                                             double drifted_share);

}  // namespace greengate::gain
