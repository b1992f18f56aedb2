#include "server/core/drift/distribution_comparison.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/drift/anderson_darling.h"
#include "server/core/drift/cramer_von_mises.h"
#include "server/core/drift/energy_distance.h"
#include "server/core/drift/grid_statistics.h"
#include "server/core/drift/ks.h"
#include "server/core/drift/sorted_sample.h"
#include "server/core/drift/wasserstein.h"

namespace greengate::drift::internal {
namespace {

int64_t NonMissing(const profile::FeatureProfile& f) { return f.count - f.missing; }

// Standard deviation (ddof 0) of all the reference's non-missing values, from the profile's
// sum of squares; the sample's own std for a profile without values counted.
double ReferenceStd(const profile::FeatureProfile& f) {
  const int64_t rows = NonMissing(f);
  if (rows > 0) return std::sqrt(std::max(0.0, f.numeric().m2) / static_cast<double>(rows));
  return PopulationStd(f.numeric().sample);
}

bool HoldsEveryValue(const profile::FeatureProfile& f) {
  const auto& sample = f.numeric().sample;
  return !sample.empty() && static_cast<int64_t>(sample.size()) == NonMissing(f);
}

// A grid both sides counted on, fine enough to stand for every row (see kMinGridBins).
bool GridUsable(const profile::FeatureProfile& reference, const profile::FeatureProfile& current) {
  const profile::NumericProfile& r = reference.numeric();
  const profile::NumericProfile& c = current.numeric();
  const std::size_t edges = r.bin_edges.size();
  if (NonMissing(reference) <= 0 || NonMissing(current) <= 0) return false;
  if (r.edge_counts.size() != edges || c.edge_counts.size() != edges ||
      c.bin_edges != r.bin_edges || r.bin_counts.size() != edges + 1 ||
      c.bin_counts.size() != edges + 1) {
    return false;
  }
  if (edges + 1 >= kMinGridBins) return true;
  // Coarse, but fine where it matters: discrete data sit on the edges, a constant side on one
  // edge. Usable when it pins the KS distance as closely as a fine grid does.
  absl::StatusOr<GridPair> grid = MakeGridPair(r, c);
  if (!grid.ok()) return false;
  const GridEstimate ks = GridKolmogorovSmirnov(*grid);
  return ks.upper - ks.lower <= 1.0 / static_cast<double>(kMinGridBins);
}

absl::StatusOr<DistributionComparison> OnSamples(DistributionStatistic statistic,
                                                 const profile::FeatureProfile& reference,
                                                 absl::Span<const double> ref,
                                                 absl::Span<const double> cur,
                                                 std::string_view field) {
  DistributionComparison out;
  switch (statistic) {
    case DistributionStatistic::kKolmogorovSmirnov: {
      ASSIGN_OR_RETURN(const KsResult r, KolmogorovSmirnovSorted(ref, cur));
      out.statistic = r.statistic;
      out.p_value = r.p_value;
      out.basis = r.method == KsMethod::kExact ? "exact p" : "asymptotic p";
      break;
    }
    case DistributionStatistic::kCramerVonMises: {
      absl::StatusOr<CvmResult> r = CramerVonMisesSorted(ref, cur);
      if (!r.ok()) return WithField(r.status(), field);
      out.statistic = r->statistic;
      out.p_value = r->p_value;
      out.basis = r->method == CvmMethod::kExact ? "exact p" : "asymptotic p";
      break;
    }
    case DistributionStatistic::kAndersonDarling: {
      absl::StatusOr<AndersonDarlingResult> r = AndersonDarlingKSample({ref, cur});
      if (!r.ok()) return WithField(r.status(), field);
      out.statistic = r->statistic;
      out.p_value = r->significance_level;
      out.basis = r->capped ? "p capped to the table's [0.001, 0.25]" : "interpolated p";
      break;
    }
    case DistributionStatistic::kWassersteinNorm: {
      ASSIGN_OR_RETURN(const double w1, Wasserstein1Sorted(ref, cur));
      out.statistic = NormalizeWasserstein(w1, ReferenceStd(reference));
      out.basis = "Wasserstein-1 / reference std";
      break;
    }
    case DistributionStatistic::kEnergyDistance: {
      ASSIGN_OR_RETURN(out.statistic, EnergyDistanceSorted(ref, cur));
      out.basis = "in sqrt of the feature's units";
      break;
    }
  }
  return out;
}

absl::StatusOr<DistributionComparison> OnGrid(DistributionStatistic statistic,
                                              const profile::FeatureProfile& reference,
                                              const profile::FeatureProfile& current,
                                              std::string_view field) {
  absl::StatusOr<GridPair> grid = MakeGridPair(reference.numeric(), current.numeric());
  if (!grid.ok()) return WithField(grid.status(), field);
  DistributionComparison out;
  out.resolution = Resolution::kGrid;
  GridEstimate e;
  switch (statistic) {
    case DistributionStatistic::kKolmogorovSmirnov: {
      e = GridKolmogorovSmirnov(*grid);
      const KsResult r = KolmogorovSmirnovFromStatistic(e.estimate, grid->n, grid->m);
      e.estimate = r.statistic;  // snapped to the lattice of the true sizes, as scipy does
      out.p_value = r.p_value;
      out.basis = absl::StrFormat("%s p on the true sizes",
                                  r.method == KsMethod::kExact ? "exact" : "asymptotic");
      break;
    }
    case DistributionStatistic::kCramerVonMises: {
      const CvmResult r = CramerVonMisesFromStatistic(GridCramerVonMises(*grid), grid->n, grid->m);
      out.statistic = r.statistic;
      out.p_value = r.p_value;
      out.basis = "p on the true sizes; no rigorous bound";
      return out;
    }
    case DistributionStatistic::kAndersonDarling: {
      const TieGroups groups = GridTieGroups(*grid);
      absl::StatusOr<AndersonDarlingResult> r =
          AndersonDarlingFromTieGroups({groups.reference, groups.current});
      if (!r.ok()) return WithField(r.status(), field);
      out.statistic = r->statistic;
      out.p_value = r->significance_level;
      out.basis = "each bin's interior as one tie group; no rigorous bound";
      return out;
    }
    case DistributionStatistic::kWassersteinNorm: {
      e = GridWasserstein1(*grid);
      const double std = ReferenceStd(reference);
      e = {NormalizeWasserstein(e.estimate, std), NormalizeWasserstein(e.lower, std),
           NormalizeWasserstein(e.upper, std)};
      out.basis = "Wasserstein-1 / reference std (all rows)";
      break;
    }
    case DistributionStatistic::kEnergyDistance: {
      e = GridEnergyDistance(*grid);
      out.basis = "in sqrt of the feature's units";
      break;
    }
  }
  out.statistic = e.estimate;
  out.lower = std::min(e.lower, e.estimate);
  out.upper = std::max(e.upper, e.estimate);
  return out;
}

}  // namespace

bool CanCompareDistributions(const profile::FeatureProfile& reference,
                             const profile::FeatureProfile& current) {
  return GridUsable(reference, current) ||
         (!reference.numeric().sample.empty() && !current.numeric().sample.empty());
}

void RecordComparison(const DistributionComparison& c, FeatureDrift* out) {
  out->statistic = c.statistic;
  out->p_value = c.p_value;
  out->resolution = ResolutionName(c.resolution);
  out->statistic_lower = c.lower;
  out->statistic_upper = c.upper;
}

std::string HowTheBoundWasUsed(const FeatureDrift& f) {
  if (!f.statistic_lower.has_value() || !f.statistic_upper.has_value() || f.resolution != "grid") {
    return "";
  }
  const double lo = *f.statistic_lower, hi = *f.statistic_upper;
  if (f.p_value.has_value()) {
    return absl::StrFormat("; statistic of all rows in [%.4g, %.4g], p from the estimate %.4g", lo,
                           hi, f.statistic);
  }
  const char* verdict = lo >= f.threshold  ? "above the threshold: drifted either way"
                        : hi < f.threshold ? "below the threshold: not drifted either way"
                                           : "across the threshold: decided on the estimate";
  return absl::StrFormat("; statistic of all rows in [%.4g, %.4g], %s", lo, hi, verdict);
}

const char* ResolutionName(Resolution resolution) {
  switch (resolution) {
    case Resolution::kAllValues:
      return "all_values";
    case Resolution::kGrid:
      return "grid";
    case Resolution::kSample:
      return "sample";
  }
  return "sample";
}

absl::StatusOr<DistributionComparison> CompareDistributions(
    DistributionStatistic statistic, const profile::FeatureProfile& reference,
    const profile::FeatureProfile& current, FeatureFields fields, std::string_view field) {
  const auto& ref_sample = reference.numeric().sample;
  const auto& cur_sample = current.numeric().sample;
  const bool exact = HoldsEveryValue(reference) && HoldsEveryValue(current);
  if (!exact && GridUsable(reference, current)) {
    ASSIGN_OR_RETURN(DistributionComparison out, OnGrid(statistic, reference, current, field));
    out.basis = absl::StrFormat("all %d vs %d rows on the reference's %d-bin grid (%s)",
                                NonMissing(reference), NonMissing(current),
                                reference.numeric().bin_counts.size(), out.basis);
    return out;
  }
  if (ref_sample.empty() || cur_sample.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": needs a fine grid or samples on both sides, but ",
                     std::string(ref_sample.empty() ? fields.reference : fields.current),
                     ".numeric.sample is empty"));
  }
  RETURN_IF_ERROR(CheckSortedSample(
      ref_sample, absl::StrCat(std::string(fields.reference), ".numeric.sample")));
  ASSIGN_OR_RETURN(
      const std::vector<double> cur_sorted,
      SortedCopy(cur_sample, absl::StrCat(std::string(fields.current), ".numeric.sample")));
  ASSIGN_OR_RETURN(DistributionComparison out,
                   OnSamples(statistic, reference, ref_sample, cur_sorted, field));
  if (exact) {
    out.resolution = Resolution::kAllValues;
    out.lower = out.upper = out.statistic;
    out.basis = absl::StrFormat("all %d vs %d values (%s)", ref_sample.size(), cur_sorted.size(),
                                out.basis);
  } else {
    out.resolution = Resolution::kSample;
    out.basis = absl::StrFormat("%d vs %d sampled values, a sample's statistic (%s)",
                                ref_sample.size(), cur_sorted.size(), out.basis);
  }
  return out;
}

}  // namespace greengate::drift::internal
