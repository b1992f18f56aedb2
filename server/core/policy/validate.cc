// ValidatePolicy: range checks, with fields named as in the API (greengate.v1.Policy).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/drift/test_registry.h"
#include "server/core/policy/policy.h"
#include "server/core/profile/format.h"

namespace greengate::policy {
namespace {

enum class Bound { kOpen, kClosed };

// `value` in [lo, hi] with each end open or closed; NaN and infinities fail.
absl::Status CheckRange(const char* field, double value, double lo, Bound lo_bound, double hi,
                        Bound hi_bound) {
  const bool above = lo_bound == Bound::kOpen ? value > lo : value >= lo;
  const bool below = hi_bound == Bound::kOpen ? value < hi : value <= hi;
  if (std::isfinite(value) && above && below) return absl::OkStatus();
  const std::string range =
      std::isinf(hi) ? absl::StrCat(lo_bound == Bound::kOpen ? "> " : ">= ", lo, " and finite")
                     : absl::StrCat("in ", lo_bound == Bound::kOpen ? "(" : "[", lo, ", ", hi,
                                    hi_bound == Bound::kOpen ? ")" : "]");
  return absl::InvalidArgumentError(
      absl::StrCat("policy.", field, ": must be ", range, ", got ", value));
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxPermutations = 100'000;  // MmdTest's own limit

// "policy.feature_tests['name']", the feature name quoted with a bounded prefix.
std::string FeatureTestField(const std::string& feature) {
  return absl::StrCat("policy.feature_tests[", profile::internal::QuoteForMessage(feature), "]");
}

absl::Status CheckDuration(const char* field, absl::Duration value, bool allow_zero) {
  const bool ok = value != absl::InfiniteDuration() &&
                  (allow_zero ? value >= absl::ZeroDuration() : value > absl::ZeroDuration());
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("policy.", field, ": must be ", allow_zero ? ">= 0" : "> 0",
                   " seconds and finite, got ", absl::FormatDuration(value)));
}

absl::Status ValidateDrift(const drift::DriftOptions& d) {
  RETURN_IF_ERROR(
      CheckRange("p_value_threshold", d.p_value_threshold, 0, Bound::kOpen, 1, Bound::kOpen));
  RETURN_IF_ERROR(
      CheckRange("distance_threshold", d.distance_threshold, 0, Bound::kOpen, 1, Bound::kOpen));
  RETURN_IF_ERROR(CheckRange("drift_share_threshold", d.drift_share_threshold, 0, Bound::kOpen, 1,
                             Bound::kClosed));
  if (d.large_sample_rows < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy.large_sample_rows: must be >= 1, got ", d.large_sample_rows));
  }
  for (const auto& [feature, test] : d.feature_tests) {
    RETURN_IF_ERROR(drift::ValidateFeatureTest(test, FeatureTestField(feature)));
  }
  if (d.multivariate.enabled &&
      (d.multivariate.permutations < 1 || d.multivariate.permutations > kMaxPermutations)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy.mmd_permutations: must be in [1, ", kMaxPermutations,
        "], or -1 to turn the multivariate tests off, got ", d.multivariate.permutations));
  }
  RETURN_IF_ERROR(CheckRange("missing_rate_min_difference", d.missing_rate_min_difference, 0,
                             Bound::kClosed, 1, Bound::kClosed));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePolicy(const Policy& p) {
  RETURN_IF_ERROR(ValidateDrift(p.drift));
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
  for (const auto& [feature, test] : p.drift.feature_tests) {
    const profile::FeatureProfile* found = nullptr;
    for (const profile::FeatureProfile& f : reference.features) {
      if (f.name == feature) {
        found = &f;
        break;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(FeatureTestField(feature),
                                                     ": the model's reference has no feature ",
                                                     profile::internal::QuoteForMessage(feature)));
    }
    RETURN_IF_ERROR(drift::ValidateFeatureTestFor(test, *found, FeatureTestField(feature)));
  }
  return absl::OkStatus();
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
