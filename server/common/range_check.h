#pragma once

// The range check of a numeric setting, with the message every validation gives
// ("policy.min_gain: must be in [0, 1], got 2"). Header-only, so the core (a policy, the drift
// options it carries) and the adapters share it.

#include <cmath>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace greengate {

enum class Bound { kOpen, kClosed };

// CheckInRange()
//
// OK when `value` lies between `lo` and `hi`, each end open or closed; NaN and infinities
// fail. Else InvalidArgument "<field>: must be in (lo, hi], got <value>" (or "> lo and finite"
// when `hi` is infinite). Thread-safe.
inline absl::Status CheckInRange(std::string_view field, double value, double lo, Bound lo_bound,
                                 double hi, Bound hi_bound) {
  const bool above = lo_bound == Bound::kOpen ? value > lo : value >= lo;
  const bool below = hi_bound == Bound::kOpen ? value < hi : value <= hi;
  if (std::isfinite(value) && above && below) return absl::OkStatus();
  const std::string range =
      std::isinf(hi) ? absl::StrCat(lo_bound == Bound::kOpen ? "> " : ">= ", lo, " and finite")
                     : absl::StrCat("in ", lo_bound == Bound::kOpen ? "(" : "[", lo, ", ", hi,
                                    hi_bound == Bound::kOpen ? ")" : "]");
  return absl::InvalidArgumentError(absl::StrCat(absl::string_view(field.data(), field.size()),
                                                 ": must be ", range, ", got ", value));
}

}  // namespace greengate
