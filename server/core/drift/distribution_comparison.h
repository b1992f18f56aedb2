#pragma once

// A two-sample test of one numeric feature's distributions, on the best evidence both
// profiles hold: every value (a reservoir that kept them all: scipy's exact result), the
// reference's fine grid (every row, within a stated bound: grid_statistics.h), or, for
// profiles without a fine grid, the reservoir samples (a sample's statistic, not the data's).
// Internal to the drift module. Pure and thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/core/drift/feature_drift.h"
#include "server/core/profile/profile.h"

namespace greengate::drift::internal {

enum class DistributionStatistic {
  kKolmogorovSmirnov,
  kCramerVonMises,
  kAndersonDarling,
  kWassersteinNorm,
  kEnergyDistance,
};

// Grids with at least this many bins carry the tests of large data (the default reference has
// 1000); coarser ones, such as an old profile's deciles, leave them to the samples, unless they pin
// the KS distance within 1 / kMinGridBins (discrete data sit on the edges, a constant on one).
inline constexpr std::size_t kMinGridBins = 100;

enum class Resolution { kAllValues, kGrid, kSample };

struct DistributionComparison {
  double statistic = 0;
  std::optional<double> p_value;  // p-value tests only
  // The interval the statistic of all the rows lies in: equal to `statistic` on all values,
  // the grid's bound on a grid (absent for Anderson-Darling, which has none), absent on samples.
  std::optional<double> lower;
  std::optional<double> upper;
  Resolution resolution = Resolution::kSample;
  std::string basis;  // what it was computed on, for the decision's `why`
};

// CompareDistributions()
//
// Runs `statistic` on the two numeric profiles. InvalidArgument naming `field` (the test's
// path) when neither a grid nor samples on both sides exist, or a sample is unsorted / NaN.
absl::StatusOr<DistributionComparison> CompareDistributions(
    DistributionStatistic statistic, const profile::FeatureProfile& reference,
    const profile::FeatureProfile& current, FeatureFields fields, std::string_view field);

// CanCompareDistributions()
//
// Whether CompareDistributions() has anything to work on: every value, a usable grid, or
// samples on both sides.
bool CanCompareDistributions(const profile::FeatureProfile& reference,
                             const profile::FeatureProfile& current);

// RecordComparison()
//
// Copies a comparison's statistic, p-value, resolution and bound into `out`.
void RecordComparison(const DistributionComparison& comparison, FeatureDrift* out);

// HowTheBoundWasUsed()
//
// For the decision's `why`: where the statistic of all the rows lies and how the decision
// used it (p-value tests: from the estimate; effect sizes: the bound against the threshold).
// Empty unless the comparison was on a grid.
std::string HowTheBoundWasUsed(const FeatureDrift& drift);

// ResolutionName()
//
// "all_values", "grid" or "sample", as decisions record it.
const char* ResolutionName(Resolution resolution);

}  // namespace greengate::drift::internal
