#pragma once

// The policy fields `set-policy` accepts as flags, and their application to a Policy message.

#include <cstdint>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// Each set flag overrides one Policy field; unset flags leave the field alone.
struct PolicyFlags {
  std::optional<double> p_value_threshold;
  std::optional<double> distance_threshold;
  std::optional<double> drift_share;
  std::optional<std::string> correction;  // "bh" / "benjamini-hochberg", "bonferroni", "none"
  std::optional<int64_t> large_sample_rows;
  std::optional<double> accuracy_floor;
  std::optional<double> min_gain;
  std::optional<double> min_gain_points_per_kwh;
  std::optional<double> recovery_ratio;
  std::optional<double> confidence;
  std::optional<double> cooldown_hours;
  // Budgets: a number >= 0 (0 = nothing may be spent) or "unlimited", which removes the budget.
  std::optional<std::string> energy_budget_kwh;
  std::optional<double> budget_window_days;
  std::optional<double> value_per_accuracy_point;
  std::optional<double> energy_price_per_kwh;
  std::optional<double> carbon_price_per_kg;
  std::optional<std::string> carbon_budget_kg;
  std::optional<double> max_deferral_hours;
  std::optional<double> min_deferral_saving;

  bool empty() const;
};

// Adds the flags to `sub`. The command rejects them together with --policy FILE.
void AddPolicyFlags(CLI::App* sub, PolicyFlags* flags);

// Writes the set flags into `policy`. InvalidArgument naming the flag for an unknown
// --correction, or a budget that is neither a number >= 0 nor "unlimited". Durations are
// rounded to whole seconds. Pure and thread-safe.
absl::Status ApplyPolicyFlags(const PolicyFlags& flags, v1::Policy* policy);

}  // namespace greengate::client
