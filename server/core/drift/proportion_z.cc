#include "server/core/drift/proportion_z.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "server/core/drift/special_functions.h"

namespace greengate::drift {

absl::StatusOr<ProportionTestResult> TwoProportionZ(int64_t reference_hits, int64_t reference_total,
                                                    int64_t current_hits, int64_t current_total) {
  if (reference_total <= 0 || current_total <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        reference_total <= 0 ? "reference_total" : "current_total", ": must be > 0, got ",
        reference_total <= 0 ? reference_total : current_total));
  }
  if (reference_hits < 0 || reference_hits > reference_total) {
    return absl::InvalidArgumentError(absl::StrCat("reference_hits: must be in [0, ",
                                                   reference_total, "], got ", reference_hits));
  }
  if (current_hits < 0 || current_hits > current_total) {
    return absl::InvalidArgumentError(
        absl::StrCat("current_hits: must be in [0, ", current_total, "], got ", current_hits));
  }
  const double n1 = static_cast<double>(reference_total);
  const double n2 = static_cast<double>(current_total);
  const double p1 = static_cast<double>(reference_hits) / n1;
  const double p2 = static_cast<double>(current_hits) / n2;
  const double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  ProportionTestResult result;
  if (pooled <= 0 || pooled >= 1) return result;
  result.z = (p1 - p2) / std::sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
  result.p_value = 2.0 * NormalSf(std::fabs(result.z));
  return result;
}

}  // namespace greengate::drift
