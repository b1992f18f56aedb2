#include "server/core/gain/headroom.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "server/core/gain/normal.h"

namespace greengate::gain {

std::optional<GainEstimate> EstimateHeadroomGain(const std::vector<double>& attained,
                                                 const LabeledWindow& labeled, bool dataset_drift,
                                                 const GainOptions& options) {
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
  // The best level a recent retrain reached: what a retrain on good data attains. (The mean
  // would be dragged down by retrains in bad conditions, the very case headroom is for.)
  const double best = *std::max_element(values.begin(), values.end());
  const double rows = static_cast<double>(labeled.rows);

  GainEstimate out;
  out.has_evidence = true;
  out.method = "headroom";
  out.confidence = options.confidence;
  out.has_labels = true;
  out.labeled_rows = labeled.rows;
  out.labeled_correct = labeled.correct;
  const double cur = static_cast<double>(labeled.correct) / static_cast<double>(labeled.rows);
  out.current_accuracy = cur;
  out.attainable_accuracy = best;
  out.attainable_versions = n;
  out.degradation = best - cur;
  // Both accuracies as binomial measurements on a window of the labeled window's size.
  out.standard_error = std::sqrt((best * (1 - best) + cur * (1 - cur)) / rows);
  const double margin = NormalQuantile(options.confidence) * out.standard_error;
  const double r = options.recovery_ratio;
  out.degradation_lower_bound = out.degradation - margin;
  out.expected = r * std::max(0.0, out.degradation);
  out.lower_bound = r * std::max(0.0, out.degradation - margin);
  out.upper_bound = r * std::max(0.0, out.degradation + margin);
  out.recovery_ratio = r;
  out.evidence = absl::StrFormat(
      "headroom: the best of the last %d earlier versions reached %.4f, the deployed model "
      "scores %d/%d (%.4f) on drifted data",
      n, best, labeled.correct, labeled.rows, cur);
  return out;
}

}  // namespace greengate::gain
