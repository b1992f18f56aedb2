#pragma once

// The optional create_time range of ListDecisions (start_time <= create_time < end_time) and
// its share of the page-token binding.

#include <string>

#include "absl/status/status.h"
#include "greengate/v1/greengate.pb.h"
#include "server/store/store.h"

namespace greengate::app {

// IsValidTimestamp()
//
// Whether `t` is within 0001-01-01..9999-12-31 with nanos in [0, 1e9) (protobuf 3.21 has no
// public check). Thread-safe.
bool IsValidTimestamp(const google::protobuf::Timestamp& t);

// ApplyTimeRange()
//
// Sets filter->from_ms / to_ms from the request's start_time / end_time (each optional;
// milliseconds, sub-millisecond parts truncated). InvalidArgument naming the field for an
// invalid timestamp or end_time <= start_time. Thread-safe.
absl::Status ApplyTimeRange(const v1::ListDecisionsRequest& request, store::DecisionFilter* filter);

// The part of the page-token binding for the range in `filter`: "" without a range (so
// tokens issued before time filters existed stay valid), else "|t<from>,<to>".
std::string TimeRangeBinding(const store::DecisionFilter& filter);

}  // namespace greengate::app
