#include <string>

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

int64_t ReferenceRows(const profile::FeatureProfile& reference, FeatureFields fields) {
  return fields.reference_rows > 0 ? fields.reference_rows : reference.count;
}

absl::Status WithField(const absl::Status& status, std::string_view field) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(std::string(field), ": ", std::string(status.message())));
}

}  // namespace greengate::drift::internal
