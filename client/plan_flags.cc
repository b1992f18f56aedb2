#include "client/plan_flags.h"

namespace greengate::client {
namespace {

template <typename T>
CLI::Option* Add(CLI::App* sub, const std::string& name, std::optional<T>* field,
                 const std::string& help) {
  return sub->add_option_function<T>(
      name, [field](const T& value) { *field = value; }, help);
}

}  // namespace

bool PlanFlags::empty() const {
  return !name && !accelerator && !accelerator_count && !cpu && !cpu_cores && !memory_gb &&
         !hours && !region && !provider && !pue && !carbon_intensity_g_per_kwh &&
         !accelerator_utilization && !cpu_utilization && !training_rows && !accelerator_power_w &&
         !cpu_power_per_core_w && !recovery_ratio;
}

void AddPlanFlags(CLI::App* sub, PlanFlags* f) {
  const std::string group = "Training job (instead of --plan)";
  auto add = [&](CLI::Option* option) { option->group(group); };
  add(Add(sub, "--hours", &f->hours, "Expected duration of the job, hours (> 0)"));
  add(Add(sub, "--accelerator", &f->accelerator,
          "Accelerator model, e.g. nvidia-a100-40gb (omit for CPU only)"));
  add(Add(sub, "--accelerators", &f->accelerator_count, "Number of accelerators"));
  add(Add(sub, "--cpu", &f->cpu, "CPU model, e.g. intel-xeon-gold-6248 (omit for a generic core)"));
  add(Add(sub, "--cpu-cores", &f->cpu_cores, "CPU cores used"));
  add(Add(sub, "--memory-gb", &f->memory_gb, "Memory allocated, GB"));
  add(Add(sub, "--region", &f->region,
          "Where the job runs, for carbon intensity: country (FR) or cloud region "
          "(europe-west9, us-east-1)"));
  add(Add(sub, "--provider", &f->provider,
          "Cloud provider: gcp, aws, azure or on-prem (picks the default PUE)"));
  add(Add(sub, "--pue", &f->pue, "Power usage effectiveness, overrides the default"));
  add(Add(sub, "--carbon-intensity", &f->carbon_intensity_g_per_kwh,
          "Grid carbon intensity, gCO2e/kWh, overrides the region's"));
  add(Add(sub, "--accelerator-utilization", &f->accelerator_utilization,
          "Average accelerator utilization in [0, 1] (default 1)"));
  add(Add(sub, "--cpu-utilization", &f->cpu_utilization,
          "Average CPU utilization in [0, 1] (default 1)"));
  add(Add(sub, "--accelerator-power-w", &f->accelerator_power_w,
          "Power per accelerator, W, overrides the shipped table"));
  add(Add(sub, "--cpu-power-per-core-w", &f->cpu_power_per_core_w,
          "Power per CPU core, W, overrides the shipped table"));
  add(Add(sub, "--training-rows", &f->training_rows, "Rows the job trains on"));
  add(Add(sub, "--plan-name", &f->name, "Name of the job, e.g. full or recent-4-weeks"));
  add(Add(sub, "--recovery-ratio", &f->recovery_ratio,
          "Share of the accuracy loss this job is expected to win back, in (0, 1] (default: "
          "the policy's; learned from outcomes of jobs with the same --plan-name)"));
}

v1::TrainingPlan PlanFromFlags(const PlanFlags& f) {
  v1::TrainingPlan p;
  if (f.name) p.set_name(*f.name);
  if (f.accelerator) p.set_accelerator(*f.accelerator);
  if (f.accelerator_count) p.set_accelerator_count(*f.accelerator_count);
  if (f.cpu) p.set_cpu(*f.cpu);
  if (f.cpu_cores) p.set_cpu_cores(*f.cpu_cores);
  if (f.memory_gb) p.set_memory_gb(*f.memory_gb);
  if (f.hours) p.set_hours(*f.hours);
  if (f.region) p.set_region(*f.region);
  if (f.provider) p.set_provider(*f.provider);
  if (f.pue) p.set_pue(*f.pue);
  if (f.carbon_intensity_g_per_kwh) p.set_carbon_intensity_g_per_kwh(*f.carbon_intensity_g_per_kwh);
  if (f.accelerator_utilization) p.set_accelerator_utilization(*f.accelerator_utilization);
  if (f.cpu_utilization) p.set_cpu_utilization(*f.cpu_utilization);
  if (f.training_rows) p.set_training_rows(*f.training_rows);
  if (f.accelerator_power_w) p.set_accelerator_power_w(*f.accelerator_power_w);
  if (f.cpu_power_per_core_w) p.set_cpu_power_per_core_w(*f.cpu_power_per_core_w);
  if (f.recovery_ratio) p.set_recovery_ratio(*f.recovery_ratio);
  return p;
}

}  // namespace greengate::client
