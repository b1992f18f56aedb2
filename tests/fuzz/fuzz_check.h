#pragma once

// What the libFuzzer targets in tests/fuzz share: a failed invariant aborts (libFuzzer then
// saves the input as a crash), unlike `assert`, which NDEBUG builds drop.

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"

namespace greengate::fuzz {

// Aborts with `what` and `status` when `status` is not OK. For invariants only: an input the
// code rejects with a clean error is never a finding.
inline void CheckOk(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "invariant broken: %s: %s\n", what, status.ToString().c_str());
  std::abort();
}

// Aborts with `what` when `condition` is false.
inline void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

}  // namespace greengate::fuzz
