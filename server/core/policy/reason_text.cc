#include "server/core/policy/reason_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::policy::text {

std::string Num(double x) {
  if (std::abs(x) >= 1000 && std::isfinite(x)) return absl::StrFormat("%.0f", x);
  return absl::StrFormat("%.3g", x);
}
std::string Points(double fraction) { return Num(100 * fraction); }
std::string Accuracy(double fraction) { return absl::StrFormat("%.3f", fraction); }
std::string Hours(absl::Duration d) { return Num(absl::ToDoubleHours(d)); }
std::string Time(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}
std::string Percent(double level) { return absl::StrCat(Num(100 * level), "%"); }

std::string FeaturesDrifted(const drift::DriftReport& d) {
  return absl::StrFormat("%d of %d features drifted", d.drifted_features, d.features.size());
}

std::string NeedPhrase(const drift::DriftReport& d, const gain::GainEstimate& g) {
  if (d.dataset_drift) return FeaturesDrifted(d);
  return absl::StrCat("accuracy fell from ", Accuracy(g.reference_accuracy), " to ",
                      Accuracy(g.current_accuracy), " (", FeaturesDrifted(d), ")");
}

std::string CostPhrase(const energy::CostEstimate& c) {
  return absl::StrCat(Num(c.energy_kwh), " kWh / ", Num(c.co2e_kg), " kg CO2e");
}

}  // namespace greengate::policy::text
