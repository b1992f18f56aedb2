// Gatekeeper: governance reports and audit log verification. The store loads the period's
// rows, the pure core (server/core/governance) aggregates them, and this file maps both ways.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/app/time_range.h"
#include "server/common/status_macros.h"
#include "server/core/governance/report.h"
#include "server/mapping/governance_mapping.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

using google::protobuf::util::TimeUtil;

// Longest report period: two years of decisions is already a large response.
constexpr absl::Duration kMaxReportPeriod = absl::Hours(24 * 731);

absl::StatusOr<absl::Time> RequiredTime(const v1::GetGovernanceReportRequest& r, bool start) {
  const absl::string_view field = start ? "start_time" : "end_time";
  if (!(start ? r.has_start_time() : r.has_end_time())) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  const google::protobuf::Timestamp& t = start ? r.start_time() : r.end_time();
  if (!IsValidTimestamp(t)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid timestamp"));
  }
  return absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(t));
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

absl::StatusOr<governance::Verdict> ParseVerdict(const std::string& verdict) {
  if (verdict == "APPROVE") return governance::Verdict::kApprove;
  if (verdict == "REJECT") return governance::Verdict::kReject;
  if (verdict == "DEFER") return governance::Verdict::kDefer;
  // The column has a CHECK constraint: only a damaged file gets here.
  return absl::DataLossError(absl::StrCat("decision log: unknown verdict \"", verdict, "\""));
}

// Each version of the model deployed before the period's end: when, its reference accuracy,
// the approval that produced it with that decision's expected gain, the realised gain its
// outcome measured, and how many of the period's decisions gated it.
absl::Status AddVersionLives(store::Store& store, int64_t model_id, int64_t end_ms,
                             const std::vector<store::GovernanceDecisionRow>& decisions,
                             v1::GovernanceSummary* out) {
  ASSIGN_OR_RETURN(const std::vector<store::VersionRow> versions, store.ListVersions(model_id));
  for (const store::VersionRow& v : versions) {
    if (v.deploy_time_ms >= end_ms) continue;
    v1::VersionLife* life = out->add_versions();
    life->set_model_version(v.model_version);
    *life->mutable_deploy_time() = ToTimestamp(absl::FromUnixMillis(v.deploy_time_ms));
    life->set_reference_accuracy(v.accuracy.value_or(0));
    for (const store::GovernanceDecisionRow& d : decisions) {
      if (d.model_id == model_id && d.model_version == v.model_version) {
        life->set_decisions_gated(life->decisions_gated() + 1);
      }
    }
    if (!v.approved_by_seq) continue;
    store::DecisionFilter filter;
    filter.model_id = model_id;
    filter.before_seq = *v.approved_by_seq + 1;
    filter.limit = 1;
    ASSIGN_OR_RETURN(const std::vector<store::DecisionRow> approval, store.ListDecisions(filter));
    if (approval.empty() || approval[0].seq != *v.approved_by_seq) continue;
    life->set_approved_by(DecisionName(approval[0].decision_id));
    life->set_approved_expected_gain(approval[0].expected_gain);
    v1::Decision decision;
    if (mapping::FromStoredJson(approval[0].payload, &decision).ok()) {
      life->set_approved_gain_method(decision.gain().method());
    }
    ASSIGN_OR_RETURN(const std::optional<store::OutcomeRow> outcome,
                     store.GetOutcome(*v.approved_by_seq));
    if (outcome && outcome->accuracy_before && outcome->accuracy_after) {
      life->set_realised_gain(*outcome->accuracy_after - *outcome->accuracy_before);
    }
  }
  return absl::OkStatus();
}

