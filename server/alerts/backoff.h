#pragma once

// Retry delays for alert delivery: exponential, capped, with jitter so that many servers
// retrying one recovered receiver do not arrive in lockstep. Pure.

#include <cstdint>

#include "absl/time/time.h"

namespace greengate::alerts {

struct BackoffPolicy {
  absl::Duration initial = absl::Seconds(1);  // delay after the first failure
  double multiplier = 2;                      // growth per further failure
  absl::Duration max = absl::Minutes(5);      // cap before jitter
  double jitter = 0.5;                        // fraction of the delay that is random, [0, 1]
};

// BackoffDelay()
//
// The wait after `attempts` consecutive failures (>= 1; values below are treated as 1):
// d = min(max, initial * multiplier^(attempts-1)), returned as d * (1 - jitter * u) with
// `u` uniform in [0, 1) supplied by the caller (tests pass fixed values). Thread-safe.
absl::Duration BackoffDelay(const BackoffPolicy& policy, int64_t attempts, double u);

}  // namespace greengate::alerts
