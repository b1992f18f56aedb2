#include "server/mapping/outcome_mapping.h"

#include <cmath>

#include "google/protobuf/util/time_util.h"
#include "server/common/status_macros.h"
#include "server/core/profile/validate.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::mapping {

absl::StatusOr<gain::ScoreSummary> ScoresFromProto(const v1::NumericProfile& scores,
                                                   absl::string_view field) {
  RETURN_IF_ERROR(profile::ValidateScoreProfile(NumericFromProto(scores),
                                                std::string_view(field.data(), field.size())));
  gain::ScoreSummary out;
  double counted = 0;
  for (double c : scores.bin_counts()) counted += c;
  out.rows = counted > 0 ? static_cast<int64_t>(std::llround(counted)) : scores.sample_seen();
  out.mean = scores.mean();
  out.m2 = scores.m2();
  return out;
}

std::vector<policy::ForecastPoint> ForecastFromProto(const v1::ShouldRetrainRequest& request) {
  std::vector<policy::ForecastPoint> out;
  out.reserve(request.forecast_size());
  for (const v1::CarbonForecastPoint& p : request.forecast()) {
    out.push_back(
        {absl::FromUnixMillis(google::protobuf::util::TimeUtil::TimestampToMilliseconds(p.time())),
         p.carbon_intensity_g_per_kwh()});
  }
  return out;
}

}  // namespace greengate::mapping
