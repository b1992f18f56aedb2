#include "server/core/policy/deferral.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace greengate::policy {
namespace {

constexpr double kMaxIntensityGPerKwh = 2000;

}  // namespace

absl::Status ValidateForecast(const std::vector<ForecastPoint>& forecast) {
  for (size_t i = 0; i < forecast.size(); ++i) {
    const double ci = forecast[i].carbon_intensity_g_per_kwh;
    if (!(std::isfinite(ci) && ci >= 0 && ci <= kMaxIntensityGPerKwh)) {
      return absl::InvalidArgumentError(absl::StrCat("forecast[", i,
                                                     "].carbon_intensity_g_per_kwh: must be in "
                                                     "[0, 2000], got ",
                                                     ci));
    }
    if (i > 0 && !(forecast[i].time > forecast[i - 1].time)) {
      return absl::InvalidArgumentError(
          absl::StrCat("forecast[", i, "].time: must be after forecast[", i - 1, "].time"));
    }
  }
  return absl::OkStatus();
}

double MeanIntensity(const std::vector<ForecastPoint>& forecast, absl::Time start,
                     absl::Duration duration) {
  const absl::Time end = start + duration;
  double weighted = 0;  // g/kWh x seconds
  for (size_t i = 0; i < forecast.size(); ++i) {
    // Segment i covers [from, to): the first reaches back to the start, the last holds on.
    const absl::Time from = i == 0 ? std::min(start, forecast[0].time) : forecast[i].time;
    const absl::Time to = i + 1 < forecast.size() ? forecast[i + 1].time : std::max(end, from);
    const absl::Time lo = std::max(from, start);
    const absl::Time hi = std::min(to, end);
    if (hi > lo) {
      weighted += forecast[i].carbon_intensity_g_per_kwh * absl::ToDoubleSeconds(hi - lo);
    }
  }
  return weighted / absl::ToDoubleSeconds(duration);
}

std::optional<DeferralWindow> BestStart(const std::vector<ForecastPoint>& forecast, absl::Time now,
                                        absl::Duration max_delay, absl::Duration duration,
                                        double energy_kwh) {
  if (forecast.empty() || duration <= absl::ZeroDuration()) return std::nullopt;
  const absl::Time latest = now + max_delay;
  std::vector<absl::Time> candidates = {now};
  for (const ForecastPoint& p : forecast) {
    // Starting at a point, or so that the job ends at one: the breakpoints of the mean.
    for (absl::Time t : {p.time, p.time - duration}) {
      if (t > now && t <= latest) candidates.push_back(t);
    }
  }
  std::sort(candidates.begin(), candidates.end());
  std::optional<DeferralWindow> best;
  for (absl::Time t : candidates) {
    const double mean = MeanIntensity(forecast, t, duration);
    if (!best || mean < best->mean_intensity_g_per_kwh - 1e-12) {
      best = DeferralWindow{t, mean, energy_kwh * mean / 1000};
    }
  }
  return best;
}

}  // namespace greengate::policy
