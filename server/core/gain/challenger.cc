#include "server/core/gain/challenger.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/gain/normal.h"

namespace greengate::gain {

ProxyScale LearnProxyScale(const std::vector<PastOutcome>& outcomes) {
  double sum = 0;
  int n = 0;
  for (const PastOutcome& o : outcomes) {
    if (!o.proxy_gain || !o.accuracy_before || !o.accuracy_after) continue;
    if (!(*o.proxy_gain >= kMinExpectedDegradation)) continue;
    const double ratio = (*o.accuracy_after - *o.accuracy_before) / *o.proxy_gain;
    if (!std::isfinite(ratio)) continue;
    sum += std::clamp(ratio, 0.0, kMaxProxyScale);
    ++n;
  }
  ProxyScale out;
  out.outcomes_used = n;
  if (n == 0) {
    out.source = "prior 1 (no outcome of a retrain approved on a challenger yet)";
    return out;
  }
  out.realised_mean = sum / n;
  const double w = n / (n + kProxyScalePriorWeight);
  out.scale = w * out.realised_mean + (1 - w);
  out.source = absl::StrFormat(
      "learned: %d full retrains realised %.3f x their proxy's gain on average, shrunk to 1 "
      "with weight n/(n+%g) = %.3f",
      n, out.realised_mean, kProxyScalePriorWeight, w);
  return out;
}

absl::StatusOr<GainEstimate> EstimateChallengerGain(const PairedCounts& holdout,
                                                    const ProxyScale& scale,
                                                    const GainOptions& options,
                                                    absl::string_view field) {
  if (!(options.confidence >= 0.5 && options.confidence < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.confidence: must be in [0.5, 1), got ", options.confidence));
  }
  RETURN_IF_ERROR(ValidatePairedCounts(holdout, field, kChallengerNames));
  GainEstimate out;
  out.confidence = options.confidence;
  // At confidence 0.5 the two-sided level is 0: the interval is the point itself.
  const double two_sided = std::max(2 * options.confidence - 1, 1e-12);
  ASSIGN_OR_RETURN(const DifferenceInterval d,
                   NewcombePairedInterval(holdout, two_sided, field, kChallengerNames));
  const double s = scale.scale;
  const double z = NormalQuantile(options.confidence);
  out.has_evidence = true;
  out.method = "challenger";
  out.current_accuracy =
      static_cast<double>(holdout.second_correct) / static_cast<double>(holdout.rows);
  // What the deployed model lacks against the proxy, before scaling.
  out.degradation = d.difference;
  out.degradation_lower_bound = d.lower;
  out.expected = s * std::max(0.0, d.difference);
  out.lower_bound = s * std::max(0.0, d.lower);
  out.upper_bound = s * std::max(0.0, d.upper);
  out.standard_error = z > 0 ? s * (d.upper - d.lower) / (2 * z) : 0;
  out.recovery_ratio = s;
  out.recovery_ratio_source = absl::StrCat("proxy scale ", scale.source);
  out.outcomes_used = scale.outcomes_used;
  out.proxy_gain = d.difference;
  out.proxy_gain_lower = d.lower;
  out.proxy_scale = s;
  out.evidence = absl::StrFormat(
      "challenger: a proxy retrain scored %d/%d on the holdout, the deployed model %d/%d "
      "(%s), proxy gain %.4f, interval [%.4f, %.4f] (Newcombe), x %.3f to a full retrain",
      holdout.first_correct, holdout.rows, holdout.second_correct, holdout.rows,
      d.paired ? absl::StrFormat("paired, phi %.3f", d.phi)
               : std::string("discordant counts not sent: pairing ignored, wider bound"),
      d.difference, d.lower, d.upper, s);
  return out;
}

}  // namespace greengate::gain
