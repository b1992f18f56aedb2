#include "client/names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace greengate::client {
namespace {

constexpr char kModels[] = "models/";
constexpr char kDecisions[] = "decisions/";

}  // namespace

std::string ModelName(const std::string& model) {
  if (absl::StartsWith(model, kModels)) return model;
  return absl::StrCat(kModels, model);
}

std::string ModelId(const std::string& model) {
  if (absl::StartsWith(model, kModels)) return model.substr(sizeof(kModels) - 1);
  return model;
}

std::string DecisionName(const std::string& decision) {
  if (absl::StartsWith(decision, kDecisions)) return decision;
  return absl::StrCat(kDecisions, decision);
}

absl::StatusOr<v1::Verdict> ParseVerdict(const std::string& text, const std::string& flag) {
  const std::string upper = absl::AsciiStrToUpper(text);
  if (upper == "APPROVE") return v1::APPROVE;
  if (upper == "REJECT") return v1::REJECT;
  if (upper == "DEFER") return v1::DEFER;
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": must be APPROVE, REJECT or DEFER, got '", text, "'"));
}

int VerdictExitCode(v1::Verdict verdict) {
  switch (verdict) {
    case v1::APPROVE:
      return kExitApprove;
    case v1::REJECT:
      return kExitReject;
    case v1::DEFER:
      return kExitDefer;
    default:
      return kExitError;
  }
}

}  // namespace greengate::client
