#pragma once

// One feature's drift test, chosen by type and reference size (DetectDrift's per-feature
// step, before the correction across features). Internal to the drift module.
// Pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/core/drift/drift.h"
#include "server/core/profile/profile.h"

namespace greengate::drift::internal {

// Where the two profiles of a feature sit in their requests, for error messages
// (e.g. "reference.features[2]", "current.features[0]"), and the rows of the reference
// profile (DataProfile::rows), which DriftOptions::large_sample_rows is compared with.
struct FeatureFields {
  std::string_view reference;
  std::string_view current;
  int64_t reference_rows = 0;
};

// ReferenceRows()
//
// The count large_sample_rows is compared with: the rows of the reference profile, or, when
// it records none (0), the feature's own rows (missing values included).
int64_t ReferenceRows(const profile::FeatureProfile& reference, FeatureFields fields);

// CompareNumeric() / CompareCategorical()
//
// Fill `test`, `statistic`, `p_value` (p-value tests only), `threshold`, `why`, `psi`,
// `jensen_shannon` and `unseen_categories`. `drifted` is decided here for effect-size tests
// only; p-value tests are decided after the correction across features. Both profiles must be
// of the function's kind. InvalidArgument (naming the field) for mismatched bins or samples
// that are unsorted or hold NaN.
absl::StatusOr<FeatureDrift> CompareNumeric(const profile::FeatureProfile& reference,
                                            const profile::FeatureProfile& current,
                                            const DriftOptions& options, FeatureFields fields);
absl::StatusOr<FeatureDrift> CompareCategorical(const profile::FeatureProfile& reference,
                                                const profile::FeatureProfile& current,
                                                const DriftOptions& options, FeatureFields fields);

// Reference rows below which a category the reference listed is compared inside `other`,
// when the reference folded categories into `other` (its list then favours lucky draws).
// Poisson noise of a count below 25 is above a fifth of it.
inline constexpr int64_t kRareReferenceCount = 25;

// Counts of both sides aligned on the sorted union of categories, `other` last (when either
// side has any). When the reference folded categories (`other` > 0), the categories it
// listed with fewer than kRareReferenceCount rows are counted in `other` on both sides.
struct AlignedCounts {
  std::vector<double> reference;
  std::vector<double> current;
  std::vector<std::string> unseen;  // in current (count > 0), not in the reference; sorted
};
AlignedCounts Align(const profile::CategoricalProfile& reference,
                    const profile::CategoricalProfile& current);

// Effect sizes every feature reports, on counts over shared bins or categories.
struct EffectSizes {
  double psi = 0;
  double jensen_shannon = 0;  // distance, base 2
};

// PSI and base-2 Jensen-Shannon distance of two count vectors of equal length; both 0 when a
// side has no counts at all (there is nothing to compare; the missing rates tell that story).
absl::StatusOr<EffectSizes> ComputeEffectSizes(absl::Span<const double> reference_counts,
                                               absl::Span<const double> current_counts);

// EffectHistograms()
//
// The counts histogram statistics (PSI, Jensen-Shannon, chi-square, ...) compare: a fine
// grid's bins (more than kMaxEffectBins) grouped into kEffectBins runs of about equal
// reference mass, the deciles Evidently and NannyML bin on, because a distance over a thousand
// sparse bins measures sampling noise, not drift; coarser bins and categories as they are.
inline constexpr std::size_t kEffectBins = 10;
inline constexpr std::size_t kMaxEffectBins = 20;
struct Histograms {
  std::vector<double> reference;
  std::vector<double> current;
};
Histograms EffectHistograms(std::vector<double> reference_counts,
                            std::vector<double> current_counts);

// Prefixes a non-OK status's message with `field` ("field: message"), keeping its code.
absl::Status WithField(const absl::Status& status, std::string_view field);

}  // namespace greengate::drift::internal
