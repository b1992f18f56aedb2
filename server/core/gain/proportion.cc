#include "server/core/gain/proportion.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/core/gain/normal.h"

namespace greengate::gain {

absl::StatusOr<ProportionInterval> WilsonInterval(int64_t successes, int64_t trials,
                                                  double confidence) {
  if (trials <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("trials: must be > 0, got ", trials));
  }
  if (successes < 0 || successes > trials) {
    return absl::InvalidArgumentError(
        absl::StrCat("successes: must be in [0, trials=", trials, "], got ", successes));
  }
  if (!(confidence > 0 && confidence < 1)) {  // also rejects NaN
    return absl::InvalidArgumentError(
        absl::StrCat("confidence: must be in (0, 1), got ", confidence));
  }
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  // Two-sided: (1 - confidence) / 2 in the upper tail, taken as a lower-tail quantile.
  const double z = -NormalQuantile(0.5 * (1 - confidence));
  const double z2 = z * z;
  const double shrink = 1 + z2 / n;
  // Wilson: solve |p - pi| = z sqrt(pi (1 - pi) / n) for pi.
  const double center = (p + z2 / (2 * n)) / shrink;
  const double half_width = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / shrink;
  // The ends are in [0, 1] exactly; clamp away the rounding at 0 or `trials` successes.
  return ProportionInterval{std::clamp(center - half_width, 0.0, 1.0),
                            std::clamp(center + half_width, 0.0, 1.0)};
}

}  // namespace greengate::gain
