#pragma once

// Carbon-aware deferral: given a grid carbon-intensity forecast, the start time within an
// allowed delay that minimises a job's CO2e. Pure and thread-safe.

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace greengate::policy {

// Intensity from `time` until the next point (a step function); the last point holds on.
struct ForecastPoint {
  absl::Time time;
  double carbon_intensity_g_per_kwh = 0;
};

struct DeferralWindow {
  absl::Time start;
  double mean_intensity_g_per_kwh = 0;  // over [start, start + duration)
  double co2e_kg = 0;                   // energy x mean intensity / 1000
};

// ValidateForecast(): InvalidArgument naming "forecast[i].time" (not strictly increasing)
// or "forecast[i].carbon_intensity_g_per_kwh" (outside [0, 2000] or not finite).
absl::Status ValidateForecast(const std::vector<ForecastPoint>& forecast);

// Mean of the step function over [start, start + duration); before the first point the
// first point's intensity holds (the forecast's best guess for "now"). duration > 0.
double MeanIntensity(const std::vector<ForecastPoint>& forecast, absl::Time start,
                     absl::Duration duration);

// BestStart(): the candidate start in [now, now + max_delay] with the lowest mean intensity
// over the job's `duration`; candidates are `now` and every forecast point time within the
// delay (the mean is piecewise linear between them, so its minimum over starts is at one of
// them or at a time whose end crosses a point; those are included too). Ties: the earliest.
// nullopt for an empty forecast. `energy_kwh` turns intensity into CO2e.
std::optional<DeferralWindow> BestStart(const std::vector<ForecastPoint>& forecast, absl::Time now,
                                        absl::Duration max_delay, absl::Duration duration,
                                        double energy_kwh);

}  // namespace greengate::policy
