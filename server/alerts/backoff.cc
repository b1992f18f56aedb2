#include "server/alerts/backoff.h"

#include <algorithm>
#include <cmath>

namespace greengate::alerts {

absl::Duration BackoffDelay(const BackoffPolicy& policy, int64_t attempts, double u) {
  const int64_t n = std::max<int64_t>(attempts, 1);
  // Work in seconds as double: the power overflows no integer, and the cap applies anyway.
  const double initial_s = absl::ToDoubleSeconds(policy.initial);
  const double max_s = absl::ToDoubleSeconds(policy.max);
  const double grown_s = initial_s * std::pow(policy.multiplier, static_cast<double>(n - 1));
  const double capped_s = std::isfinite(grown_s) ? std::min(grown_s, max_s) : max_s;
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double unit = std::clamp(u, 0.0, 1.0);
  return absl::Seconds(capped_s * (1 - jitter * unit));
}

}  // namespace greengate::alerts
