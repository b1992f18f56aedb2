#pragma once

// A governance summary (server/core/governance/report.h): core -> protobuf.

#include "greengate/v1/greengate.pb.h"
#include "server/core/governance/report.h"

namespace greengate::mapping {

// Fills every field of `out` from `summary` (budget fields only when it has a budget).
void SummaryToProto(const governance::Summary& summary, v1::GovernanceSummary* out);

}  // namespace greengate::mapping
