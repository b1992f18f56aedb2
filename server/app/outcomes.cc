// Gatekeeper::ReportOutcome: what a retrain the gate approved measured and gained, closing
// the loop (the model's next decisions learn from it).

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/app/request_checks.h"
#include "server/app/versions.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

using google::protobuf::util::TimeUtil;

// Beyond these an outcome is a unit mistake (Wh for kWh, g for kg), not a training job.
constexpr double kMaxEnergyKwh = 1e9;
constexpr double kMaxCo2eKg = 1e9;
constexpr double kMaxDurationS = 1e9;

absl::Status CheckNumber(double value, double max, absl::string_view field) {
  if (std::isfinite(value) && value >= 0 && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be a finite number in [0, ", max, "], got ", value));
}

absl::Status CheckFraction(double value, absl::string_view field) {
  if (value >= 0 && value <= 1) return absl::OkStatus();  // NaN fails
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be in [0, 1] (a fraction, e.g. 0.91), got ", value));
}

absl::Status ValidateOutcome(const v1::Outcome& o) {
  if (!o.has_energy_kwh()) {
    return absl::InvalidArgumentError(
        "outcome.energy_kwh: required (the measured kWh of the retrain; 0 is a valid value)");
  }
  RETURN_IF_ERROR(CheckNumber(o.energy_kwh(), kMaxEnergyKwh, "outcome.energy_kwh"));
  if (o.has_co2e_kg()) RETURN_IF_ERROR(CheckNumber(o.co2e_kg(), kMaxCo2eKg, "outcome.co2e_kg"));
  if (o.has_duration_s()) {
    RETURN_IF_ERROR(CheckNumber(o.duration_s(), kMaxDurationS, "outcome.duration_s"));
  }
  RETURN_IF_ERROR(CheckText(o.source(), "outcome.source", true));
  if (o.has_accuracy_before()) {
    RETURN_IF_ERROR(CheckFraction(o.accuracy_before(), "outcome.accuracy_before"));
  }
  if (o.has_accuracy_after()) {
    RETURN_IF_ERROR(CheckFraction(o.accuracy_after(), "outcome.accuracy_after"));
  }
  RETURN_IF_ERROR(CheckText(o.evaluation_set(), "outcome.evaluation_set", false));
  if (o.evaluation_rows() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome.evaluation_rows: must be >= 0, got ", o.evaluation_rows()));
  }
  if (o.training_rows() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome.training_rows: must be >= 0, got ", o.training_rows()));
  }
  return absl::OkStatus();
}

std::optional<double> Optional(bool has, double value) {
  return has ? std::optional<double>(value) : std::nullopt;
}

}  // namespace

absl::StatusOr<v1::Outcome> Gatekeeper::ReportOutcome(const v1::ReportOutcomeRequest& r) {
  v1::Outcome o = r.outcome();
  ASSIGN_OR_RETURN(std::string decision_id, ParseDecisionName(o.decision(), "outcome.decision"));
  RETURN_IF_ERROR(ApplyShadowScore(&o));  // versions.h: shadow counts -> the accuracies
  RETURN_IF_ERROR(ValidateOutcome(o));
  ASSIGN_OR_RETURN(store::DecisionRow decision_row, store_->GetDecision(decision_id));
  if (decision_row.verdict != "APPROVE") {
    return absl::FailedPreconditionError(
        absl::StrCat(o.decision(), " was ", decision_row.verdict,
                     ": outcomes are reported only for APPROVE decisions (retrains that ran)"));
  }
  v1::Decision decision;
  RETURN_IF_ERROR(mapping::FromStoredJson(decision_row.payload, &decision));

  store::OutcomeRow row;
  row.decision_seq = decision_row.seq;
  row.model_id = decision_row.model_id;
  row.energy_kwh = o.energy_kwh();
  // Unmeasured CO2e: the measured energy at the intensity the decision used.
  row.co2e_kg = o.has_co2e_kg()
                    ? o.co2e_kg()
                    : o.energy_kwh() * decision.cost().carbon_intensity_g_per_kwh() / 1000;
  row.duration_s = Optional(o.has_duration_s(), o.duration_s());
  row.source = o.source();
  row.accuracy_before = Optional(o.has_accuracy_before(), o.accuracy_before());
  row.accuracy_after = Optional(o.has_accuracy_after(), o.accuracy_after());
  row.evaluation_set = o.evaluation_set();
  row.evaluation_rows = o.evaluation_rows();
  row.training_rows = o.training_rows();
  row.estimated_energy_kwh = decision.cost().energy_kwh();
  row.expected_gain = decision.gain().expected();
  // Decisions from before history-based estimates have no separate formula figure.
  row.green_algorithms_energy_kwh = decision.cost().green_algorithms_energy_kwh() > 0
                                        ? decision.cost().green_algorithms_energy_kwh()
                                        : decision.cost().energy_kwh();
  const v1::GainEstimate& gain = decision.gain();
  if (gain.method() != "none" && !gain.method().empty()) {
    row.expected_degradation = gain.degradation();
  }
  if (gain.reference_accuracy() > 0) row.reference_accuracy = gain.reference_accuracy();
  row.drifted_share = decision.drift().drifted_share();
  row.plan = decision.cost().plan();
  // What the proxy promised, so later challengers learn how full retrains compare with it.
  if (gain.method() == "challenger") row.proxy_gain = gain.proxy_gain();
  row.create_time_ms = absl::ToUnixMillis(clock_->Now());

  v1::Outcome stored = o;
  stored.set_decision(DecisionName(decision_id));
  stored.set_co2e_kg(*row.co2e_kg);
  *stored.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.create_time_ms);
  stored.set_estimated_energy_kwh(row.estimated_energy_kwh);
  stored.set_expected_gain(row.expected_gain);
  stored.set_model_version(decision.model_version());
  if (row.accuracy_before && row.accuracy_after) {
    stored.set_realised_gain(*row.accuracy_after - *row.accuracy_before);
  }
  row.payload = mapping::ToStoredJson(stored);
  absl::StatusOr<store::OutcomeRow> inserted = store_->InsertOutcome(row);
  if (absl::IsAlreadyExists(inserted.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat(stored.decision(), " already has an outcome; outcomes cannot be replaced"));
  }
  RETURN_IF_ERROR(inserted.status());
  cache_.ForgetOutcomes(row.model_id);  // committed: the next decision reads them again
  log::Info("outcome reported", {{"decision", stored.decision()},
                                 {"energy_kwh", row.energy_kwh},
                                 {"estimated_energy_kwh", row.estimated_energy_kwh},
                                 {"source", row.source}});
  return stored;
}

}  // namespace greengate::app
