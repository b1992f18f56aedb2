// CompareNumeric(): the test for a numeric feature.
//   - both samples present, reference rows <= large_sample_rows: two-sample KS (p-value);
//   - both samples present, more reference rows: normed Wasserstein (effect size), because at
//     large n every trivial shift gets a tiny p-value;
//   - a sample missing: PSI on the shared bins.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/drift/feature_drift.h"
#include "server/core/drift/ks.h"
#include "server/core/drift/sorted_sample.h"
#include "server/core/drift/wasserstein.h"

namespace greengate::drift::internal {
namespace {

// Standard deviation (ddof 0) of all the reference's non-missing values, from the profile's
// Welford sum of squares; the sample's own std is the fallback for inconsistent profiles.
double ReferenceStd(const profile::NumericProfile& numeric, int64_t rows) {
  if (rows > 0) return std::sqrt(std::max(0.0, numeric.m2) / static_cast<double>(rows));
  return PopulationStd(numeric.sample);
}

std::string SampleField(FeatureFields fields, bool reference) {
  return absl::StrCat(std::string(reference ? fields.reference : fields.current),
                      ".numeric.sample");
}

}  // namespace

absl::StatusOr<FeatureDrift> CompareNumeric(const profile::FeatureProfile& reference,
                                            const profile::FeatureProfile& current,
                                            const DriftOptions& options, FeatureFields fields) {
  const profile::NumericProfile& ref = reference.numeric();
  const profile::NumericProfile& cur = current.numeric();
  if (ref.bin_counts.size() != cur.bin_counts.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(fields.current), ".numeric.bin_counts: ", cur.bin_counts.size(),
                     " bins, but the reference has ", ref.bin_counts.size()));
  }
  FeatureDrift out;
  out.feature = reference.name;
  absl::StatusOr<EffectSizes> sizes = ComputeEffectSizes(ref.bin_counts, cur.bin_counts);
  if (!sizes.ok()) {
    return WithField(sizes.status(), absl::StrCat(std::string(fields.reference), ", ",
                                                  std::string(fields.current), ": bin_counts"));
  }
  out.psi = sizes->psi;
  out.jensen_shannon = sizes->jensen_shannon;

  const int64_t ref_rows = reference.count - reference.missing;
  const int64_t large = options.large_sample_rows;
  if (!ref.sample.empty() && !cur.sample.empty()) {
    // Checked and sorted here so that errors name the profile field at fault.
    RETURN_IF_ERROR(CheckSortedSample(ref.sample, SampleField(fields, true)));
    ASSIGN_OR_RETURN(const std::vector<double> cur_sorted,
                     SortedCopy(cur.sample, SampleField(fields, false)));
    if (ref_rows <= large) {
      ASSIGN_OR_RETURN(const KsResult ks, KolmogorovSmirnovSorted(ref.sample, cur_sorted));
      out.test = "ks";
      out.statistic = ks.statistic;
      out.p_value = ks.p_value;
      out.threshold = options.p_value_threshold;
      out.why = absl::StrFormat(
          "numeric, %d reference rows <= %d: KS test on the samples (%s p-value); at this size "
          "p-values are meaningful",
          ref_rows, large, ks.method == KsMethod::kExact ? "exact" : "asymptotic");
      return out;
    }
    ASSIGN_OR_RETURN(const double w1, Wasserstein1Sorted(ref.sample, cur_sorted));
    out.test = "wasserstein_norm";
    out.statistic = NormalizeWasserstein(w1, ReferenceStd(ref, ref_rows));
    out.threshold = options.distance_threshold;
    out.drifted = out.statistic >= options.distance_threshold;
    out.why = absl::StrFormat(
        "numeric, %d reference rows > %d: effect size (normed Wasserstein) decides, p-values "
        "over-reject at large n",
        ref_rows, large);
    return out;
  }

  out.test = "psi";
  out.statistic = out.psi;
  out.threshold = options.distance_threshold;
  const int64_t cur_rows = current.count - current.missing;
  if (ref_rows <= 0 || cur_rows <= 0) {
    out.why = absl::StrFormat(
        "numeric, %s has no non-missing values: distributions cannot be compared (see the "
        "missing rates); not counted as drift",
        ref_rows <= 0 ? "reference" : "current");
    return out;
  }
  out.drifted = out.statistic >= options.distance_threshold;
  out.why = absl::StrFormat("numeric, no %s sample: PSI on the reference's %d bins decides",
                            ref.sample.empty() ? "reference" : "current", ref.bin_counts.size());
  return out;
}

}  // namespace greengate::drift::internal
