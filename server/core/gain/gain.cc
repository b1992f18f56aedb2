#include "server/core/gain/gain.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/gain/normal.h"
#include "server/core/gain/proportion.h"

namespace greengate::gain {
namespace {

absl::Status ValidateLabeled(const LabeledWindow& labeled) {
  if (labeled.rows <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("labeled.rows: must be > 0, got ", labeled.rows));
  }
  if (labeled.correct < 0 || labeled.correct > labeled.rows) {
    return absl::InvalidArgumentError(absl::StrCat(
        "labeled.correct: must be in [0, labeled.rows=", labeled.rows, "], got ", labeled.correct));
  }
  return absl::OkStatus();
}

absl::Status ValidateReference(const ReferenceAccuracy& reference) {
  if (!(reference.accuracy >= 0 && reference.accuracy <= 1)) {  // also rejects NaN
    return absl::InvalidArgumentError(
        absl::StrCat("reference.accuracy: must be in [0, 1], got ", reference.accuracy));
  }
  if (reference.evaluation_rows < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("reference.evaluation_rows: must be >= 0, got ", reference.evaluation_rows));
  }
  return absl::OkStatus();
}

absl::Status ValidateOptions(const GainOptions& options) {
  if (!(options.recovery_ratio > 0 && options.recovery_ratio <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.recovery_ratio: must be in (0, 1], got ", options.recovery_ratio));
  }
  if (!(options.confidence >= 0.5 && options.confidence < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.confidence: must be in [0.5, 1), got ", options.confidence));
  }
  return absl::OkStatus();
}

std::string DescribeLabeled(const LabeledWindow& labeled, double accuracy) {
  return absl::StrFormat("labeled window: %d/%d correct (%.3f)", labeled.correct, labeled.rows,
                         accuracy);
}

std::string DescribeReference(const ReferenceAccuracy& reference) {
  if (reference.evaluation_rows == 0) {
    return absl::StrFormat("reference %.3f (evaluation size unknown: taken as exact)",
                           reference.accuracy);
  }
  return absl::StrFormat("reference %.3f on %d rows", reference.accuracy,
                         reference.evaluation_rows);
}

// Binomial variance of an accuracy measured on `rows` rows; 0 rows means exact.
double SamplingVariance(double accuracy, int64_t rows) {
  if (rows == 0) return 0;
  return accuracy * (1 - accuracy) / static_cast<double>(rows);
}

}  // namespace

absl::StatusOr<GainEstimate> EstimateGain(const std::optional<ReferenceAccuracy>& reference,
                                          const std::optional<LabeledWindow>& labeled,
                                          const GainOptions& options) {
  if (labeled) RETURN_IF_ERROR(ValidateLabeled(*labeled));
  if (reference) RETURN_IF_ERROR(ValidateReference(*reference));
  RETURN_IF_ERROR(ValidateOptions(options));

  GainEstimate out;
  out.method = "none";
  out.recovery_ratio = options.recovery_ratio;
  out.recovery_ratio_source = "policy prior";
  out.confidence = options.confidence;
  if (reference) out.reference_accuracy = reference->accuracy;
  if (!labeled) {
    out.evidence = "no labeled window: send labeled rows (rows, correct) to estimate the gain";
    return out;
  }
  out.has_labels = true;
  out.labeled_rows = labeled->rows;
  out.labeled_correct = labeled->correct;
  out.current_accuracy = static_cast<double>(labeled->correct) / static_cast<double>(labeled->rows);
  // Validated above, so the interval cannot fail; the level is two-sided.
  if (absl::StatusOr<ProportionInterval> wilson =
          WilsonInterval(labeled->correct, labeled->rows, 2 * options.confidence - 1);
      wilson.ok()) {
    out.current_accuracy_lower = wilson->lower;
    out.current_accuracy_upper = wilson->upper;
  }
  if (!reference) {
    out.evidence = absl::StrCat(DescribeLabeled(*labeled, out.current_accuracy),
                                ", but the reference has no accuracy to compare with: set the "
                                "reference accuracy to estimate the gain");
    return out;
  }

  out.has_evidence = true;
  out.method = "labeled_window";
  out.degradation = out.reference_accuracy - out.current_accuracy;
  out.standard_error =
      std::sqrt(SamplingVariance(out.reference_accuracy, reference->evaluation_rows) +
                SamplingVariance(out.current_accuracy, labeled->rows));
  const double z = NormalQuantile(options.confidence);
  const double margin = z * out.standard_error;
  const double r = options.recovery_ratio;
  out.degradation_lower_bound = out.degradation - margin;
  out.expected = r * std::max(0.0, out.degradation);
  out.lower_bound = r * std::max(0.0, out.degradation_lower_bound);
  out.upper_bound = r * std::max(0.0, out.degradation + margin);
  out.evidence = absl::StrCat(DescribeLabeled(*labeled, out.current_accuracy), " vs ",
                              DescribeReference(*reference));
  return out;
}

}  // namespace greengate::gain
