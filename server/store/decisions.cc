// Store: the append-only decision log.

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/store/sqlite.h"
#include "server/store/store.h"

namespace greengate::store {
namespace {

constexpr absl::string_view kDecisionColumns =
    "seq, decision_id, model_id, model_version, policy_version, verdict, decided_by, "
    "energy_kwh, co2e_kg, expected_gain, gain_lower_bound, dataset_drift, idempotency_key, "
    "create_time_ms, payload";

DecisionRow ReadDecision(const Statement& s) {
  DecisionRow row;
  row.seq = s.ColumnInt64(0);
  row.decision_id = s.ColumnText(1);
  row.model_id = s.ColumnInt64(2);
  row.model_version = s.ColumnText(3);
  row.policy_version = s.ColumnInt64(4);
  row.verdict = s.ColumnText(5);
  row.decided_by = s.ColumnText(6);
  row.energy_kwh = s.ColumnDouble(7);
  row.co2e_kg = s.ColumnDouble(8);
  row.expected_gain = s.ColumnDouble(9);
  row.gain_lower_bound = s.ColumnDouble(10);
  row.dataset_drift = s.ColumnInt64(11) != 0;
  row.idempotency_key = s.ColumnText(12);  // NULL reads as ""
  row.create_time_ms = s.ColumnInt64(13);
  row.payload = s.ColumnText(14);
  return row;
}

// Steps `select` to the end, collecting decision rows.
absl::StatusOr<std::vector<DecisionRow>> ReadAllDecisions(Statement& select) {
  std::vector<DecisionRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) return rows;
    rows.push_back(ReadDecision(select));
  }
}

// A precise message for a rejected insert: which key is taken, or that the model is unknown.
absl::Status DescribeInsertFailure(const Statement& insert, const DecisionRow& decision,
                                   absl::Status status) {
  if (insert.error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return absl::NotFoundError(absl::StrCat("model id ", decision.model_id, " not found"));
  }
  if (!absl::IsAlreadyExists(status)) return status;
  // SQLite names the columns of the violated index: "... failed: decisions.decision_id".
  if (absl::StrContains(insert.error_message(), "decisions.decision_id")) {
    return absl::AlreadyExistsError(
        absl::StrCat("decision_id \"", decision.decision_id, "\" already exists"));
  }
  return absl::AlreadyExistsError(absl::StrCat("idempotency key \"", decision.idempotency_key,
                                               "\" already used for model id ",
                                               decision.model_id));
}

}  // namespace

absl::StatusOr<DecisionRow> Store::InsertDecision(const DecisionRow& decision) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(
      Statement insert,
      Statement::Prepare(db_,
                         "INSERT INTO decisions (decision_id, model_id, model_version, "
                         "policy_version, verdict, decided_by, energy_kwh, co2e_kg, "
                         "expected_gain, gain_lower_bound, dataset_drift, idempotency_key, "
                         "create_time_ms, payload) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
  insert.BindText(1, decision.decision_id);
  insert.BindInt64(2, decision.model_id);
  insert.BindText(3, decision.model_version);
  insert.BindInt64(4, decision.policy_version);
  insert.BindText(5, decision.verdict);
  insert.BindText(6, decision.decided_by);
  insert.BindDouble(7, decision.energy_kwh);
  insert.BindDouble(8, decision.co2e_kg);
  insert.BindDouble(9, decision.expected_gain);
  insert.BindDouble(10, decision.gain_lower_bound);
  insert.BindInt64(11, decision.dataset_drift ? 1 : 0);
  // NULL, not "", when there is no key: the unique index only covers non-NULL keys.
  if (decision.idempotency_key.empty()) {
    insert.BindNull(12);
  } else {
    insert.BindText(12, decision.idempotency_key);
  }
  insert.BindInt64(13, decision.create_time_ms);
  insert.BindText(14, decision.payload);
  if (absl::Status status = insert.Run(); !status.ok()) {
    return DescribeInsertFailure(insert, decision, std::move(status));
  }
  DecisionRow row = decision;
  row.seq = sqlite3_last_insert_rowid(db_);
  RETURN_IF_ERROR(transaction.Commit());  // synchronous=FULL: on disk once this returns
  return row;
}

absl::StatusOr<DecisionRow> Store::GetDecision(const std::string& decision_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db_, absl::StrCat("SELECT ", kDecisionColumns,
                                                        " FROM decisions WHERE decision_id = ?1")));
  select.BindText(1, decision_id);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("decision \"", decision_id, "\" not found"));
  }
  return ReadDecision(select);
}

