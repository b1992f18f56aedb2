#pragma once

// Confidence scores and carbon forecasts: protobuf -> core.

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/evaluate.h"
#include "server/core/gain/cbpe.h"
#include "server/core/policy/deferral.h"

namespace greengate::mapping {

// The moments of a scores profile: rows = the sum of bin_counts when there are any, else
// sample_seen; mean and m2 as sent. InvalidArgument naming `field` unless the profile passes
// profile::ValidateScoreProfile (whole counts, edges, moments and values in [0, 1]).
absl::StatusOr<gain::ScoreSummary> ScoresFromProto(const v1::NumericProfile& scores,
                                                   absl::string_view field);

std::vector<policy::ForecastPoint> ForecastFromProto(const v1::ShouldRetrainRequest& request);

}  // namespace greengate::mapping
