#pragma once

// Feature importance given on the command line (`set-reference --importance` and
// `--importance-file`): the weights the server uses for the importance-weighted drifted
// share (DataProfile.feature_importance).

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// ParseImportancePairs()
//
// "feature=weight" items (the --importance values, already split at commas) as a map.
// Weights are finite decimal numbers >= 0; a feature named twice is an error.
// InvalidArgument naming `flag` and the item. Pure and thread-safe.
absl::StatusOr<std::map<std::string, double>> ParseImportancePairs(
    const std::vector<std::string>& items, const std::string& flag = "--importance");

// ParseImportanceCsv()
//
// The text of an importance file: one "feature,weight" (or "feature=weight") line per feature,
// as pandas writes a Series of feature importances; blank lines are skipped, and so is a
// first line whose weight is not a number or whose name is empty (a header). Errors as
// ParseImportancePairs(), with "`path` line N". Pure and thread-safe.
absl::StatusOr<std::map<std::string, double>> ParseImportanceCsv(const std::string& text,
                                                                 const std::string& path);

// SetImportance()
//
// Puts `importance` into `profile->feature_importance` (replacing what the profile had) after
// checking every name is a feature of the profile: InvalidArgument "`flag`: 'x' is not a
// feature of the profile" otherwise, so a typo fails here rather than at should-retrain.
// A profile with importance weighs every feature not listed at 0. Not thread-safe on `profile`.
absl::Status SetImportance(const std::map<std::string, double>& importance, const std::string& flag,
                           v1::DataProfile* profile);

}  // namespace greengate::client
