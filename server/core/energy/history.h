#pragma once

// Energy learned from measured outcomes, as Carbontracker extrapolates a whole training run
// from its measured epochs (predictor.py: total_epochs x mean(epoch energy)): here the unit of
// work is a training row instead of an epoch. Pure and thread-safe.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/energy/energy.h"

namespace greengate::energy {

// One past approved retrain of the model: what it measured and what the formula estimated.
struct MeasuredRun {
  double measured_kwh = 0;    // reported (e.g. CodeCarbon energy_consumed)
  double estimated_kwh = 0;   // the Green Algorithms estimate of its decision
  int64_t training_rows = 0;  // 0 = unknown
};

// Log-scale spread assumed with a single measured run, when no spread can be measured:
// ln(1.4) / 1.6448536 (the 95% one-sided normal quantile), so a single run gives a band of
// about x/÷ 1.4 at 95% — CodeCarbon-class meters err by up to 40% against external meters
// (Fischer 2025, arXiv 2509.22092; reference/energy.md §6).
inline constexpr double kSingleRunLogSpread = 0.2045605950;

// ApplyMeasuredHistory()
//
// Replaces the formula estimate `formula` (from EstimateCost for `plan`) by one learned from
// `runs` (runs with measured_kwh or estimated_kwh <= 0 are ignored; none left: `formula` is
// returned unchanged):
//   - kWh per row: when plan.training_rows > 0 and some runs know their rows,
//       energy = plan.training_rows x mean_i(measured_i / rows_i)  over those runs;
//   - otherwise the formula scaled by the median measured/estimated ratio:
//       energy = formula.energy_kwh x median_i(measured_i / estimated_i).
// Interval: with l_i = ln(measured_i / estimated_i) over the n usable runs and s their
// sample standard deviation (kSingleRunLogSpread when n == 1), the lognormal prediction band
//   [energy x exp(-z s sqrt(1 + 1/n)), energy x exp(z s sqrt(1 + 1/n))],
// z = the one-sided normal quantile of the decision's confidence (passed in: the energy
// module has no statistics). The breakdown is scaled to the new total (each component keeps
// its share), CO2e = energy x formula.carbon_intensity_g_per_kwh / 1000, method
// "measured_history", outcomes_used = runs the point estimate rests on.
// InvalidArgument ("z") for z < 0 or not finite.
absl::StatusOr<CostEstimate> ApplyMeasuredHistory(const CostEstimate& formula,
                                                  const TrainingPlan& plan,
                                                  const std::vector<MeasuredRun>& runs, double z);

}  // namespace greengate::energy
