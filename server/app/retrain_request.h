#pragma once

// RetrainRequest: a ShouldRetrain request as core values, mapped from the wire once by the
// adapter (service/retrain_request_mapping.h) before the application sees it.

#include <optional>
#include <string>
#include <vector>

#include "server/core/energy/energy.h"
#include "server/core/gain/cbpe.h"
#include "server/core/gain/gain.h"
#include "server/core/gain/paired.h"
#include "server/core/policy/deferral.h"
#include "server/core/profile/profile.h"

namespace greengate::app {

struct RetrainRequest {
  std::string model_id;  // "churn" of "models/churn"
  profile::DataProfile current;
  // The plan as sent; with `alternatives` it is their first only when it was set.
  energy::TrainingPlan plan;
  bool plan_sent = false;  // `plan` was set (errors then name the alternatives as sent)
  // Several plans offered: `plan` first when it was set, then each of `plans`; else empty.
  std::vector<energy::TrainingPlan> alternatives;
  std::optional<gain::LabeledWindow> labeled;
  std::optional<gain::ScoreSummary> scores;  // top-class confidence on the current rows
  std::vector<double> scores_bin_edges;      // must be the reference scores' edges
  std::vector<policy::ForecastPoint> forecast;
  std::string idempotency_key;  // "" = none
  // A proxy retrain and the deployed model on the same holdout (first: the proxy), with the
  // proxy's declared energy (kWh) and description, echoed in the decision.
  std::optional<gain::PairedCounts> challenger;
  double challenger_energy_kwh = 0;
  std::string challenger_description;
};

}  // namespace greengate::app
