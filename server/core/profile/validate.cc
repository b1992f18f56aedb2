#include "server/core/profile/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/core/profile/categorical_builder.h"
#include "server/core/profile/compatibility.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/format.h"
#include "server/core/profile/limits.h"

namespace greengate::profile {
namespace {

using internal::AsAbsl;
using internal::FormatDouble;
using internal::Invalid;
using internal::JoinPath;
using internal::QuoteForMessage;

absl::Status CheckFinite(double value, std::string_view path) {
  if (std::isfinite(value)) return absl::OkStatus();
  return Invalid(path, "must be finite, got ", FormatDouble(value));
}

absl::Status CheckNonNegative(int64_t value, std::string_view path) {
  if (value >= 0) return absl::OkStatus();
  return Invalid(path, "must be >= 0, got ", value);
}

absl::Status ValidateName(const std::string& name, std::string_view path) {
  if (name.empty()) return Invalid(path, "must not be empty");
  if (static_cast<int64_t>(name.size()) > kMaxFeatureNameBytes) {
    return Invalid(path, "is ", name.size(), " bytes long; at most ", kMaxFeatureNameBytes,
                   " are allowed");
  }
  return absl::OkStatus();
}

// count, missing, and count against the profile's rows.
absl::Status ValidateCounts(const FeatureProfile& f, int64_t rows, std::string_view path) {
  RETURN_IF_ERROR(CheckNonNegative(f.count, JoinPath(path, "count")));
  RETURN_IF_ERROR(CheckNonNegative(f.missing, JoinPath(path, "missing")));
  if (f.missing > f.count) {
    return Invalid(JoinPath(path, "missing"), f.missing, " exceeds count (", f.count,
                   "); missing values are counted in count");
  }
  if (rows > 0 && f.count > rows) {
    return Invalid(JoinPath(path, "count"), f.count, " exceeds the profile's rows (", rows,
                   "); a feature cannot see more rows than the dataset has");
  }
  return absl::OkStatus();
}

// Edge ties: none (profiles that predate them), or one per edge, each at most the count of the
// bin the edge opens.
absl::Status ValidateEdgeCounts(const NumericProfile& p, std::string_view path) {
  const std::string ties_path = JoinPath(path, "edge_counts");
  if (p.edge_counts.empty()) return absl::OkStatus();
  if (p.edge_counts.size() != p.bin_edges.size()) {
    return Invalid(ties_path, "has ", p.edge_counts.size(), " entries; expected ",
                   p.bin_edges.size(), " (one per edge, len(bin_edges)) or none");
  }
  RETURN_IF_ERROR(CheckFinite(p.low_bin_sum, JoinPath(path, "low_bin_sum")));
  RETURN_IF_ERROR(CheckFinite(p.high_bin_sum, JoinPath(path, "high_bin_sum")));
  for (std::size_t i = 0; i < p.edge_counts.size(); ++i) {
    const int64_t ties = p.edge_counts[i];
    if (ties >= 0 && static_cast<double>(ties) <= p.bin_counts[i + 1]) continue;
    return Invalid(absl::StrCat(ties_path, "[", i, "]"), ties, " must be in [0, bin_counts[", i + 1,
                   "] = ", FormatDouble(p.bin_counts[i + 1]),
                   "]: values equal to an edge fall in the bin it opens");
  }
  return absl::OkStatus();
}

absl::Status ValidateBinCounts(const NumericProfile& p, int64_t non_missing,
                               const FeatureProfile& f, std::string_view path) {
  const std::string counts_path = JoinPath(path, "bin_counts");
  if (p.bin_counts.size() != p.bin_edges.size() + 1) {
    return Invalid(counts_path, "has ", p.bin_counts.size(), " entries; expected ",
                   p.bin_edges.size() + 1, " (one per bin, len(bin_edges)+1)");
  }
  double sum = 0;
  for (std::size_t i = 0; i < p.bin_counts.size(); ++i) {
    if (std::isfinite(p.bin_counts[i]) && p.bin_counts[i] >= 0) {  // path built only on error
      sum += p.bin_counts[i];
      continue;
    }
    const std::string entry = absl::StrCat(counts_path, "[", i, "]");
    RETURN_IF_ERROR(CheckFinite(p.bin_counts[i], entry));
    return Invalid(entry, "must be >= 0, got ", FormatDouble(p.bin_counts[i]));
  }
  // Counts are whole numbers held in doubles, exact below 2^53; the slack only forgives
  // rounding in a client that accumulated them in floating point.
  const double expected = static_cast<double>(non_missing);
  if (std::abs(sum - expected) > 1e-9 * std::max(1.0, expected)) {
    return Invalid(counts_path, "sum to ", FormatDouble(sum), "; expected ", non_missing,
                   " (count - missing = ", f.count, " - ", f.missing,
                   "), since every non-missing value falls in exactly one bin");
  }
  return ValidateEdgeCounts(p, path);
}

absl::Status ValidateMoments(const NumericProfile& p, int64_t non_missing, std::string_view path) {
  RETURN_IF_ERROR(CheckFinite(p.min, JoinPath(path, "min")));
  RETURN_IF_ERROR(CheckFinite(p.max, JoinPath(path, "max")));
  RETURN_IF_ERROR(CheckFinite(p.mean, JoinPath(path, "mean")));
  RETURN_IF_ERROR(CheckFinite(p.m2, JoinPath(path, "m2")));
  if (p.m2 < 0) {
    return Invalid(JoinPath(path, "m2"), "must be >= 0 (a sum of squared deviations), got ",
                   FormatDouble(p.m2));
  }
  // With no values min, max and mean mean nothing (0 by convention): nothing to order.
  if (non_missing == 0) return absl::OkStatus();
  if (p.min > p.max) {
    return Invalid(JoinPath(path, "min"), FormatDouble(p.min), " exceeds max (",
                   FormatDouble(p.max), ")");
  }
  // A mean computed as sum / n can land an ulp or so outside [min, max] (ten copies of 0.1
  // average to 0.09999999999999999); forgive that, not more.
  const double slack = 1e-9 * std::max(std::abs(p.min), std::abs(p.max));
  if (p.mean < p.min - slack || p.mean > p.max + slack) {
    return Invalid(JoinPath(path, "mean"), FormatDouble(p.mean), " is outside [min, max] = [",
                   FormatDouble(p.min), ", ", FormatDouble(p.max), "]");
  }
  return absl::OkStatus();
}

absl::Status ValidateSample(const NumericProfile& p, int64_t non_missing, bool sorted,
                            std::string_view path) {
  const std::string sample_path = JoinPath(path, "sample");
  const std::string seen_path = JoinPath(path, "sample_seen");
  if (static_cast<int64_t>(p.sample.size()) > kMaxSampleSize) {
    return Invalid(sample_path, "has ", p.sample.size(), " values; at most ", kMaxSampleSize,
                   " are allowed");
  }
  RETURN_IF_ERROR(CheckNonNegative(p.sample_seen, seen_path));
  if (static_cast<int64_t>(p.sample.size()) > p.sample_seen) {
    return Invalid(sample_path, "has ", p.sample.size(), " values but sample_seen is ",
                   p.sample_seen, "; a reservoir holds at most the values it drew from");
  }
  if (p.sample_seen > non_missing) {
    return Invalid(seen_path, p.sample_seen, " exceeds count - missing (", non_missing,
                   "); the reservoir draws only from non-missing values");
  }
  for (std::size_t i = 0; i < p.sample.size(); ++i) {
    // The entry's path is only built for a bad value: samples hold up to 100k values each and
    // this runs on every ShouldRetrain.
    const bool finite = std::isfinite(p.sample[i]);
    const bool unsorted = sorted && i > 0 && p.sample[i] < p.sample[i - 1];
    if (finite && !unsorted) continue;
    const std::string entry = absl::StrCat(sample_path, "[", i, "]");
    RETURN_IF_ERROR(CheckFinite(p.sample[i], entry));
    return Invalid(entry, FormatDouble(p.sample[i]), " is less than sample[", i - 1, "] (",
                   FormatDouble(p.sample[i - 1]),
                   "); a reference's sample must be sorted ascending");
  }
  return absl::OkStatus();
}

absl::Status CheckSameEdges(const FeatureProfile& base_feature, std::string_view base_name,
                            const FeatureProfile& f, std::string_view path) {
  const std::vector<double>& want = base_feature.numeric().bin_edges;
  const std::vector<double>& got = f.numeric().bin_edges;
  const std::string edges_path = JoinPath(path, "numeric.bin_edges");
  if (got.size() != want.size()) {
    return Invalid(edges_path, "has ", got.size(), " edges but ", AsAbsl(base_name), " has ",
                   want.size(), " for feature ", QuoteForMessage(f.name), "; profile the data on ",
                   AsAbsl(base_name), "'s bin edges");
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) {
      return Invalid(absl::StrCat(edges_path, "[", i, "]"), "is ", FormatDouble(got[i]), " but ",
                     AsAbsl(base_name), " has ", FormatDouble(want[i]), " for feature ",
                     QuoteForMessage(f.name), "; profile the data on ", AsAbsl(base_name),
                     "'s bin edges exactly");
    }
  }
  return absl::OkStatus();
}

// `base`: for a current profile, the reference's numeric feature of the same name (else null).
// Its edges are compared once the profile's own are found well formed and before anything
// counted on them, so a profile counted on other edges (or none) is refused naming bin_edges.
absl::Status ValidateNumeric(const FeatureProfile& f, bool reference, const FeatureProfile* base,
                             std::string_view feature_path) {
  const std::string path = JoinPath(feature_path, "numeric");
  const NumericProfile& p = f.numeric();
  const int64_t non_missing = f.count - f.missing;
  RETURN_IF_ERROR(ValidateBinEdges(p.bin_edges, JoinPath(path, "bin_edges")));
  if (base != nullptr) RETURN_IF_ERROR(CheckSameEdges(*base, "the reference", f, feature_path));
  RETURN_IF_ERROR(ValidateBinCounts(p, non_missing, f, path));
  RETURN_IF_ERROR(ValidateMoments(p, non_missing, path));
  return ValidateSample(p, non_missing, reference, path);
}

// `unseen` names listed categories, and only a profile counted on its reference has any.
absl::Status ValidateUnseen(const CategoricalProfile& p, std::string_view path) {
  if (p.unseen.empty()) return absl::OkStatus();
  const std::string unseen_path = JoinPath(path, "unseen");
  if (!p.reference_aligned) {
    return Invalid(unseen_path,
                   "must be empty unless reference_aligned is set: only a profile "
                   "counted on its reference knows which categories the reference never saw");
  }
  for (const std::string& name : p.unseen) {
    if (!p.counts.contains(name)) {
      return Invalid(absl::StrCat(unseen_path, "[", QuoteForMessage(name), "]"),
                     "is not in counts; unseen names listed categories");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCategorical(const FeatureProfile& f, std::string_view path) {
  const CategoricalProfile& p = f.categorical();
  const std::string counts_path = JoinPath(path, "counts");
  if (static_cast<int64_t>(p.counts.size()) > kMaxCategories) {
    return Invalid(counts_path, "has ", p.counts.size(), " categories; at most ", kMaxCategories,
                   " are allowed (fold rare categories into `other`)");
  }
  const int64_t non_missing = f.count - f.missing;
  int64_t sum = 0;  // saturates at int64 max, which already exceeds any valid total
  for (const auto& [name, count] : p.counts) {
    const std::string entry = absl::StrCat(counts_path, "[", QuoteForMessage(name), "]");
    if (name.empty()) {
      return Invalid(entry, "a category must not be empty; empty values count as missing");
    }
    if (static_cast<int64_t>(name.size()) > kMaxCategoryNameBytes) {
      return Invalid(entry, "category is ", name.size(), " bytes long; at most ",
                     kMaxCategoryNameBytes, " are allowed");
    }
    RETURN_IF_ERROR(CheckNonNegative(count, entry));
    sum = count > std::numeric_limits<int64_t>::max() - sum ? std::numeric_limits<int64_t>::max()
                                                            : sum + count;
  }
  RETURN_IF_ERROR(CheckNonNegative(p.other, JoinPath(path, "other")));
  if (sum > non_missing || p.other > non_missing - sum) {
    return Invalid(path, "counts (sum ", sum, ") plus other (", p.other,
                   ") exceed count - missing = ", non_missing, " (", f.count, " - ", f.missing,
                   "); each non-missing value is counted once");
  }
  return ValidateUnseen(p, path);
}

absl::Status ValidateFeature(const FeatureProfile& f, int64_t rows, bool reference,
                             const FeatureProfile* base, std::string_view path) {
  RETURN_IF_ERROR(ValidateName(f.name, JoinPath(path, "name")));
  RETURN_IF_ERROR(ValidateCounts(f, rows, path));
  if (f.is_numeric()) return ValidateNumeric(f, reference, base, path);
  return ValidateCategorical(f, JoinPath(path, "categorical"));
}

// Every feature sees every row of the dataset (its missing values included), so `rows` is the
// largest feature count: neither left at 0 nor larger than any feature saw.
absl::Status ValidateRows(const DataProfile& profile, std::string_view field) {
  std::size_t largest = 0;
  for (std::size_t i = 1; i < profile.features.size(); ++i) {
    if (profile.features[i].count > profile.features[largest].count) largest = i;
  }
  const int64_t count = profile.features[largest].count;
  if (profile.rows == count) return absl::OkStatus();
  return Invalid(JoinPath(field, "rows"), "is ", profile.rows, " but features[", largest,
                 "].count is ", count,
                 "; rows is the dataset's row count, which every "
                 "feature's count (missing values included) equals at most and the largest "
                 "equals");
}

// The recorded options must be ones a builder accepts, since a current profile reuses them.
absl::Status ValidateOptions(const ProfileOptions& o, std::string_view path) {
  const auto check = [&](int64_t value, int64_t low, int64_t high, std::string_view name) {
    if (value >= low && value <= high) return absl::OkStatus();
    return Invalid(JoinPath(path, name), "must be in [", low, ", ", high, "], got ", value);
  };
  RETURN_IF_ERROR(check(o.top_k, 1, kMaxCategories, "top_k"));
  RETURN_IF_ERROR(
      check(o.tracked_categories, o.top_k, kMaxTrackedCategories, "tracked_categories"));
  RETURN_IF_ERROR(check(o.sample_size, 0, kMaxSampleSize, "sample_size"));
  RETURN_IF_ERROR(check(o.joint_sample_rows, 0, kMaxJointSampleRows, "joint_sample_rows"));
  return check(o.bins, 0, kMaxBinEdges + 1, "bins");
}

// `base`: the reference a current profile is for (null for a reference, or a current profile
// on its own).
absl::Status ValidateImpl(const DataProfile& profile, std::string_view field, bool reference,
                          const DataProfile* base) {
  if (profile.rows < 0) {
    return Invalid(JoinPath(field, "rows"), "must be >= 0, got ", profile.rows);
  }
  const std::string features_path = JoinPath(field, "features");
  if (profile.features.empty()) return Invalid(features_path, "must contain at least one feature");
  if (static_cast<int64_t>(profile.features.size()) > kMaxFeatures) {
    return Invalid(features_path, "has ", profile.features.size(), " features; at most ",
                   kMaxFeatures, " are allowed");
  }
  if (profile.options)
    RETURN_IF_ERROR(ValidateOptions(*profile.options, JoinPath(field, "options")));
  absl::flat_hash_map<absl::string_view, const FeatureProfile*> base_numeric;
  if (base != nullptr) {
    for (const FeatureProfile& f : base->features) {
      if (f.is_numeric()) base_numeric.emplace(f.name, &f);
    }
  }
  absl::flat_hash_map<absl::string_view, std::size_t> first_index;
  first_index.reserve(profile.features.size());
  for (std::size_t i = 0; i < profile.features.size(); ++i) {
    const FeatureProfile& f = profile.features[i];
    const std::string path = absl::StrCat(features_path, "[", i, "]");
    const auto found = base_numeric.find(f.name);
    const FeatureProfile* base_feature = found == base_numeric.end() ? nullptr : found->second;
    RETURN_IF_ERROR(ValidateFeature(f, profile.rows, reference, base_feature, path));
    const auto [it, inserted] = first_index.emplace(f.name, i);
    if (!inserted) {
      return Invalid(JoinPath(path, "name"), "duplicate feature name ", QuoteForMessage(f.name),
                     "; features[", it->second, "] has the same name");
    }
  }
  RETURN_IF_ERROR(ValidateRows(profile, field));
  RETURN_IF_ERROR(ValidateJointSample(profile, field));
  return reference ? ValidateFeatureImportance(profile, field) : absl::OkStatus();
}

}  // namespace

absl::Status ValidateProfile(const DataProfile& profile, std::string_view field) {
  return ValidateImpl(profile, field, /*reference=*/false, /*base=*/nullptr);
}

absl::Status ValidateReference(const DataProfile& reference, std::string_view field) {
  return ValidateImpl(reference, field, /*reference=*/true, /*base=*/nullptr);
}

namespace {

// A categorical feature counted on its reference lists exactly the reference's categories
// plus its unseen ones, and none of those when the reference folded categories into `other`.
absl::Status CheckAligned(const CategoricalProfile& ref, const CategoricalProfile& cur,
                          std::string_view path) {
  const std::string counts_path = JoinPath(path, "counts");
  for (const auto& entry : ref.counts) {
    if (!cur.counts.contains(entry.first) || cur.unseen.contains(entry.first)) {
      return Invalid(counts_path, "category ", QuoteForMessage(entry.first),
                     " of the reference is not counted; a profile counted on its reference "
                     "lists every reference category (0 included)");
    }
  }
  for (const auto& entry : cur.counts) {
    if (ref.counts.contains(entry.first) || cur.unseen.contains(entry.first)) continue;
    return Invalid(counts_path, "category ", QuoteForMessage(entry.first),
                   " is neither a reference category nor named in unseen");
  }
  if (ref.other > 0 && !cur.unseen.empty()) {
    return Invalid(JoinPath(path, "unseen"), "lists ", QuoteForMessage(*cur.unseen.begin()),
                   ", but the reference folded ", ref.other,
                   " rows into its `other`, so a category it does not list may be one it "
                   "folded: count those rows in `other`");
  }
  return absl::OkStatus();
}

// CheckAligned on every categorical feature counted on its reference; the features must be
// the reference's (ValidateSameFeatures).
absl::Status CheckAlignedFeatures(const DataProfile& reference, const DataProfile& current,
                                  std::string_view field) {
  absl::flat_hash_map<absl::string_view, const FeatureProfile*> by_name;
  by_name.reserve(reference.features.size());
  for (const FeatureProfile& f : reference.features) by_name.emplace(f.name, &f);
  for (std::size_t i = 0; i < current.features.size(); ++i) {
    const FeatureProfile& f = current.features[i];
    // Profiles of older clients keep their own top categories: compared as before.
    if (f.is_numeric() || !f.categorical().reference_aligned) continue;
    RETURN_IF_ERROR(
        CheckAligned(by_name.at(f.name)->categorical(), f.categorical(),
                     absl::StrCat(JoinPath(field, "features"), "[", i, "].categorical")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAgainstReference(const DataProfile& reference, const DataProfile& current,
                                      std::string_view field) {
  RETURN_IF_ERROR(ValidateSameFeatures(reference, "the reference", current, field));
  return CheckAlignedFeatures(reference, current, field);
}

absl::Status ValidateCurrent(const DataProfile& reference, const DataProfile& current,
                             std::string_view field) {
  // Each numeric feature's edges are compared with the reference's as soon as they are found
  // well formed (ValidateNumeric); then the features, kinds and categories as a whole.
  RETURN_IF_ERROR(ValidateImpl(current, field, /*reference=*/false, &reference));
  RETURN_IF_ERROR(ValidateSameFeatures(reference, "the reference", current, field));
  return CheckAlignedFeatures(reference, current, field);
}

namespace {

const char* KindName(const FeatureProfile& f) { return f.is_numeric() ? "numeric" : "categorical"; }

// Up to 10 feature names of `profile`, for "is not in ..." messages.
std::string SomeNames(const DataProfile& profile) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < profile.features.size() && i < 10; ++i) {
    names.push_back(QuoteForMessage(profile.features[i].name));
  }
  std::string out = absl::StrJoin(names, ", ");
  if (profile.features.size() > 10) absl::StrAppend(&out, ", ...");
  return out;
}

}  // namespace

absl::Status ValidateSameFeatures(const DataProfile& base, std::string_view base_name,
                                  const DataProfile& other, std::string_view field) {
  absl::flat_hash_map<absl::string_view, std::size_t> base_index;
  base_index.reserve(base.features.size());
  for (std::size_t j = 0; j < base.features.size(); ++j) {
    base_index.emplace(base.features[j].name, j);
  }
  const std::string features_path = JoinPath(field, "features");
  std::vector<bool> matched(base.features.size(), false);
  for (std::size_t i = 0; i < other.features.size(); ++i) {
    const FeatureProfile& f = other.features[i];
    const std::string path = absl::StrCat(features_path, "[", i, "]");
    const auto it = base_index.find(f.name);
    if (it == base_index.end()) {
      return Invalid(path, "feature ", QuoteForMessage(f.name), " is not in ", AsAbsl(base_name),
                     " (which has ", SomeNames(base), ")");
    }
    if (matched[it->second]) {
      return Invalid(path, "feature ", QuoteForMessage(f.name), " appears more than once");
    }
    matched[it->second] = true;
    const FeatureProfile& base_feature = base.features[it->second];
    if (f.is_numeric() != base_feature.is_numeric()) {
      return Invalid(path, "feature ", QuoteForMessage(f.name), " is ", KindName(f), " but ",
                     KindName(base_feature), " in ", AsAbsl(base_name));
    }
    if (f.is_numeric()) RETURN_IF_ERROR(CheckSameEdges(base_feature, base_name, f, path));
  }
  for (std::size_t j = 0; j < base.features.size(); ++j) {
    if (!matched[j]) {
      return Invalid(features_path, "feature ", QuoteForMessage(base.features[j].name), " of ",
                     AsAbsl(base_name), " is missing");
    }
  }
  return absl::OkStatus();
}

}  // namespace greengate::profile
