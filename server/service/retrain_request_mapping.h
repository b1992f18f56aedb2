#pragma once

// RetrainRequestFromProto(): a ShouldRetrainRequest as the application takes it, core values
// only. Checks what needs no state, so bad input never reaches the store: InvalidArgument
// naming the field ("model", "current", "plan", "idempotency_key", "current.*"). The rest of
// the request (plans, labeled window, scores, forecast) is validated by the core's Evaluate,
// against the model's reference. Thread-safe.

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"
#include "server/app/retrain_request.h"

namespace greengate::service {

absl::StatusOr<app::RetrainRequest> RetrainRequestFromProto(
    const v1::ShouldRetrainRequest& request);

}  // namespace greengate::service
