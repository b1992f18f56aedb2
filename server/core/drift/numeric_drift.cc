// CompareNumeric(): the test for a numeric feature.
//   - reference rows <= large_sample_rows: two-sample KS (p-value);
//   - more reference rows: normed Wasserstein (effect size), because at large n every trivial
//     shift gets a tiny p-value;
//   both on every row when the profiles allow it (distribution_comparison.h);
//   - neither a grid nor samples: PSI on the shared bins.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/core/drift/distribution_comparison.h"
#include "server/core/drift/feature_drift.h"

namespace greengate::drift::internal {

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
  const Histograms histograms = EffectHistograms(ref.bin_counts, cur.bin_counts);
  absl::StatusOr<EffectSizes> sizes = ComputeEffectSizes(histograms.reference, histograms.current);
  if (!sizes.ok()) {
    return WithField(sizes.status(), absl::StrCat(std::string(fields.reference), ", ",
                                                  std::string(fields.current), ": bin_counts"));
  }
  out.psi = sizes->psi;
  out.jensen_shannon = sizes->jensen_shannon;

  const int64_t ref_rows = reference.count - reference.missing;
  const int64_t cur_rows = current.count - current.missing;
  const int64_t large = options.large_sample_rows;
  const int64_t size = ReferenceRows(reference, fields);  // rows, as users read the option
  const bool small = size <= large;
  const std::string field = absl::StrCat(std::string(fields.reference), ".numeric");
  if (ref_rows > 0 && cur_rows > 0 && CanCompareDistributions(reference, current)) {
    ASSIGN_OR_RETURN(const DistributionComparison compared,
                     CompareDistributions(small ? DistributionStatistic::kKolmogorovSmirnov
                                                : DistributionStatistic::kWassersteinNorm,
                                          reference, current, fields, field));
    RecordComparison(compared, &out);
    if (small) {
      out.test = "ks";
      out.threshold = options.p_value_threshold;
      out.why = absl::StrFormat(
          "numeric, %d reference rows <= %d: KS test on %s; at this size p-values are "
          "meaningful%s",
          size, large, compared.basis, HowTheBoundWasUsed(out));
    } else {
      out.test = "wasserstein_norm";
      out.threshold = options.distance_threshold;
      out.drifted = out.statistic >= options.distance_threshold;
      out.why = absl::StrFormat(
          "numeric, %d reference rows > %d: effect size (normed Wasserstein) decides, p-values "
          "over-reject at large n; on %s%s",
          size, large, compared.basis, HowTheBoundWasUsed(out));
    }
    return out;
  }

  out.test = "psi";
  out.statistic = out.psi;
  out.threshold = options.distance_threshold;
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