void VerificationToProto(const store::AuditVerification& v, v1::AuditLogVerification* out) {
  out->set_intact(!v.problem.has_value());
  out->set_checked_rows(v.checked_rows);
  out->set_legacy_rows(v.legacy_rows);
  out->set_head_seq(v.head_seq);
  out->set_head_hash(v.head_hash);
  if (v.problem) {
    out->set_problem(v.problem->kind == store::AuditProblem::Kind::kMissing
                         ? v1::AuditLogVerification::MISSING
                         : v1::AuditLogVerification::ALTERED);
    out->set_problem_seq(v.problem->seq);
    out->set_detail(v.problem->detail);
  }
}

bool IsLowerHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// A budget in force at `end` and what its window ending there used (model_id unset: every
// model's approvals, for the fleet's budget).
absl::StatusOr<governance::BudgetInput> BudgetUse(store::Store& store,
                                                  std::optional<int64_t> model_id,
                                                  std::optional<double> energy_budget_kwh,
                                                  std::optional<double> carbon_budget_kg,
                                                  absl::Duration window, absl::Time end) {
  governance::BudgetInput budget;
  budget.energy_budget_kwh = energy_budget_kwh;
  budget.carbon_budget_kg = carbon_budget_kg;
  budget.window = window;
  ASSIGN_OR_RETURN(
      const store::Store::ApprovedTotals used,
      store.SumApproved(model_id, absl::ToUnixMillis(end - window), absl::ToUnixMillis(end)));
  budget.used_kwh = used.energy_kwh;
  budget.used_co2e_kg = used.co2e_kg;
  return budget;
}

}  // namespace

