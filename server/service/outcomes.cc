// ReportOutcome and everything the service learns from outcomes: the outcome shown with its
// decision, the reference's confidence scores (calibration checked when set), and the
// ShouldRetrain inputs that come from the model's history.

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/core/profile/validate.h"
#include "server/mapping/profile_mapping.h"
#include "server/mapping/outcome_mapping.h"
#include "server/mapping/plan_mapping.h"
#include "server/service/gatekeeper.h"
#include "server/service/json.h"
#include "server/service/names.h"
#include "server/service/status_util.h"

namespace greengate::service {
namespace {

using google::protobuf::util::TimeUtil;

constexpr size_t kMaxText = 256;
// Beyond these an outcome is a unit mistake (Wh for kWh, g for kg), not a training job.
constexpr double kMaxEnergyKwh = 1e9;
constexpr double kMaxCo2eKg = 1e9;
constexpr double kMaxDurationS = 1e9;
// Outcomes the estimators read per model: the newest ones; older hardware and data matter less.
constexpr int kOutcomesLoaded = 200;

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

absl::Status CheckText(const std::string& value, absl::string_view field, bool required) {
  if (required && value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (value.size() > kMaxText) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value.size(), " bytes; at most ", kMaxText));
  }
  return absl::OkStatus();
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

PastRetrain PastRetrainFromRow(const store::OutcomeRow& row) {
  PastRetrain out;
  out.energy.measured_kwh = row.energy_kwh;
  out.energy.estimated_kwh = row.green_algorithms_energy_kwh;
  out.energy.training_rows = row.training_rows;
  out.gain.expected_degradation = row.expected_degradation;
  out.gain.reference_accuracy = row.reference_accuracy;
  out.gain.accuracy_before = row.accuracy_before;
  out.gain.accuracy_after = row.accuracy_after;
  out.gain.drifted_share = row.drifted_share;
  out.gain.plan = row.plan;
  return out;
}

}  // namespace

grpc::Status Gatekeeper::ReportOutcome(grpc::ServerContext* context,
                                       const v1::ReportOutcomeRequest* r,
                                       v1::Outcome* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ReportOutcome", &caller); !s.ok()) return s;
  return ToGrpcStatus(DoReportOutcome(*r, caller, out));
}

absl::Status Gatekeeper::DoReportOutcome(const v1::ReportOutcomeRequest& r,
                                         const auth::Caller& caller, v1::Outcome* out) {
  const v1::Outcome& o = r.outcome();
  ASSIGN_OR_RETURN(std::string decision_id, ParseDecisionName(o.decision(), "outcome.decision"));
  RETURN_IF_ERROR(ValidateOutcome(o));
  ASSIGN_OR_RETURN(store::DecisionRow decision_row, store_->GetDecision(decision_id));
  if (decision_row.verdict != "APPROVE") {
    return absl::FailedPreconditionError(
        absl::StrCat(o.decision(), " was ", decision_row.verdict,
                     ": outcomes are reported only for APPROVE decisions (retrains that ran)"));
  }
  v1::Decision decision;
  RETURN_IF_ERROR(FromStoredJson(decision_row.payload, &decision));
  RETURN_IF_ERROR(CheckScope(caller, decision.model()));

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
  row.create_time_ms = absl::ToUnixMillis(clock_->Now());

  v1::Outcome stored = o;
  stored.set_decision(DecisionName(decision_id));
  stored.set_co2e_kg(*row.co2e_kg);
  *stored.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.create_time_ms);
  stored.set_estimated_energy_kwh(row.estimated_energy_kwh);
  stored.set_expected_gain(row.expected_gain);
  row.payload = ToStoredJson(stored);
  absl::StatusOr<store::OutcomeRow> inserted = store_->InsertOutcome(row);
  if (absl::IsAlreadyExists(inserted.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat(stored.decision(), " already has an outcome; outcomes cannot be replaced"));
  }
  RETURN_IF_ERROR(inserted.status());
  {
    // Committed: the model's next decision reads its outcomes again.
    ModelState* const state = StateOf(row.model_id);
    absl::MutexLock lock(&state->mu);
    state->outcomes.reset();
  }
  log::Info("outcome reported", {{"decision", stored.decision()},
                                 {"energy_kwh", row.energy_kwh},
                                 {"estimated_energy_kwh", row.estimated_energy_kwh},
                                 {"source", row.source}});
  *out = std::move(stored);
  return absl::OkStatus();
}

