#pragma once

// Two-sample statistics of all the rows, from two numeric profiles counted on the same fine
// grid (the reference's quantile edges), with a bound on how far each can be from the same
// statistic computed by scipy on every value.
//
// What a grid knows of a side exactly: its count below each edge, its count AT each edge
// (ties, which discrete data are made of), its min and max. What it does not know: where the
// other values sit inside a bin. Every estimate below places them evenly inside the bin (a
// straight line through the side's ECDF across the bin's interior, clipped to the side's own
// [min, max]); every bound lets them sit anywhere inside the bin instead. So:
//   - KS: D over the edges is exact there and can only be smaller than D over all the values;
//     the bound adds the most the two ECDFs can part inside one bin. Exact for discrete data.
//   - Wasserstein-1 and energy distance: integrals of |F - G| and (F - G)^2 over x; the bound
//     lets each ECDF take any value its bin allows across the bin's width. The outer bins,
//     which reach to min and max and are wide on heavy tails, use their sums: the signed
//     integral of F - G over them is exact, and so is |F - G|'s where the two cannot cross.
//   - Cramér-von Mises: scipy's U (mid-ranks) summed over the grid's ties and interiors,
//     exact for discrete data; Anderson-Darling: scipy's mid-rank statistic with each bin's
//     interior as one tie group (edge ties exact). Neither has a rigorous bound worth stating
//     (interleavings inside a bin move U by far more than they move the data's ranks in
//     practice; AD's weights 1 / (H (1 - H)) are unbounded at the tails): their error is
//     measured against scipy in the tests (docs/drift.md) instead.
// Pure and thread-safe. Cost O(bins) per statistic.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/core/profile/profile.h"

namespace greengate::drift {

// A statistic of the grid, with the interval scipy's value on all the rows lies in.
// `lower` == `upper` == `estimate` when the grid determines the statistic exactly.
struct GridEstimate {
  double estimate = 0;
  double lower = 0;
  double upper = 0;
};

// The two sides on one grid, checked (see MakeGridPair()).
struct GridPair {
  const profile::NumericProfile* reference = nullptr;
  const profile::NumericProfile* current = nullptr;
  int64_t n = 0;  // the reference's non-missing values
  int64_t m = 0;  // the current's
};

// MakeGridPair()
//
// Checks that both profiles count on the same edges with edge counts, and that each holds at
// least one value: InvalidArgument otherwise (callers only use grids that passed validation).
absl::StatusOr<GridPair> MakeGridPair(const profile::NumericProfile& reference,
                                      const profile::NumericProfile& current);

// GridKolmogorovSmirnov()
//
// D = sup |F_ref - F_cur|; estimate = lower = the largest gap at the grid's edges.
GridEstimate GridKolmogorovSmirnov(const GridPair& grid);

// GridCramerVonMises()
//
// Anderson's T as scipy.stats.cramervonmises_2samp computes it (mid-ranks for ties).
double GridCramerVonMises(const GridPair& grid);

// GridWasserstein1()
//
// integral |F_ref - F_cur| dx, as scipy.stats.wasserstein_distance; in the feature's units.
GridEstimate GridWasserstein1(const GridPair& grid);

// GridEnergyDistance()
//
// sqrt(2 integral (F_ref - F_cur)^2 dx), as scipy.stats.energy_distance.
GridEstimate GridEnergyDistance(const GridPair& grid);

// GridTieGroups()
//
// The grid as ascending groups of tied values for the Anderson-Darling statistic: each
// edge's ties, then each bin's interior, as (reference count, current count); empty groups
// are left out.
struct TieGroups {
  std::vector<double> reference;
  std::vector<double> current;
};
TieGroups GridTieGroups(const GridPair& grid);

}  // namespace greengate::drift
