#include "server/app/time_range.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace greengate::app {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status CheckValid(const google::protobuf::Timestamp& t, absl::string_view field) {
  if (IsValidTimestamp(t)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid timestamp (seconds ",
                                                 t.seconds(), ", nanos ", t.nanos(), ")"));
}

}  // namespace

bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= TimeUtil::kTimestampMinSeconds &&
         t.seconds() <= TimeUtil::kTimestampMaxSeconds && t.nanos() >= 0 &&
         t.nanos() <= 999'999'999;
}

absl::Status ApplyTimeRange(const v1::ListDecisionsRequest& r, store::DecisionFilter* filter) {
  if (r.has_start_time()) {
    if (absl::Status s = CheckValid(r.start_time(), "start_time"); !s.ok()) return s;
    filter->from_ms = TimeUtil::TimestampToMilliseconds(r.start_time());
  }
  if (r.has_end_time()) {
    if (absl::Status s = CheckValid(r.end_time(), "end_time"); !s.ok()) return s;
    filter->to_ms = TimeUtil::TimestampToMilliseconds(r.end_time());
  }
  if (filter->from_ms && filter->to_ms && *filter->to_ms <= *filter->from_ms) {
    return absl::InvalidArgumentError(absl::StrCat("end_time: must be after start_time, got ",
                                                   TimeUtil::ToString(r.end_time()),
                                                   " <= ", TimeUtil::ToString(r.start_time())));
  }
  return absl::OkStatus();
}

std::string TimeRangeBinding(const store::DecisionFilter& filter) {
  if (!filter.from_ms && !filter.to_ms) return "";
  return absl::StrCat("|t", filter.from_ms ? absl::StrCat(*filter.from_ms) : "", ",",
                      filter.to_ms ? absl::StrCat(*filter.to_ms) : "");
}

}  // namespace greengate::app
