// ValidateJointSample, ValidateImportance: the parts of a profile that refer to its features
// by name.

#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/profile/format.h"
#include "server/core/profile/limits.h"
#include "server/core/profile/validate.h"

namespace greengate::profile {
namespace {

using internal::FormatDouble;
using internal::Invalid;
using internal::JoinPath;
using internal::QuoteForMessage;

absl::flat_hash_map<absl::string_view, const FeatureProfile*> ByName(const DataProfile& p) {
  absl::flat_hash_map<absl::string_view, const FeatureProfile*> out;
  out.reserve(p.features.size());
  for (const FeatureProfile& f : p.features) out.emplace(f.name, &f);
  return out;
}

absl::Status ValidateJointFeatures(const JointSample& joint, const DataProfile& profile,
                                   std::string_view path) {
  const std::string features_path = JoinPath(path, "features");
  if (joint.features.empty()) {
    return Invalid(features_path, "must name at least one numeric feature");
  }
  if (static_cast<int64_t>(joint.features.size()) > kMaxFeatures) {
    return Invalid(features_path, "has ", joint.features.size(), " features; at most ",
                   kMaxFeatures, " are allowed");
  }
  const auto by_name = ByName(profile);
  absl::flat_hash_map<absl::string_view, std::size_t> first_index;
  for (std::size_t i = 0; i < joint.features.size(); ++i) {
    const std::string& name = joint.features[i];
    const std::string entry = absl::StrCat(features_path, "[", i, "]");
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      return Invalid(entry, QuoteForMessage(name), " is not a feature of the profile");
    }
    if (!it->second->is_numeric()) {
      return Invalid(entry, QuoteForMessage(name),
                     " is categorical; a joint sample holds numeric features only");
    }
    const auto [seen, inserted] = first_index.emplace(name, i);
    if (!inserted) {
      return Invalid(entry, QuoteForMessage(name), " is listed twice (also features[", seen->second,
                     "])");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateJointSample(const DataProfile& profile, std::string_view field) {
  if (!profile.joint) return absl::OkStatus();
  const JointSample& joint = *profile.joint;
  const std::string path = JoinPath(field, "joint");
  RETURN_IF_ERROR(ValidateJointFeatures(joint, profile, path));
  if (joint.rows < kMinJointSampleRows || joint.rows > kMaxJointSampleRows) {
    return Invalid(JoinPath(path, "rows"), "must be in [", kMinJointSampleRows, ", ",
                   kMaxJointSampleRows, "], got ", joint.rows);
  }
  const std::size_t expected = static_cast<std::size_t>(joint.rows) * joint.features.size();
  if (joint.values.size() != expected) {
    return Invalid(JoinPath(path, "values"), "has ", joint.values.size(),
                   " values; expected rows x features = ", joint.rows, " x ", joint.features.size(),
                   " = ", expected, " (row-major)");
  }
  for (std::size_t i = 0; i < joint.values.size(); ++i) {
    if (std::isfinite(joint.values[i])) continue;
    return Invalid(absl::StrCat(path, ".values[", i, "]"), "must be finite, got ",
                   FormatDouble(joint.values[i]));
  }
  if (joint.seen < joint.rows) {
    return Invalid(JoinPath(path, "seen"), "must be >= rows (", joint.rows, "), got ", joint.seen,
                   "; the reservoir holds at most the rows it drew from");
  }
  return absl::OkStatus();
}

double ImportanceTotal(const std::map<std::string, double>& importance,
                       const DataProfile& reference) {
  double total = 0;
  for (const FeatureProfile& f : reference.features) {
    const auto it = importance.find(f.name);
    if (it != importance.end()) total += it->second;
  }
  return total;
}

absl::Status ValidateImportance(const std::map<std::string, double>& importance,
                                const DataProfile& reference, std::string_view field) {
  if (importance.empty()) return absl::OkStatus();
  const auto by_name = ByName(reference);
  for (const auto& [name, weight] : importance) {
    const std::string entry =
        absl::StrCat(internal::AsAbsl(field), "[", QuoteForMessage(name), "]");
    if (!by_name.contains(name)) {
      return Invalid(entry, "is not a feature of the profile");
    }
    if (!std::isfinite(weight) || weight < 0) {
      return Invalid(entry, "must be finite and >= 0, got ", FormatDouble(weight));
    }
  }
  // The drifted share is the drifted features' weight over this total: 0 leaves it undefined,
  // and an infinite total (weights each finite, their sum not) makes it NaN.
  const double total = ImportanceTotal(importance, reference);
  if (!(total > 0)) {
    return Invalid(field,
                   "the reference's features must not all weigh 0 (features not listed weigh 0); "
                   "the drifted share divides by their total weight");
  }
  if (!std::isfinite(total)) {
    return Invalid(field, "the weights sum to ", FormatDouble(total),
                   "; their total must be finite, since the drifted share divides by it");
  }
  return absl::OkStatus();
}

absl::Status ValidateFeatureImportance(const DataProfile& reference, std::string_view field) {
  return ValidateImportance(reference.feature_importance, reference,
                            JoinPath(field, "feature_importance"));
}

}  // namespace greengate::profile
