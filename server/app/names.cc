#include "server/app/names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/quote.h"

namespace greengate::app {
namespace {

constexpr absl::string_view kModelsPrefix = "models/";
constexpr absl::string_view kDecisionsPrefix = "decisions/";

bool IsIdChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; }

}  // namespace

absl::Status ValidateModelId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (id.size() > 63 || id.front() == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", QuoteForMessage(id),
                     " is not a valid model id (1-63 characters of a-z, 0-9 and '-', "
                     "not starting with '-')"));
  }
  for (char c : id) {
    if (!IsIdChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", QuoteForMessage(id),
                       " is not a valid model id (only a-z, 0-9 and '-' are allowed)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseModelName(absl::string_view name, absl::string_view field) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (!absl::StartsWith(name, kModelsPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", QuoteForMessage(name), " must have the form models/{model_id}"));
  }
  absl::string_view id = name.substr(kModelsPrefix.size());
  if (absl::Status s = ValidateModelId(id, field); !s.ok()) return s;
  return std::string(id);
}

std::string ModelName(absl::string_view model_id) { return absl::StrCat(kModelsPrefix, model_id); }

absl::StatusOr<std::string> ParseDecisionName(absl::string_view name, absl::string_view field) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  absl::string_view id = name;
  if (absl::StartsWith(id, kDecisionsPrefix)) id.remove_prefix(kDecisionsPrefix.size());
  if (id.empty() || id.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", QuoteForMessage(name),
                                                   " must have the form decisions/{decision_id}"));
  }
  for (char c : id) {
    if (!absl::ascii_isxdigit(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": ", QuoteForMessage(name), " is not a decision name (decisions/{hex id})"));
    }
  }
  return std::string(id);
}

std::string DecisionName(absl::string_view decision_id) {
  return absl::StrCat(kDecisionsPrefix, decision_id);
}

}  // namespace greengate::app
