#include "server/core/gain/headroom.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "server/core/gain/normal.h"

namespace greengate::gain {

std::optional<GainEstimate> EstimateHeadroomGain(const std::vector<double>& attained,
                                                 const LabeledWindow& labeled,
                                                 bool dataset_drift, const GainOptions& options) {
  if (!dataset_drift || labeled.rows <= 0) return std::nullopt;
  std::vector<double> values;
  const size_t first = attained.size() > static_cast<size_t>(kMaxAttainedVersions)
                           ? attained.size() - kMaxAttainedVersions
                           : 0;
  for (size_t i = first; i < attained.size(); ++i) {
    if (attained[i] >= 0 && attained[i] <= 1) values.push_back(attained[i]);
  }
  const int n = static_cast<int>(values.size());
  if (n < kMinAttainedVersions) return std::nullopt;
  double mean = 0;
  for (double v : values) mean += v;
  mean /= n;
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  const double variance = ss / (n - 1);

  GainEstimate out;
  out.has_evidence = true;
  out.method = "headroom";
  out.confidence = options.confidence;
  out.has_labels = true;
  out.labeled_rows = labeled.rows;
  out.labeled_correct = labeled.correct;
  const double cur = static_cast<double>(labeled.correct) / static_cast<double>(labeled.rows);
  out.current_accuracy = cur;
  out.attainable_accuracy = mean;
  out.attainable_versions = n;
  out.degradation = mean - cur;
  out.standard_error =
      std::sqrt(variance / n + cur * (1 - cur) / static_cast<double>(labeled.rows));
  const double margin = NormalQuantile(options.confidence) * out.standard_error;
  const double r = options.recovery_ratio;
  out.degradation_lower_bound = out.degradation - margin;
  out.expected = r * std::max(0.0, out.degradation);
  out.lower_bound = r * std::max(0.0, out.degradation - margin);
  out.upper_bound = r * std::max(0.0, out.degradation + margin);
  out.recovery_ratio = r;
  out.evidence = absl::StrFormat(
      "headroom: the %d versions before the deployed one reached %.4f on average (SD %.4f), "
      "the deployed model scores %d/%d (%.4f) on drifted data",
      n, mean, std::sqrt(variance), labeled.correct, labeled.rows, cur);
  return out;
}

}  // namespace greengate::gain
