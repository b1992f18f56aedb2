#pragma once

// The models a token may act on: a token file line's optional fourth field,
//
//   ci-churn  pipeline  3f9c...  models=churn,churn-eu
//   ci-fraud  pipeline  77e0...  models=fraud-*
//
// a comma-separated list of model ids, each exact or, ending in '*', a prefix. Without the
// field a token may act on every model. Pure and thread-safe.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace greengate::auth {

class ModelScope {
 public:
  // Every model.
  ModelScope() = default;

  // Parses the field's value after "models=" (e.g. "churn,fraud-*"). InvalidArgument for an
  // empty list or entry, or an entry that is not a model id (a-z, 0-9, '-', at most 63
  // characters) with an optional final '*'.
  static absl::StatusOr<ModelScope> Parse(absl::string_view list);

  bool all() const { return all_; }
  // Whether a call may act on the model with id `model_id` (no "models/" prefix).
  bool Allows(absl::string_view model_id) const;
  // "churn,fraud-*" (as the token file writes it), or "every model".
  std::string Describe() const;

 private:
  bool all_ = true;
  std::vector<std::string> names_;
  std::vector<std::string> prefixes_;  // without the '*'
};

}  // namespace greengate::auth
