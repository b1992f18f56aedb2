// ValidateScoreProfile, ValidateScoresAgainstReference: profiles of a model's confidence
// scores, which carry no feature name, count or missing count of their own.

#include <cmath>
#include <string>
#include <vector>

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

// Scores are top-class confidences, probabilities: every value, bin edge and moment but m2
// lies in [0, 1].
absl::Status CheckScore(double value, std::string_view path) {
  if (!std::isfinite(value)) return Invalid(path, "must be finite, got ", FormatDouble(value));
  if (value < 0 || value > 1) {
    return Invalid(path, "must be in [0, 1] (a confidence score), got ", FormatDouble(value));
  }
  return absl::OkStatus();
}

absl::Status CheckScores(const std::vector<double>& values, std::string_view path) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] >= 0 && values[i] <= 1) continue;  // the entry's path built only on error
    return CheckScore(values[i], absl::StrCat(internal::AsAbsl(path), "[", i, "]"));
  }
  return absl::OkStatus();
}

// Bin counts are rows: whole numbers >= 0 (held in doubles).
absl::Status CheckCounts(const std::vector<double>& counts, std::string_view path) {
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double c = counts[i];
    if (std::isfinite(c) && c >= 0 && std::floor(c) == c) continue;
    const std::string entry = absl::StrCat(internal::AsAbsl(path), "[", i, "]");
    if (!std::isfinite(c) || c < 0) {
      return Invalid(entry, "must be finite and >= 0, got ", FormatDouble(c));
    }
    return Invalid(entry, "must be a whole number (rows scored), got ", FormatDouble(c));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateScoreProfile(const NumericProfile& scores, std::string_view field) {
  RETURN_IF_ERROR(ValidateBinEdges(scores.bin_edges, JoinPath(field, "bin_edges")));
  RETURN_IF_ERROR(CheckScores(scores.bin_edges, JoinPath(field, "bin_edges")));
  const std::string counts_path = JoinPath(field, "bin_counts");
  if (!scores.bin_counts.empty() && scores.bin_counts.size() != scores.bin_edges.size() + 1) {
    return Invalid(counts_path, "has ", scores.bin_counts.size(), " entries; expected ",
                   scores.bin_edges.size() + 1, " (len(bin_edges) + 1) or none");
  }
  RETURN_IF_ERROR(CheckCounts(scores.bin_counts, counts_path));
  for (const auto& [name, value] : {std::pair<const char*, double>{"min", scores.min},
                                    {"max", scores.max},
                                    {"mean", scores.mean}}) {
    RETURN_IF_ERROR(CheckScore(value, JoinPath(field, name)));
  }
  if (!std::isfinite(scores.m2)) {
    return Invalid(JoinPath(field, "m2"), "must be finite, got ", FormatDouble(scores.m2));
  }
  if (scores.m2 < 0) {
    return Invalid(JoinPath(field, "m2"), "must be >= 0 (a sum of squared deviations), got ",
                   FormatDouble(scores.m2));
  }
  if (static_cast<int64_t>(scores.sample.size()) > kMaxSampleSize) {
    return Invalid(JoinPath(field, "sample"), "has ", scores.sample.size(), " values; at most ",
                   kMaxSampleSize, " are allowed");
  }
  RETURN_IF_ERROR(CheckScores(scores.sample, JoinPath(field, "sample")));
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
