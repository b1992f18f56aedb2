#pragma once

// Evaluation (core) -> Decision (protobuf), the record the log keeps and the caller reads.

#include "greengate/v1/greengate.pb.h"
#include "server/core/evaluate.h"

namespace greengate::mapping {

// Fills verdict, reason, checks, drift, gain and cost. Identity fields (name, model, version,
// policy version, times, idempotency key) are the caller's.
void EvaluationToDecision(const Evaluation& evaluation, v1::Decision* decision);

v1::Verdict VerdictToProto(policy::Verdict verdict);

}  // namespace greengate::mapping