absl::StatusOr<v1::GovernanceReport> Gatekeeper::GetGovernanceReport(
    const v1::GetGovernanceReportRequest& r) {
  v1::GovernanceReport report_proto;
  v1::GovernanceReport* const out = &report_proto;
  ASSIGN_OR_RETURN(const absl::Time start, RequiredTime(r, true));
  ASSIGN_OR_RETURN(const absl::Time end, RequiredTime(r, false));
  if (end <= start) {
    return absl::InvalidArgumentError("end_time: must be after start_time");
  }
  if (end - start > kMaxReportPeriod) {
    return absl::InvalidArgumentError(absl::StrCat("end_time: the period may span at most ",
                                                   kMaxReportPeriod / absl::Hours(24), " days"));
  }
  std::optional<int64_t> model_filter;
  if (!r.model().empty()) {
    ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
    ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
    model_filter = model.id;
  }
  ASSIGN_OR_RETURN(std::vector<store::ModelRow> models, store_->ListModels());
  absl::flat_hash_map<int64_t, std::string> names;
  for (const store::ModelRow& m : models) names[m.id] = ModelName(m.model_id);
  const auto name_of = [&](int64_t id) -> std::string {
    const auto it = names.find(id);
    return it != names.end() ? it->second : absl::StrCat("models/#", id);
  };

  const int64_t start_ms = absl::ToUnixMillis(start);
  const int64_t end_ms = absl::ToUnixMillis(end);
  governance::ReportInput input;
  input.start = start;
  input.end = end;
  ASSIGN_OR_RETURN(std::vector<store::GovernanceDecisionRow> decisions,
                   store_->ListGovernanceDecisions(start_ms, end_ms, model_filter));
  std::map<int64_t, std::string> report_models;  // id -> name, models with decisions
  for (store::GovernanceDecisionRow& row : decisions) {
    governance::DecisionInput d;
    d.seq = row.seq;
    d.model = name_of(row.model_id);
    ASSIGN_OR_RETURN(d.verdict, ParseVerdict(row.verdict));
    d.time = absl::FromUnixMillis(row.create_time_ms);
    d.energy_kwh = row.energy_kwh;
    d.co2e_kg = row.co2e_kg;
    d.expected_gain = row.expected_gain;
    d.accuracy_floor_override = row.accuracy_floor_override;
    d.drifted_features = std::move(row.drifted_features);
    report_models[row.model_id] = d.model;
    input.decisions.push_back(std::move(d));
  }
  ASSIGN_OR_RETURN(std::vector<store::GovernanceOutcomeRow> outcomes,
                   store_->ListGovernanceOutcomes(start_ms, end_ms, model_filter));
  for (const store::GovernanceOutcomeRow& row : outcomes) {
    governance::OutcomeInput o;
    o.decision_seq = row.decision_seq;
    o.model = name_of(row.model_id);
    o.measured_energy_kwh = row.energy_kwh;
    o.measured_co2e_kg = row.co2e_kg;
    o.estimated_energy_kwh = row.estimated_energy_kwh;
    o.expected_gain = row.expected_gain;
    o.accuracy_before = row.accuracy_before;
    o.accuracy_after = row.accuracy_after;
    input.outcomes.push_back(std::move(o));
  }
  // Budgets: the policy in force at the period's end, and what its window used by then.
  for (const auto& [model_id, name] : report_models) {
    ASSIGN_OR_RETURN(std::optional<store::PolicyRow> stored,
                     store_->GetPolicyAt(model_id, end_ms - 1));
    v1::Policy proto;
    if (stored) RETURN_IF_ERROR(mapping::FromStoredJson(stored->policy, &proto));
    ASSIGN_OR_RETURN(const policy::Policy policy, mapping::PolicyFromProto(proto));
    ASSIGN_OR_RETURN(input.budgets[name],
                     BudgetUse(*store_, model_id, policy.energy_budget_kwh, policy.carbon_budget_kg,
                               policy.budget_window, end));
  }
  if (fleet_.enabled()) {
    ASSIGN_OR_RETURN(input.fleet_budget, BudgetUse(*store_, std::nullopt, fleet_.energy_limit_kwh(),
                                                   fleet_.carbon_limit_kg(), fleet_.window, end));
  }

  ASSIGN_OR_RETURN(const governance::Report report, governance::BuildReport(input));
  *out->mutable_start_time() = ToTimestamp(report.start);
  *out->mutable_end_time() = ToTimestamp(report.end);
  *out->mutable_generate_time() = ToTimestamp(clock_->Now());
  mapping::SummaryToProto(report.overall, out->mutable_overall());
  for (const governance::Summary& s : report.models) {
    mapping::SummaryToProto(s, out->add_models());
  }
  for (v1::GovernanceSummary& summary : *out->mutable_models()) {
    for (const auto& [model_id, name] : report_models) {
      if (name != summary.model()) continue;
      RETURN_IF_ERROR(AddVersionLives(*store_, model_id, end_ms, decisions, &summary));
    }
  }
  for (const std::string& note : report.notes) out->add_notes(note);
  ASSIGN_OR_RETURN(const store::AuditVerification audit, store_->VerifyAuditChain());
  VerificationToProto(audit, out->mutable_audit());
  if (audit.problem) {
    out->add_notes(absl::StrCat("The decision log is NOT intact (decision seq ", audit.problem->seq,
                                ": ", audit.problem->detail, "); figures may be unreliable."));
  }
  return report_proto;
}

absl::StatusOr<v1::AuditLogVerification> Gatekeeper::VerifyAuditLog(
    const v1::VerifyAuditLogRequest& r) {
  std::optional<store::AuditAnchor> anchor;
  if (r.anchor_seq() != 0 || !r.anchor_hash().empty()) {
    if (r.anchor_seq() <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("anchor_seq: must be > 0 with an anchor_hash, got ", r.anchor_seq()));
    }
    if (!IsLowerHex64(r.anchor_hash())) {
      return absl::InvalidArgumentError(
          "anchor_hash: must be 64 lowercase hex digits (a head_hash of VerifyAuditLog)");
    }
    anchor = store::AuditAnchor{r.anchor_seq(), r.anchor_hash()};
  }
  ASSIGN_OR_RETURN(const store::AuditVerification v, store_->VerifyAuditChain(anchor));
  v1::AuditLogVerification out;
  VerificationToProto(v, &out);
  return out;
}

}  // namespace greengate::app
