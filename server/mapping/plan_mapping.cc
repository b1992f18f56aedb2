#include "server/mapping/plan_mapping.h"

namespace greengate::mapping {

energy::TrainingPlan PlanFromProto(const v1::TrainingPlan& p) {
  energy::TrainingPlan plan;
  plan.name = p.name();
  plan.accelerator = p.accelerator();
  plan.accelerator_count = p.accelerator_count();
  plan.cpu = p.cpu();
  plan.cpu_cores = p.cpu_cores();
  plan.memory_gb = p.memory_gb();
  plan.hours = p.hours();
  plan.region = p.region();
  plan.provider = p.provider();
  if (p.has_pue()) plan.pue = p.pue();
  if (p.has_carbon_intensity_g_per_kwh()) {
    plan.carbon_intensity_g_per_kwh = p.carbon_intensity_g_per_kwh();
  }
  if (p.has_accelerator_utilization()) plan.accelerator_utilization = p.accelerator_utilization();
  if (p.has_cpu_utilization()) plan.cpu_utilization = p.cpu_utilization();
  if (p.has_accelerator_power_w()) plan.accelerator_power_w = p.accelerator_power_w();
  if (p.has_cpu_power_per_core_w()) plan.cpu_power_per_core_w = p.cpu_power_per_core_w();
  if (p.has_recovery_ratio()) plan.recovery_ratio = p.recovery_ratio();
  plan.training_rows = p.training_rows();
  return plan;
}

v1::TrainingPlan PlanToProto(const energy::TrainingPlan& plan) {
  v1::TrainingPlan p;
  p.set_name(plan.name);
  p.set_accelerator(plan.accelerator);
  p.set_accelerator_count(plan.accelerator_count);
  p.set_cpu(plan.cpu);
  p.set_cpu_cores(plan.cpu_cores);
  p.set_memory_gb(plan.memory_gb);
  p.set_hours(plan.hours);
  p.set_region(plan.region);
  p.set_provider(plan.provider);
  if (plan.pue) p.set_pue(*plan.pue);
  if (plan.carbon_intensity_g_per_kwh) {
    p.set_carbon_intensity_g_per_kwh(*plan.carbon_intensity_g_per_kwh);
  }
  if (plan.accelerator_utilization) p.set_accelerator_utilization(*plan.accelerator_utilization);
  if (plan.cpu_utilization) p.set_cpu_utilization(*plan.cpu_utilization);
  if (plan.accelerator_power_w) p.set_accelerator_power_w(*plan.accelerator_power_w);
  if (plan.cpu_power_per_core_w) p.set_cpu_power_per_core_w(*plan.cpu_power_per_core_w);
  if (plan.recovery_ratio) p.set_recovery_ratio(*plan.recovery_ratio);
  p.set_training_rows(plan.training_rows);
  return p;
}

std::optional<gain::LabeledWindow> LabeledFromProto(const v1::ShouldRetrainRequest& request) {
  if (!request.has_labeled()) return std::nullopt;
  return gain::LabeledWindow{request.labeled().rows(), request.labeled().correct()};
}

std::optional<gain::PairedCounts> ChallengerFromProto(const v1::ShouldRetrainRequest& request) {
  if (!request.has_challenger()) return std::nullopt;
  const v1::Challenger& c = request.challenger();
  gain::PairedCounts out;
  out.rows = c.rows();
  out.first_correct = c.proxy_correct();
  out.second_correct = c.deployed_correct();
  if (c.has_proxy_only_correct()) out.first_only_correct = c.proxy_only_correct();
  if (c.has_deployed_only_correct()) out.second_only_correct = c.deployed_only_correct();
  return out;
}

}  // namespace greengate::mapping
