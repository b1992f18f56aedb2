#pragma once

// Resource names as the CLI accepts them: a bare id ("churn") or the full name
// ("models/churn"). The server validates the id itself. Pure and thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// "churn" or "models/churn" -> "models/churn".
std::string ModelName(const std::string& model);
// "churn" or "models/churn" -> "churn".
std::string ModelId(const std::string& model);
// "abc" or "decisions/abc" -> "decisions/abc".
std::string DecisionName(const std::string& decision);

// "APPROVE", "reject", "Defer" -> the verdict; InvalidArgument naming `flag` otherwise.
absl::StatusOr<v1::Verdict> ParseVerdict(const std::string& text, const std::string& flag);

// Exit code of `should-retrain` for a verdict: 0 APPROVE, 10 REJECT, 11 DEFER (1 otherwise).
int VerdictExitCode(v1::Verdict verdict);

inline constexpr int kExitApprove = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitReject = 10;
inline constexpr int kExitDefer = 11;

}  // namespace greengate::client
