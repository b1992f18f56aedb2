#pragma once

// How the policy's checks write numbers, times and phrases in their details and in the
// decision's one-line reason. Pure and thread-safe.

#include <string>

#include "absl/time/time.h"
#include "server/core/drift/drift.h"
#include "server/core/energy/energy.h"
#include "server/core/gain/gain.h"

namespace greengate::policy::text {

// Three significant digits, but whole numbers from 1000 on ("1234", not "1.23e+03").
std::string Num(double x);
// An accuracy fraction as points: 0.0123 -> "1.23".
std::string Points(double fraction);
// An accuracy fraction to three decimals: "0.812".
std::string Accuracy(double fraction);
std::string Hours(absl::Duration d);
// RFC 3339 in UTC, to the second: "2024-03-01T12:00:00Z".
std::string Time(absl::Time t);
// A fraction as a percentage: 0.95 -> "95%".
std::string Percent(double level);
// "3 of 5 features drifted"
std::string FeaturesDrifted(const drift::DriftReport& d);
// What shows the need for a retrain, for the reasons of the later checks.
std::string NeedPhrase(const drift::DriftReport& d, const gain::GainEstimate& g);
// "12.3 kWh / 4.1 kg CO2e"
std::string CostPhrase(const energy::CostEstimate& c);

}  // namespace greengate::policy::text
