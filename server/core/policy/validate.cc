// ValidatePolicy: range checks, with fields named as in the API (greengate.v1.Policy).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/range_check.h"
#include "server/common/status_macros.h"
#include "server/core/drift/drift.h"
#include "server/core/policy/policy.h"

namespace greengate::policy {
namespace {

// "policy.<field>" in its range (CheckInRange).
absl::Status CheckRange(const char* field, double value, double lo, Bound lo_bound, double hi,
                        Bound hi_bound) {
  return CheckInRange(absl::StrCat("policy.", field), value, lo, lo_bound, hi, hi_bound);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

absl::Status CheckDuration(const char* field, absl::Duration value, bool allow_zero) {
  const bool ok = value != absl::InfiniteDuration() &&
                  (allow_zero ? value >= absl::ZeroDuration() : value > absl::ZeroDuration());
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("policy.", field, ": must be ", allow_zero ? ">= 0" : "> 0",
                   " seconds and finite, got ", absl::FormatDuration(value)));
}

}  // namespace

absl::Status ValidatePolicy(const Policy& p) {
  RETURN_IF_ERROR(drift::ValidateDriftOptions(p.drift, "policy"));
  if (p.accuracy_floor) {
    RETURN_IF_ERROR(
        CheckRange("accuracy_floor", *p.accuracy_floor, 0, Bound::kClosed, 1, Bound::kClosed));
  }
  RETURN_IF_ERROR(CheckRange("min_gain", p.min_gain, 0, Bound::kClosed, 1, Bound::kClosed));
  RETURN_IF_ERROR(CheckRange("min_gain_points_per_kwh", p.min_gain_points_per_kwh, 0,
                             Bound::kClosed, kInf, Bound::kOpen));
  RETURN_IF_ERROR(
      CheckRange("recovery_ratio", p.recovery_ratio, 0, Bound::kOpen, 1, Bound::kClosed));
  RETURN_IF_ERROR(CheckRange("confidence", p.confidence, 0.5, Bound::kClosed, 1, Bound::kOpen));
  RETURN_IF_ERROR(CheckDuration("cooldown_s", p.cooldown, /*allow_zero=*/true));
  if (p.energy_budget_kwh) {
    RETURN_IF_ERROR(CheckRange("energy_budget_kwh", *p.energy_budget_kwh, 0, Bound::kClosed, kInf,
                               Bound::kOpen));
  }
  RETURN_IF_ERROR(CheckDuration("budget_window_s", p.budget_window, /*allow_zero=*/false));
  RETURN_IF_ERROR(CheckRange("value_per_accuracy_point", p.value_per_accuracy_point, 0,
                             Bound::kClosed, kInf, Bound::kOpen));
  RETURN_IF_ERROR(CheckRange("energy_price_per_kwh", p.energy_price_per_kwh, 0, Bound::kClosed,
                             kInf, Bound::kOpen));
  RETURN_IF_ERROR(CheckRange("carbon_price_per_kg", p.carbon_price_per_kg, 0, Bound::kClosed, kInf,
                             Bound::kOpen));
  if (p.carbon_budget_kg) {
    RETURN_IF_ERROR(
        CheckRange("carbon_budget_kg", *p.carbon_budget_kg, 0, Bound::kClosed, kInf, Bound::kOpen));
  }
  RETURN_IF_ERROR(CheckDuration("max_deferral_s", p.max_deferral, /*allow_zero=*/true));
  RETURN_IF_ERROR(
      CheckRange("min_deferral_saving", p.min_deferral_saving, 0, Bound::kOpen, 1, Bound::kClosed));
  return absl::OkStatus();
}

absl::Status ValidatePolicyForReference(const Policy& p, const profile::DataProfile& reference) {
  return drift::ValidateDriftOptionsForReference(p.drift, reference, "policy");
}

absl::Status ValidateFleetBudget(const FleetBudget& fleet) {
  // Named as the server flags that set them: the fleet budget is the operator's, not a
  // model policy's.
  for (const auto& [flag, value] :
       {std::pair<const char*, double>{"fleet_energy_budget_kwh", fleet.energy_budget_kwh},
        {"fleet_carbon_budget_kg", fleet.carbon_budget_kg}}) {
    if (!std::isfinite(value) || value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": must be >= 0 and finite (0 = unlimited), got ", value));
    }
  }
  if (fleet.window <= absl::ZeroDuration() || fleet.window == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fleet_budget_window_s: must be > 0 seconds and finite, got ",
                     absl::FormatDuration(fleet.window)));
  }
  return absl::OkStatus();
}

}  // namespace greengate::policy