absl::StatusOr<std::optional<DecisionRow>> Store::FindDecisionByIdempotencyKey(
    int64_t model_id, const std::string& idempotency_key) {
  if (idempotency_key.empty()) return std::optional<DecisionRow>();  // no key, no match
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db_, absl::StrCat("SELECT ", kDecisionColumns,
                                                        " FROM decisions WHERE model_id = ?1 "
                                                        "AND idempotency_key = ?2")));
  select.BindInt64(1, model_id);
  select.BindText(2, idempotency_key);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return std::optional<DecisionRow>();
  return std::optional<DecisionRow>(ReadDecision(select));
}

absl::StatusOr<std::vector<DecisionRow>> Store::ListDecisions(const DecisionFilter& filter) {
  // The SQL text is assembled from fixed fragments only, so each query uses the indexes its
  // filters allow; every value is bound as a parameter.
  std::vector<std::variant<int64_t, std::string>> params;
  std::vector<std::string> conditions;
  const auto add = [&](absl::string_view column_and_operator, auto value) {
    params.emplace_back(std::move(value));
    conditions.push_back(absl::StrCat(column_and_operator, " ?", params.size()));
  };
  if (filter.model_id) add("model_id =", *filter.model_id);
  if (filter.verdict) add("verdict =", *filter.verdict);
  if (filter.from_ms) add("create_time_ms >=", *filter.from_ms);
  if (filter.to_ms) add("create_time_ms <", *filter.to_ms);
  if (filter.before_seq) add("seq <", *filter.before_seq);
  std::string sql = absl::StrCat("SELECT ", kDecisionColumns, " FROM decisions");
  if (!conditions.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions, " AND "));
  params.emplace_back(int64_t{std::clamp(filter.limit, 1, kMaxListLimit)});
  absl::StrAppend(&sql, " ORDER BY seq DESC LIMIT ?", params.size());

  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select, Statement::Prepare(db_, sql));
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* number = std::get_if<int64_t>(&params[i])) {
      select.BindInt64(index, *number);
    } else {
      select.BindText(index, std::get<std::string>(params[i]));
    }
  }
  return ReadAllDecisions(select);
}

absl::StatusOr<ApprovalSummary> Store::SummarizeApprovals(int64_t model_id, int64_t since_ms) {
  absl::MutexLock lock(&mu_);
  // One pass over the model's approvals; TOTAL is 0.0 (not NULL) when nothing matches.
  ASSIGN_OR_RETURN(
      Statement select,
      Statement::Prepare(db_,
                         "SELECT MAX(create_time_ms), "
                         "TOTAL(CASE WHEN create_time_ms >= ?2 THEN energy_kwh END), "
                         "MIN(CASE WHEN create_time_ms >= ?2 THEN create_time_ms END) "
                         "FROM decisions WHERE model_id = ?1 AND verdict = 'APPROVE'"));
  select.BindInt64(1, model_id);
  select.BindInt64(2, since_ms);
  ASSIGN_OR_RETURN(const bool has_row, select.Step());
  ApprovalSummary summary;
  if (!has_row) return summary;  // an aggregate always has one row; be safe anyway
  if (!select.ColumnIsNull(0)) summary.last_approval_ms = select.ColumnInt64(0);
  summary.approved_energy_kwh = select.ColumnDouble(1);
  if (!select.ColumnIsNull(2)) summary.oldest_approval_ms = select.ColumnInt64(2);
  return summary;
}

}  // namespace greengate::store
