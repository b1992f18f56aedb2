#pragma once

// Energy (kWh) and carbon (kg CO2e) of a training job, by the Green Algorithms formula
// (Lannelongue et al., Adv. Sci. 2021):
//   E[kWh] = hours * (n_acc * P_acc * u_acc + n_cores * P_core * u_cpu + mem_GB * P_mem)
//            * PUE / 1000,        CO2e[kg] = E * carbon intensity [g/kWh] / 1000.
// Hardware power, PUE and carbon intensity come from tables shipped with greengate (each row
// with source, year and licence); the plan may override any of them. Pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/energy/tables.h"

namespace greengate::energy {

struct TrainingPlan {
  std::string name;
  std::string accelerator;  // table key, e.g. "nvidia-a100-40gb"; empty = none
  int32_t accelerator_count = 0;
  std::string cpu;  // table key; empty = generic core
  int32_t cpu_cores = 0;
  double memory_gb = 0;
  double hours = 0;
  std::string region;    // table key, e.g. "FR", "europe-west9"; empty = world average
  std::string provider;  // "gcp", "aws", "azure", "on-prem"; empty = unknown data centre
  std::optional<double> pue;
  std::optional<double> carbon_intensity_g_per_kwh;
  std::optional<double> accelerator_utilization;  // default 1.0
  std::optional<double> cpu_utilization;          // default 1.0
  std::optional<double> accelerator_power_w;      // per device, overrides the table
  std::optional<double> cpu_power_per_core_w;     // overrides the table
  int64_t training_rows = 0;
  // Share of the model's accuracy loss this plan is expected to win back, when it differs from
  // the policy's recovery_ratio (e.g. a fine-tune on recent data only). Learned per plan name
  // from outcomes, with this as the prior.
  std::optional<double> recovery_ratio;
};

struct CostComponent {
  std::string name;  // "accelerator", "cpu", "memory", "pue_overhead"
  double energy_kwh = 0;
  double power_w = 0;  // total draw of the component (before PUE)
  std::string source;
};

struct CostEstimate {
  double energy_kwh = 0;
  double co2e_kg = 0;
  std::vector<CostComponent> breakdown;  // sums to energy_kwh
  std::string method;                    // "green_algorithms"
  double pue = 0;
  std::string pue_source;
  double carbon_intensity_g_per_kwh = 0;
  std::string carbon_intensity_source;
  std::string plan;
  // Interval of energy_kwh (kWh); both equal energy_kwh for the formula alone, which has no
  // error model. Set from past outcomes by ApplyMeasuredHistory (history.h).
  double energy_kwh_lower = 0;
  double energy_kwh_upper = 0;
  int outcomes_used = 0;                   // measured outcomes behind the estimate
  double green_algorithms_energy_kwh = 0;  // the formula's estimate, before any history
  std::string method_detail;               // how the method reached the number
};

// InvalidArgument naming the field ("plan.hours", "plan.accelerator", ...) for absurd or
// unknown values: non-positive or > 10,000 hours, counts outside [0, 4096], utilisation
// outside [0, 1], a recovery ratio outside (0, 1], PUE outside [1, 3], an accelerator/cpu/region
// not in the tables and not overridden, no hardware at all, a name longer than 256 bytes.
absl::Status ValidatePlan(const TrainingPlan& plan, const Tables& tables);

absl::StatusOr<CostEstimate> EstimateCost(const TrainingPlan& plan, const Tables& tables);

}  // namespace greengate::energy
