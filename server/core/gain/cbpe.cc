#include "server/core/gain/cbpe.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"

namespace greengate::gain {
namespace {

absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status ValidateScores(const ScoreSummary& s, std::string_view field) {
  if (s.rows <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(field), ".rows: must be > 0, got ", s.rows));
  }
  if (!(s.mean >= 0 && s.mean <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        AsAbsl(field), ".mean: must be in [0, 1] (a top-class confidence), got ", s.mean));
  }
  // For values in [0, 1] the sum of squared deviations is at most n mean (1 - mean).
  const double max_m2 = static_cast<double>(s.rows) * s.mean * (1 - s.mean);
  if (!(s.m2 >= 0 && s.m2 <= max_m2 * (1 + 1e-9) + 1e-12)) {
    return absl::InvalidArgumentError(absl::StrCat(
        AsAbsl(field), ".m2: must be in [0, rows x mean x (1 - mean) = ", max_m2, "], got ", s.m2));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CbpeAccuracy> EstimateAccuracyFromScores(const ScoreSummary& scores,
                                                        std::string_view field) {
  RETURN_IF_ERROR(ValidateScores(scores, field));
  const double n = static_cast<double>(scores.rows);
  const double variance = (scores.mean - scores.mean * scores.mean - scores.m2 / n) / n;
  return CbpeAccuracy{scores.mean, std::sqrt(std::max(0.0, variance))};
}

double CalibrationTolerance(double accuracy, int64_t rows) {
  const double n = static_cast<double>(std::max<int64_t>(rows, 1));
  return 3 * std::sqrt(accuracy * (1 - accuracy) / n) + 0.01;
}

absl::StatusOr<Calibration> CheckCalibration(const ScoreSummary& scores, double accuracy,
                                             int64_t evaluation_rows, std::string_view field) {
  RETURN_IF_ERROR(ValidateScores(scores, field));
  if (!(accuracy >= 0 && accuracy <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("reference.accuracy: must be in [0, 1], got ", accuracy));
  }
  Calibration out;
  out.mean_confidence = scores.mean;
  out.accuracy = accuracy;
  const int64_t rows = evaluation_rows > 0 ? evaluation_rows : scores.rows;
  out.tolerance = CalibrationTolerance(accuracy, rows);
  const double gap = std::abs(scores.mean - accuracy);
  out.calibrated = gap <= out.tolerance;
  out.detail = absl::StrFormat(
      "mean confidence %.4f vs accuracy %.4f: gap %.4f %s tolerance %.4f (3 binomial SE on %d "
      "rows + 0.01): %s",
      scores.mean, accuracy, gap, out.calibrated ? "<=" : ">", out.tolerance, rows,
      out.calibrated ? "calibrated, CBPE usable"
                     : "not calibrated, CBPE will not be used (calibrate the scores, e.g. "
                       "isotonic or Platt, and set the reference again)");
  return out;
}

}  // namespace greengate::gain
