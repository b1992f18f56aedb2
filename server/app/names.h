#pragma once

// Resource names: "models/{model_id}" and "decisions/{decision_id}".

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace greengate::app {

// model_id: 1-63 characters of [a-z0-9-], starting with a letter or digit (DNS-label-like,
// so it is safe in URLs, metrics labels and file names). InvalidArgument names `field`.
absl::Status ValidateModelId(absl::string_view model_id, absl::string_view field);

// "models/churn" -> "churn". InvalidArgument naming `field` otherwise.
absl::StatusOr<std::string> ParseModelName(absl::string_view name, absl::string_view field);
std::string ModelName(absl::string_view model_id);

// "decisions/0123abcd..." -> "0123abcd...".
absl::StatusOr<std::string> ParseDecisionName(absl::string_view name, absl::string_view field);
std::string DecisionName(absl::string_view decision_id);

}  // namespace greengate::app
