// ValidateScoreProfile, ValidateScoresAgainstReference: profiles of a model's confidence
// scores, which carry no feature name, count or missing count of their own.

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/format.h"
#include "server/core/profile/limits.h"
#include "server/core/profile/validate.h"

namespace greengate::profile {
namespace {

using internal::FormatDouble;
using internal::Invalid;
using internal::JoinPath;

absl::Status CheckFiniteValues(const std::vector<double>& values, bool non_negative,
                               std::string_view path) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i]) && (!non_negative || values[i] >= 0)) continue;
    return Invalid(absl::StrCat(internal::AsAbsl(path), "[", i, "]"), "must be finite",
                   non_negative ? " and >= 0" : "", ", got ", FormatDouble(values[i]));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateScoreProfile(const NumericProfile& scores, std::string_view field) {
  RETURN_IF_ERROR(ValidateBinEdges(scores.bin_edges, JoinPath(field, "bin_edges")));
  const std::string counts_path = JoinPath(field, "bin_counts");
  if (!scores.bin_counts.empty() && scores.bin_counts.size() != scores.bin_edges.size() + 1) {
    return Invalid(counts_path, "has ", scores.bin_counts.size(), " entries; expected ",
                   scores.bin_edges.size() + 1, " (len(bin_edges) + 1) or none");
  }
  RETURN_IF_ERROR(CheckFiniteValues(scores.bin_counts, /*non_negative=*/true, counts_path));
  for (const auto& [name, value] : {std::pair<const char*, double>{"min", scores.min},
                                    {"max", scores.max},
                                    {"mean", scores.mean},
                                    {"m2", scores.m2}}) {
    if (!std::isfinite(value)) {
      return Invalid(JoinPath(field, name), "must be finite, got ", FormatDouble(value));
    }
  }
  if (scores.m2 < 0) {
    return Invalid(JoinPath(field, "m2"), "must be >= 0 (a sum of squared deviations), got ",
                   FormatDouble(scores.m2));
  }
  if (static_cast<int64_t>(scores.sample.size()) > kMaxSampleSize) {
    return Invalid(JoinPath(field, "sample"), "has ", scores.sample.size(), " values; at most ",
                   kMaxSampleSize, " are allowed");
  }
  RETURN_IF_ERROR(
      CheckFiniteValues(scores.sample, /*non_negative=*/false, JoinPath(field, "sample")));
  if (scores.sample_seen < 0) {
    return Invalid(JoinPath(field, "sample_seen"), "must be >= 0, got ", scores.sample_seen);
  }
  return absl::OkStatus();
}

absl::Status ValidateScoresAgainstReference(const NumericProfile& reference,
                                            const NumericProfile& current, std::string_view field) {
  const std::string path = JoinPath(field, "bin_edges");
  if (current.bin_edges.size() != reference.bin_edges.size()) {
    return Invalid(path, "has ", current.bin_edges.size(),
                   " edges but the reference's scores have ", reference.bin_edges.size(),
                   "; count the scores on the reference scores' bin edges (GetReference)");
  }
  for (std::size_t i = 0; i < current.bin_edges.size(); ++i) {
    if (current.bin_edges[i] == reference.bin_edges[i]) continue;
    return Invalid(absl::StrCat(path, "[", i, "]"), "is ", FormatDouble(current.bin_edges[i]),
                   " but the reference's scores have ", FormatDouble(reference.bin_edges[i]),
                   "; count the scores on the reference scores' bin edges exactly");
  }
  return absl::OkStatus();
}

}  // namespace greengate::profile
