#pragma once

// Opportunity evidence without a challenger: the accuracy this model's earlier retrains reached
// is what a retrain can attain. When the data has drifted from the deployed reference and the
// deployed model scores below that level, the shortfall is the opportunity, whatever the
// deployed model's own reference says (a model retrained in bad conditions has a low reference
// that it beats once the data recovers, while a retrain would win more). Pure and thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "server/core/gain/gain.h"

namespace greengate::gain {

// Headroom needs at least this many earlier versions: the first one alone is the initial
// training, which says little about what retrains on drifted data attain.
inline constexpr int kMinAttainedVersions = 2;
// The most recent versions used: older ones describe data the model no longer sees.
inline constexpr int kMaxAttainedVersions = 8;

// EstimateHeadroomGain(): `attained` holds, oldest first, the accuracy each version deployed
// before the current one reached (its shadow-scored accuracy after deployment when reported,
// else its reference accuracy); the deployed version is left out, its own level being the
// labeled window's reference. The last kMaxAttainedVersions are used. With
// n >= kMinAttainedVersions of them, their best A (the mean would be dragged down by retrains
// in bad conditions, the very case this estimate is for), a labeled window (cur on `rows`
// rows), dataset drift and r = options.recovery_ratio (learned from realised gains like the
// labeled window's), method "headroom":
//   d = A - cur,  se = sqrt((A (1 - A) + cur (1 - cur)) / rows)  (both binomial on `rows`),
//   expected = r max(0, d), lower_bound = r max(0, d - z se), upper_bound = r max(0, d + z se)
// nullopt otherwise (no labels, too few versions, or no drift: without drift the deployed
// model was trained on data like today's). `labeled` and `options` must be valid
// (EstimateGain validates them first).
std::optional<GainEstimate> EstimateHeadroomGain(const std::vector<double>& attained,
                                                 const LabeledWindow& labeled, bool dataset_drift,
                                                 const GainOptions& options);

}  // namespace greengate::gain
