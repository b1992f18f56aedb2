// ValidateJointSample, ValidateFeatureImportance: the parts of a profile that refer to its
// features by name.

#include <cmath>
#include <cstdint>
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

absl::Status ValidateFeatureImportance(const DataProfile& reference, std::string_view field) {
  const auto by_name = ByName(reference);
  for (const auto& [name, weight] : reference.feature_importance) {
    const std::string entry =
        absl::StrCat(JoinPath(field, "feature_importance"), "[", QuoteForMessage(name), "]");
    if (!by_name.contains(name)) {
      return Invalid(entry, "is not a feature of the profile");
    }
    if (!std::isfinite(weight) || weight < 0) {
      return Invalid(entry, "must be finite and >= 0, got ", FormatDouble(weight));
    }
  }
  return absl::OkStatus();
}

}  // namespace greengate::profile
