#include "server/app/versions.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/app/names.h"
#include "server/common/status_macros.h"

namespace greengate::app {

absl::StatusOr<int64_t> ApprovalSeq(store::Store& store, int64_t model_id,
                                    const std::string& decision_name) {
  ASSIGN_OR_RETURN(std::string id, ParseDecisionName(decision_name, "reference.approved_by"));
  absl::StatusOr<store::DecisionRow> found = store.GetDecision(id);
  if (absl::IsNotFound(found.status())) {
    return absl::NotFoundError(
        absl::StrCat("reference.approved_by: decision ", decision_name, " not found"));
  }
  ASSIGN_OR_RETURN(store::DecisionRow decision, std::move(found));
  if (decision.model_id != model_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("reference.approved_by: ", decision_name, " gated another model"));
  }
  if (decision.verdict != "APPROVE") {
    return absl::FailedPreconditionError(
        absl::StrCat("reference.approved_by: ", decision_name, " was ", decision.verdict,
                     ": a version is produced by an approved retrain"));
  }
  return decision.seq;
}

absl::Status ApplyShadowScore(v1::Outcome* o) {
  if (!o->has_shadow()) return absl::OkStatus();
  const v1::ShadowScore& s = o->shadow();
  if (s.rows() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome.shadow.rows: must be > 0, got ", s.rows()));
  }
  for (auto [value, name] : {std::pair{s.correct_before(), "correct_before"},
                             std::pair{s.correct_after(), "correct_after"}}) {
    if (value < 0 || value > s.rows()) {
      return absl::InvalidArgumentError(absl::StrCat("outcome.shadow.", name, ": must be in [0, ",
                                                     "outcome.shadow.rows=", s.rows(), "], got ",
                                                     value));
    }
  }
  if (o->has_accuracy_before() || o->has_accuracy_after()) {
    return absl::InvalidArgumentError(
        absl::StrCat(o->has_accuracy_after() ? "outcome.accuracy_after" : "outcome.accuracy_before",
                     ": not with outcome.shadow (the accuracies are derived from its counts)"));
  }
  const double rows = static_cast<double>(s.rows());
  o->set_accuracy_before(static_cast<double>(s.correct_before()) / rows);
  o->set_accuracy_after(static_cast<double>(s.correct_after()) / rows);
  o->set_evaluation_rows(s.rows());
  if (o->evaluation_set().empty()) o->set_evaluation_set("shadow");
  return absl::OkStatus();
}

std::vector<double> AttainedAccuracies(const std::vector<store::VersionRow>& versions,
                                       const std::vector<store::OutcomeRow>& outcomes,
                                       absl::string_view deployed_version) {
  std::vector<double> out;
  for (const store::VersionRow& v : versions) {
    if (v.model_version == deployed_version) continue;
    std::optional<double> attained = v.accuracy;
    if (v.approved_by_seq) {
      for (const store::OutcomeRow& o : outcomes) {
        if (o.decision_seq == *v.approved_by_seq && o.accuracy_after) attained = o.accuracy_after;
      }
    }
    if (attained) out.push_back(*attained);
  }
  return out;
}

}  // namespace greengate::app
