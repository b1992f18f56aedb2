#pragma once

// The training-job flags of `should-retrain` (the alternative to --plan FILE) and their
// application to a TrainingPlan message.

#include <cstdint>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// Each set flag fills one TrainingPlan field.
struct PlanFlags {
  std::optional<std::string> name;
  std::optional<std::string> accelerator;
  std::optional<int32_t> accelerator_count;
  std::optional<std::string> cpu;
  std::optional<int32_t> cpu_cores;
  std::optional<double> memory_gb;
  std::optional<double> hours;
  std::optional<std::string> region;
  std::optional<std::string> provider;
  std::optional<double> pue;
  std::optional<double> carbon_intensity_g_per_kwh;
  std::optional<double> accelerator_utilization;
  std::optional<double> cpu_utilization;
  std::optional<int64_t> training_rows;
  std::optional<double> accelerator_power_w;
  std::optional<double> cpu_power_per_core_w;
  std::optional<double> recovery_ratio;

  bool empty() const;
};

// Adds the flags to `sub`. The command rejects them together with --plan FILE.
void AddPlanFlags(CLI::App* sub, PlanFlags* flags);

// The plan the set flags describe; the server validates the values (e.g. hours > 0).
// Pure and thread-safe.
v1::TrainingPlan PlanFromFlags(const PlanFlags& flags);

}  // namespace greengate::client
