#pragma once

// Confidence-based performance estimation (CBPE, NannyML
// nannyml/performance_estimation/confidence_based/metrics.py): with calibrated scores, the
// expected accuracy of a classifier on unlabeled rows is the mean of its top-class confidence,
// acc = (sum over yhat=1 of p + sum over yhat=0 of (1 - p)) / n for binary scores p, i.e. the
// mean of max(p, 1 - p); for K classes the mean of the largest class probability.
// Pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace greengate::gain {

// Moments of the top-class confidence c_i in [0, 1] over `rows` rows (from a NumericProfile:
// rows = non-missing count, mean, m2 = sum of squared deviations).
struct ScoreSummary {
  int64_t rows = 0;
  double mean = 0;
  double m2 = 0;
};

// The expected accuracy and its standard error.
struct CbpeAccuracy {
  double accuracy = 0;        // mean confidence
  double standard_error = 0;  // sqrt(sum c_i (1 - c_i)) / n
};

// EstimateAccuracyFromScores(): accuracy = mean c. Each row is correct with probability c_i
// when the scores are calibrated, so the realised accuracy has variance
//   sum c_i (1 - c_i) / n^2 = (mean - mean^2 - m2 / n) / n   (clamped at 0).
// InvalidArgument naming `field` ("scores.rows", "scores.mean", "scores.m2") for rows <= 0,
// mean outside [0, 1], m2 < 0 or above its maximum n mean (1 - mean) for values in [0, 1].
absl::StatusOr<CbpeAccuracy> EstimateAccuracyFromScores(const ScoreSummary& scores,
                                                        std::string_view field);

// The calibration check SetReference runs on the reference's own scores.
struct Calibration {
  bool calibrated = false;
  double mean_confidence = 0;
  double accuracy = 0;
  double tolerance = 0;
  std::string detail;  // one line, with the numbers
};

// Calibration tolerance: 3 binomial standard errors of the measured accuracy plus 0.01,
//   tolerance = 3 sqrt(acc (1 - acc) / n) + 0.01,  n = evaluation_rows (scores.rows if 0).
// Three standard errors keep false alarms from sampling noise near 0.3% (normal
// approximation); the 0.01 floor absorbs a miscalibration too small to move a decision made
// in whole accuracy points, and keeps the check meaningful as n grows.
double CalibrationTolerance(double accuracy, int64_t rows);

// CheckCalibration(): calibrated when |mean confidence - accuracy| <= CalibrationTolerance.
// InvalidArgument naming `field` as EstimateAccuracyFromScores, and "reference.accuracy" for
// an accuracy outside [0, 1].
absl::StatusOr<Calibration> CheckCalibration(const ScoreSummary& scores, double accuracy,
                                             int64_t evaluation_rows, std::string_view field);

}  // namespace greengate::gain
