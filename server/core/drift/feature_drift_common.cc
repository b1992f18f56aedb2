#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/feature_drift.h"
#include "server/core/drift/histogram_distances.h"

namespace greengate::drift::internal {
namespace {

double Total(absl::Span<const double> counts) {
  double total = 0;
  for (double c : counts) total += c;
  return total;
}

}  // namespace

absl::StatusOr<EffectSizes> ComputeEffectSizes(absl::Span<const double> reference_counts,
                                               absl::Span<const double> current_counts) {
  if (!(Total(reference_counts) > 0) || !(Total(current_counts) > 0)) return EffectSizes{};
  EffectSizes sizes;
  ASSIGN_OR_RETURN(sizes.psi, PopulationStabilityIndex(reference_counts, current_counts));
  ASSIGN_OR_RETURN(sizes.jensen_shannon, JensenShannonDistance(reference_counts, current_counts));
  return sizes;
}

Histograms EffectHistograms(std::vector<double> reference_counts,
                            std::vector<double> current_counts) {
  const std::size_t bins = reference_counts.size();
  if (bins <= kMaxEffectBins || current_counts.size() != bins) {
    return {std::move(reference_counts), std::move(current_counts)};
  }
  const double total = Total(reference_counts);
  Histograms out;
  out.reference.assign(kEffectBins, 0.0);
  out.current.assign(kEffectBins, 0.0);
  double below = 0;
  for (std::size_t i = 0; i < bins; ++i) {
    // The group of a bin: by the reference mass before it, or by position without any.
    const double share = total > 0 ? below / total : static_cast<double>(i) / bins;
    const std::size_t group =
        std::min(kEffectBins - 1, static_cast<std::size_t>(share * kEffectBins));
    out.reference[group] += reference_counts[i];
    out.current[group] += current_counts[i];
    below += reference_counts[i];
  }
  return out;
}

absl::Status WithField(const absl::Status& status, std::string_view field) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(std::string(field), ": ", std::string(status.message())));
}

}  // namespace greengate::drift::internal
