#pragma once

// Opportunity evidence from a challenger: the pipeline retrains a cheap proxy (a subsample, a
// few epochs, a smaller model) and scores it and the deployed model on the same recent labeled
// holdout. What the proxy wins over the deployed model, scaled to a full retrain by what past
// full retrains realised, is the gain. It sees what a retrain would reach now, whatever the
// deployed model's reference says. Pure and thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/core/gain/gain.h"
#include "server/core/gain/learned.h"
#include "server/core/gain/paired.h"

namespace greengate::gain {

// The scale counts as this many outcomes towards its prior of 1 (the proxy's gain taken at
// face value): as kRecoveryPriorWeight, three retrains move it half-way.
inline constexpr double kProxyScalePriorWeight = 3;
// Realised / proxy ratios are clamped to [0, kMaxProxyScale]: a proxy is cheaper than the full
// retrain and may win less, but one lucky retrain must not make every small proxy gain large.
inline constexpr double kMaxProxyScale = 3;

// The challenger's names for the paired counts in error messages (the API's field names).
inline constexpr PairedNames kChallengerNames{"proxy_correct", "deployed_correct",
                                              "proxy_only_correct", "deployed_only_correct"};

struct ProxyScale {
  double scale = 1;          // shrunk, in [0, kMaxProxyScale]
  int outcomes_used = 0;     // n
  double realised_mean = 0;  // mean realised / proxy ratio (0 when n == 0)
  std::string source;        // one line
};

// LearnProxyScale(): ratio_i = realised_gain_i / proxy_gain_i over outcomes whose decision had a
// challenger with proxy_gain_i >= kMinExpectedDegradation and a realised gain (after - before),
// each clamped to [0, kMaxProxyScale]; scale = w mean(ratio) + (1 - w) 1, w = n / (n + 3).
ProxyScale LearnProxyScale(const std::vector<PastOutcome>& outcomes);

// EstimateChallengerGain(): method "challenger". With the holdout's paired counts (first: the
// proxy, second: the deployed model) and Newcombe's paired interval at two-sided level
// 2 confidence - 1 (paired.h), d = proxy accuracy - deployed accuracy and s the learned scale:
//   expected = s max(0, d), lower_bound = s max(0, lower), upper_bound = s max(0, upper),
//   standard_error = s (upper - lower) / (2 z)  (the interval's half-width in normal units).
// current_accuracy is the deployed model's holdout accuracy; degradation is d and
// degradation_lower_bound the interval's lower end (what the deployed model lacks against the
// proxy, before scaling: a positive bound is evidence of need); recovery_ratio holds the scale.
// InvalidArgument as ValidatePairedCounts under `field` with kChallengerNames, and
// "options.confidence" as EstimateGain.
absl::StatusOr<GainEstimate> EstimateChallengerGain(const PairedCounts& holdout,
                                                    const ProxyScale& scale,
                                                    const GainOptions& options,
                                                    absl::string_view field);

}  // namespace greengate::gain
