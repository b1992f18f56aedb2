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

// Accuracy of the deployed model at deployment, on an evaluation set of `evaluation_rows`.
struct ReferenceAccuracy {
  double accuracy = 0;
  int64_t evaluation_rows = 0;
};

struct GainOptions {
  double recovery_ratio = 0.8;  // share of the degradation a retrain recovers
  double confidence = 0.95;     // one-sided level of the lower bound
};

struct GainEstimate {
  bool has_evidence = false;  // false: no labels (nothing to estimate from)
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
};

// InvalidArgument when the inputs are inconsistent (correct > rows, accuracy outside [0, 1]).
absl::StatusOr<GainEstimate> EstimateGain(const std::optional<ReferenceAccuracy>& reference,
                                          const std::optional<LabeledWindow>& labeled,
                                          const GainOptions& options);

}  // namespace greengate::gain
