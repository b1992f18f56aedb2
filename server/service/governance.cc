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
#include "server/common/status_macros.h"
#include "server/core/governance/report.h"
#include "server/mapping/policy_mapping.h"
#include "server/service/gatekeeper.h"
#include "server/service/json.h"
#include "server/service/names.h"
#include "server/service/status_util.h"
#include "server/service/time_range.h"

namespace greengate::service {
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

void SummaryToProto(const governance::Summary& s, v1::GovernanceSummary* out) {
  out->set_model(s.model);
  v1::VerdictCounts* counts = out->mutable_decisions();
  counts->set_approved(s.decisions.approved);
  counts->set_rejected(s.decisions.rejected);
  counts->set_deferred(s.decisions.deferred);
  counts->set_total(s.decisions.total);
  out->set_approved_energy_kwh(s.approved_energy_kwh);
  out->set_approved_co2e_kg(s.approved_co2e_kg);
  out->set_avoided_energy_kwh(s.avoided_energy_kwh);
  out->set_avoided_co2e_kg(s.avoided_co2e_kg);
  out->set_avoided_jobs(s.avoided_jobs);
  out->set_deferrals_later_approved(s.deferrals_later_approved);
  out->set_deferrals_pending(s.deferrals_pending);
  out->set_accuracy_floor_overrides(s.accuracy_floor_overrides);
  out->set_outcomes(s.outcomes);
  out->set_measured_energy_kwh(s.measured_energy_kwh);
  out->set_estimated_energy_kwh(s.estimated_energy_kwh);
  out->set_measured_co2e_kg(s.measured_co2e_kg);
  out->set_outcomes_with_gain(s.outcomes_with_gain);
  out->set_mean_expected_gain(s.mean_expected_gain);
  out->set_mean_realised_gain(s.mean_realised_gain);
  for (const governance::GainPoint& g : s.gains) {
    v1::GainComparison* p = out->add_gains();
    p->set_model(g.model);
    p->set_decision_seq(g.decision_seq);
    p->set_expected_gain(g.expected_gain);
    p->set_realised_gain(g.realised_gain);
  }
  if (s.budget) {
    out->set_energy_budget_kwh(s.budget->energy_budget_kwh);
    out->set_budget_window_s(absl::ToInt64Seconds(s.budget->window));
    out->set_budget_used_kwh(s.budget->used_kwh);
    out->set_budget_used_share(s.budget_used_share);
    out->set_carbon_budget_kg(s.budget->carbon_budget_kg);
    out->set_budget_used_co2e_kg(s.budget->used_co2e_kg);
    out->set_carbon_budget_used_share(s.carbon_budget_used_share);
  }
  for (const governance::FeatureCount& f : s.most_drifted_features) {
    v1::FeatureDriftCount* p = out->add_most_drifted_features();
    p->set_feature(f.feature);
    p->set_drifted_decisions(f.drifted_decisions);
  }
  for (const governance::WeeklyEnergy& w : s.weeks) {
    v1::WeeklyEnergy* p = out->add_weeks();
    p->set_week(w.week);
    p->set_approved_energy_kwh(w.approved_energy_kwh);
    p->set_avoided_energy_kwh(w.avoided_energy_kwh);
  }
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
                                                  double energy_budget_kwh,
                                                  double carbon_budget_kg, absl::Duration window,
                                                  absl::Time end) {
  governance::BudgetInput budget;
  budget.energy_budget_kwh = energy_budget_kwh;
  budget.carbon_budget_kg = carbon_budget_kg;
  budget.window = window;
  ASSIGN_OR_RETURN(const store::Store::ApprovedTotals used,
                   store.SumApproved(model_id, absl::ToUnixMillis(end - window),
                                     absl::ToUnixMillis(end)));
  budget.used_kwh = used.energy_kwh;
  budget.used_co2e_kg = used.co2e_kg;
  return budget;
}

}  // namespace

grpc::Status Gatekeeper::GetGovernanceReport(grpc::ServerContext* context,
                                             const v1::GetGovernanceReportRequest* r,
                                             v1::GovernanceReport* out) {
  if (grpc::Status s = Admit(context, "GetGovernanceReport", *r); !s.ok()) return s;
  return ToGrpcStatus(DoGetGovernanceReport(*r, out));
}

grpc::Status Gatekeeper::VerifyAuditLog(grpc::ServerContext* context,
                                        const v1::VerifyAuditLogRequest* r,
                                        v1::AuditLogVerification* out) {
  if (grpc::Status s = Admit(context, "VerifyAuditLog"); !s.ok()) return s;
  return ToGrpcStatus(DoVerifyAuditLog(*r, out));
}

absl::Status Gatekeeper::DoGetGovernanceReport(const v1::GetGovernanceReportRequest& r,
                                               v1::GovernanceReport* out) {
  ASSIGN_OR_RETURN(const absl::Time start, RequiredTime(r, true));
  ASSIGN_OR_RETURN(const absl::Time end, RequiredTime(r, false));
  if (end <= start) {
    return absl::InvalidArgumentError("end_time: must be after start_time");
  }
  if (end - start > kMaxReportPeriod) {
    return absl::InvalidArgumentError(absl::StrCat(
        "end_time: the period may span at most ", kMaxReportPeriod / absl::Hours(24), " days"));
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
    if (stored) RETURN_IF_ERROR(FromStoredJson(stored->policy, &proto));
    ASSIGN_OR_RETURN(const policy::Policy policy, mapping::PolicyFromProto(proto));
    ASSIGN_OR_RETURN(input.budgets[name],
                     BudgetUse(*store_, model_id, policy.energy_budget_kwh, policy.carbon_budget_kg,
                               policy.budget_window, end));
  }
  if (fleet_.enabled()) {
    ASSIGN_OR_RETURN(input.fleet_budget,
                     BudgetUse(*store_, std::nullopt, fleet_.energy_budget_kwh, fleet_.carbon_budget_kg,
                               fleet_.window, end));
  }

  ASSIGN_OR_RETURN(const governance::Report report, governance::BuildReport(input));
  *out->mutable_start_time() = ToTimestamp(report.start);
  *out->mutable_end_time() = ToTimestamp(report.end);
  *out->mutable_generate_time() = ToTimestamp(clock_->Now());
  SummaryToProto(report.overall, out->mutable_overall());
  for (const governance::Summary& s : report.models) SummaryToProto(s, out->add_models());
  for (const std::string& note : report.notes) out->add_notes(note);
  ASSIGN_OR_RETURN(const store::AuditVerification audit, store_->VerifyAuditChain());
  VerificationToProto(audit, out->mutable_audit());
  if (audit.problem) {
    out->add_notes(absl::StrCat("The decision log is NOT intact (decision seq ",
                                audit.problem->seq, ": ", audit.problem->detail,
                                "); figures may be unreliable."));
  }
  return absl::OkStatus();
}

absl::Status Gatekeeper::DoVerifyAuditLog(const v1::VerifyAuditLogRequest& r,
                                          v1::AuditLogVerification* out) {
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
  VerificationToProto(v, out);
  return absl::OkStatus();
}

}  // namespace greengate::service