absl::Status Gatekeeper::AttachOutcome(const store::DecisionRow& row, v1::Decision* decision) {
  ASSIGN_OR_RETURN(std::optional<store::OutcomeRow> outcome, store_->GetOutcome(row.seq));
  if (!outcome) return absl::OkStatus();
  return FromStoredJson(outcome->payload, decision->mutable_outcome());
}

absl::StatusOr<std::optional<gain::Calibration>> Gatekeeper::CheckReferenceScores(
    const v1::Reference& ref) {
  if (!ref.has_scores()) return std::optional<gain::Calibration>();
  if (ref.accuracy() == 0) {
    return absl::InvalidArgumentError(
        "reference.scores: needs reference.accuracy (the calibration of the scores is checked "
        "against it)");
  }
  ASSIGN_OR_RETURN(const gain::ScoreSummary scores,
                   mapping::ScoresFromProto(ref.scores(), "reference.scores"));
  ASSIGN_OR_RETURN(gain::Calibration calibration,
                   gain::CheckCalibration(scores, ref.accuracy(), ref.evaluation_rows(),
                                          "reference.scores"));
  return std::optional<gain::Calibration>(std::move(calibration));
}

std::optional<store::ReferenceScoresRow> Gatekeeper::ReferenceScores(
    const v1::Reference& ref, const std::optional<gain::Calibration>& calibration) {
  if (!calibration) return std::nullopt;
  store::ReferenceScoresRow row;
  row.scores = ToStoredJson(ref.scores());
  row.calibrated = calibration->calibrated;
  row.calibration_detail = calibration->detail;
  return row;
}

absl::Status Gatekeeper::FillReferenceScores(int64_t reference_id, v1::Reference* out) {
  ASSIGN_OR_RETURN(std::optional<store::ReferenceScoresRow> row,
                   store_->GetReferenceScores(reference_id));
  if (!row) return absl::OkStatus();
  RETURN_IF_ERROR(FromStoredJson(row->scores, out->mutable_scores()));
  out->set_scores_calibrated(row->calibrated);
  out->set_calibration_detail(row->calibration_detail);
  return absl::OkStatus();
}

absl::Status Gatekeeper::AddLearningInputs(const v1::ShouldRetrainRequest& r,
                                           const store::ModelRow& model,
                                           const LoadedReference& reference, ModelState* state,
                                           EvaluationInput* input) {
  if (r.plans_size() > 0) {
    // `plan`, when also set, is the first alternative.
    if (r.has_plan()) input->alternatives.push_back(mapping::PlanFromProto(r.plan()));
    input->first_alternative_is_plan = r.has_plan();
    for (const v1::TrainingPlan& p : r.plans()) {
      input->alternatives.push_back(mapping::PlanFromProto(p));
    }
  }
  if (r.has_scores()) {
    // Scores are compared with the reference's: without them, or on other edges, they would
    // be silently ignored.
    if (!reference.scores) {
      return absl::FailedPreconditionError(absl::StrCat(
          "scores: the reference of ", r.model(), " has no scores to compare them with; set "
          "reference.scores (SetReference) or leave scores out"));
    }
    ASSIGN_OR_RETURN(input->scores, mapping::ScoresFromProto(r.scores(), "scores"));
    profile::NumericProfile reference_scores;
    reference_scores.bin_edges = reference.scores->bin_edges;
    RETURN_IF_ERROR(profile::ValidateScoresAgainstReference(
        reference_scores, mapping::NumericFromProto(r.scores()), "scores"));
  }
  input->forecast = mapping::ForecastFromProto(r);

  if (reference.scores) {
    input->reference_scores_calibrated = reference.scores->calibrated;
    input->reference_calibration_detail = reference.scores->detail;
  }
  if (!state->outcomes) {  // read once, then again only after ReportOutcome
    ASSIGN_OR_RETURN(state->outcomes, store_->ListOutcomes(model.id, kOutcomesLoaded));
  }
  for (const store::OutcomeRow& row : *state->outcomes) {
    input->outcomes.push_back(PastRetrainFromRow(row));
  }
  return absl::OkStatus();
}

}  // namespace greengate::service
