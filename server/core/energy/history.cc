#include "server/core/energy/history.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::energy {
namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double SampleStdDev(const std::vector<double>& v) {
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

bool Usable(const MeasuredRun& r) {
  return std::isfinite(r.measured_kwh) && std::isfinite(r.estimated_kwh) && r.measured_kwh > 0 &&
         r.estimated_kwh > 0;
}

}  // namespace

absl::StatusOr<CostEstimate> ApplyMeasuredHistory(const CostEstimate& formula,
                                                  const TrainingPlan& plan,
                                                  const std::vector<MeasuredRun>& runs, double z) {
  if (!(std::isfinite(z) && z >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("z: must be finite and >= 0, got ", z));
  }
  std::vector<double> log_ratios, ratios, kwh_per_row;
  for (const MeasuredRun& r : runs) {
    if (!Usable(r)) continue;
    ratios.push_back(r.measured_kwh / r.estimated_kwh);
    log_ratios.push_back(std::log(ratios.back()));
    if (r.training_rows > 0) {
      kwh_per_row.push_back(r.measured_kwh / static_cast<double>(r.training_rows));
    }
  }
  if (ratios.empty()) return formula;

  CostEstimate out = formula;
  const double n = static_cast<double>(ratios.size());
  if (plan.training_rows > 0 && !kwh_per_row.empty()) {
    double mean_rate = 0;
    for (double x : kwh_per_row) mean_rate += x;
    mean_rate /= static_cast<double>(kwh_per_row.size());
    out.energy_kwh = static_cast<double>(plan.training_rows) * mean_rate;
    out.outcomes_used = static_cast<int>(kwh_per_row.size());
    out.method_detail = absl::StrFormat(
        "%d training rows x %.6g kWh/row (mean over %d measured outcomes; Carbontracker-style "
        "extrapolation)",
        plan.training_rows, mean_rate, out.outcomes_used);
  } else {
    const double median_ratio = Median(ratios);
    out.energy_kwh = formula.energy_kwh * median_ratio;
    out.outcomes_used = static_cast<int>(ratios.size());
    out.method_detail = absl::StrFormat(
        "Green Algorithms %.4g kWh x median measured/estimated ratio %.4g over %d outcomes "
        "(training rows unknown)",
        formula.energy_kwh, median_ratio, out.outcomes_used);
  }
  const double spread = ratios.size() >= 2 ? SampleStdDev(log_ratios) : kSingleRunLogSpread;
  const double half_width = z * spread * std::sqrt(1 + 1 / n);
  out.energy_kwh_lower = out.energy_kwh * std::exp(-half_width);
  out.energy_kwh_upper = out.energy_kwh * std::exp(half_width);
  absl::StrAppend(&out.method_detail,
                  absl::StrFormat("; interval from the spread of ln(measured/estimated), "
                                  "s = %.4g%s",
                                  spread, ratios.size() >= 2 ? "" : " (one run: assumed)"));

  const double scale = formula.energy_kwh > 0 ? out.energy_kwh / formula.energy_kwh : 0;
  for (CostComponent& c : out.breakdown) {
    c.energy_kwh *= scale;
    absl::StrAppend(&c.source, "; scaled to the measured history");
  }
  out.co2e_kg = out.energy_kwh * formula.carbon_intensity_g_per_kwh / 1000;
  out.method = "measured_history";
  out.green_algorithms_energy_kwh = formula.energy_kwh;
  return out;
}

}  // namespace greengate::energy
