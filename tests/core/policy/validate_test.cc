#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "server/core/policy/policy.h"

namespace greengate::policy {
namespace {

TEST(ValidatePolicyTest, DefaultsAreValid) { EXPECT_TRUE(ValidatePolicy(Policy{}).ok()); }

TEST(ValidatePolicyTest, BoundariesAreValid) {
  Policy p;
  p.drift.drift_share_threshold = 1;
  p.drift.large_sample_rows = 1;
  p.accuracy_floor = 0;
  p.min_gain = 0;
  p.min_gain_points_per_kwh = 0;
  p.recovery_ratio = 1;
  p.confidence = 0.5;
  p.cooldown = absl::ZeroDuration();
  p.energy_budget_kwh = 0;
  EXPECT_TRUE(ValidatePolicy(p).ok());
  p.accuracy_floor = 1;
  p.min_gain = 1;
  EXPECT_TRUE(ValidatePolicy(p).ok());
}

struct InvalidCase {
  std::function<void(Policy&)> mutate;
  const char* message;  // the whole message
};

TEST(ValidatePolicyTest, MessagesNameTheField) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<InvalidCase> cases = {
      {[](Policy& p) { p.drift.p_value_threshold = 0; },
       "policy.p_value_threshold: must be in (0, 1), got 0"},
      {[](Policy& p) { p.drift.p_value_threshold = 1; },
       "policy.p_value_threshold: must be in (0, 1), got 1"},
      {[&](Policy& p) { p.drift.p_value_threshold = nan; },
       "policy.p_value_threshold: must be in (0, 1), got nan"},
      {[](Policy& p) { p.drift.distance_threshold = -0.1; },
       "policy.distance_threshold: must be in (0, 1), got -0.1"},
      {[](Policy& p) { p.drift.drift_share_threshold = 0; },
       "policy.drift_share_threshold: must be in (0, 1], got 0"},
      {[](Policy& p) { p.drift.drift_share_threshold = 1.5; },
       "policy.drift_share_threshold: must be in (0, 1], got 1.5"},
      {[](Policy& p) { p.drift.large_sample_rows = 0; },
       "policy.large_sample_rows: must be >= 1, got 0"},
      {[](Policy& p) { p.accuracy_floor = 1.01; },
       "policy.accuracy_floor: must be in [0, 1], got 1.01"},
      {[&](Policy& p) { p.accuracy_floor = nan; },
       "policy.accuracy_floor: must be in [0, 1], got nan"},
      {[](Policy& p) { p.min_gain = -0.001; }, "policy.min_gain: must be in [0, 1], got -0.001"},
      {[](Policy& p) { p.min_gain_points_per_kwh = -1; },
       "policy.min_gain_points_per_kwh: must be >= 0 and finite, got -1"},
      {[&](Policy& p) { p.min_gain_points_per_kwh = inf; },
       "policy.min_gain_points_per_kwh: must be >= 0 and finite, got inf"},
      {[](Policy& p) { p.recovery_ratio = 0; }, "policy.recovery_ratio: must be in (0, 1], got 0"},
      {[](Policy& p) { p.confidence = 0.4; }, "policy.confidence: must be in [0.5, 1), got 0.4"},
      {[](Policy& p) { p.confidence = 1; }, "policy.confidence: must be in [0.5, 1), got 1"},
      {[](Policy& p) { p.cooldown = absl::Seconds(-1); },
       "policy.cooldown_s: must be >= 0 seconds and finite, got -1s"},
      {[](Policy& p) { p.cooldown = absl::InfiniteDuration(); },
       "policy.cooldown_s: must be >= 0 seconds and finite, got inf"},
      {[](Policy& p) { p.energy_budget_kwh = -5; },
       "policy.energy_budget_kwh: must be >= 0 and finite, got -5"},
      {[&](Policy& p) { p.energy_budget_kwh = nan; },
       "policy.energy_budget_kwh: must be >= 0 and finite, got nan"},
      {[](Policy& p) { p.budget_window = absl::ZeroDuration(); },
       "policy.budget_window_s: must be > 0 seconds and finite, got 0"},
  };
  for (const InvalidCase& c : cases) {
    Policy p;
    c.mutate(p);
    const absl::Status status = ValidatePolicy(p);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
  }
}

}  // namespace
}  // namespace greengate::policy
