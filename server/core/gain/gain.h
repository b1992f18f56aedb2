#pragma once

// Expected accuracy gain of retraining, with a confidence bound. Accuracies are fractions in
// [0, 1]; a gain of 0.02 is two accuracy points. Pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace greengate::gain {

// Accuracy of the deployed model on recently labeled rows.
struct LabeledWindow {
  int64_t rows = 0;
  int64_t correct = 0;
};

// Accuracy of the deployed model at deployment, on an evaluation set of `evaluation_rows`
// (0: unknown size; the accuracy is then taken as exact, with no sampling error).
struct ReferenceAccuracy {
  double accuracy = 0;
  int64_t evaluation_rows = 0;
};

// How a degradation becomes a gain: the share a retrain recovers, and the confidence level.
struct GainOptions {
  double recovery_ratio = 0.8;  // share of the degradation a retrain recovers
  double confidence = 0.95;     // one-sided level of the lower bound
};

// The gain of retraining, as an accuracy fraction (0.02 = two points). With a labeled window
// and a reference accuracy (method "labeled_window"):
//   degradation d = reference_accuracy - current_accuracy,
//   standard_error = sqrt(ref (1 - ref) / evaluation_rows + cur (1 - cur) / rows)  (binomial;
//                    the reference term is dropped when evaluation_rows == 0: taken as exact),
//   z = the standard normal quantile at `confidence` (one-sided),
//   expected = r max(0, d), lower_bound = r max(0, d - z se), upper_bound = r max(0, d + z se)
// with r = recovery_ratio. Otherwise has_evidence is false, method "none", the gain fields are
// 0 and `evidence` says what is missing.
struct GainEstimate {
  bool has_evidence = false;  // false: no labels, or no reference accuracy to compare with
  double expected = 0;        // recovery_ratio * max(0, degradation)
  double lower_bound = 0;     // one-sided, at `confidence`, never below 0
  double upper_bound = 0;
  double standard_error = 0;  // of the degradation
  std::string method;         // "labeled_window" or "none"
  double reference_accuracy = 0;
  double current_accuracy = 0;
  double degradation = 0;  // reference_accuracy - current_accuracy (may be negative)
  double recovery_ratio = 0;
  std::string evidence;  // one line: what the estimate rests on
  // Added for the policy. A labeled window was given: current_accuracy = labeled_correct /
  // labeled_rows is measured even when has_evidence is false (no reference accuracy), so an
  // accuracy floor can still be checked.
  bool has_labels = false;
  int64_t labeled_rows = 0;
  int64_t labeled_correct = 0;
  double confidence = 0;               // the one-sided level used for the bounds
  double degradation_lower_bound = 0;  // d - z se, before recovery_ratio (may be negative)
  // Wilson score interval of current_accuracy (labeled window only), two-sided at level
  // 2 x confidence - 1, so each end is a one-sided bound at `confidence`.
  double current_accuracy_lower = 0;
  double current_accuracy_upper = 0;
  int outcomes_used = 0;              // past outcomes behind recovery_ratio or degradation
  std::string recovery_ratio_source;  // "policy prior" or how history moved it
  // Opportunity evidence (challenger.h, headroom.h). Method "challenger": the proxy's gain on
  // the holdout, its lower bound, and the scale to a full retrain (also in recovery_ratio).
  double proxy_gain = 0;
  double proxy_gain_lower = 0;
  double proxy_scale = 0;
  // Method "headroom": the accuracy past retrains reached (mean), from this many versions.
  double attainable_accuracy = 0;
  int attainable_versions = 0;
  // The other estimates weighed and why this one was kept (one line; empty with one method).
  std::string considered;
};

// EstimateGain(): see GainEstimate. InvalidArgument naming the field for inconsistent inputs:
// "labeled.rows" (<= 0), "labeled.correct" (outside [0, rows]), "reference.accuracy"
// (outside [0, 1] or NaN), "reference.evaluation_rows" (< 0), "options.recovery_ratio"
// (outside (0, 1]), "options.confidence" (outside [0.5, 1)). A labeled window without a
// reference accuracy is not an error: has_evidence is false and `evidence` says why.
// Pure and thread-safe.
absl::StatusOr<GainEstimate> EstimateGain(const std::optional<ReferenceAccuracy>& reference,
                                          const std::optional<LabeledWindow>& labeled,
                                          const GainOptions& options);

}  // namespace greengate::gain
