// Store: the read-only queries behind governance reports. The drifted features and the
// accuracy-floor override come from the stored decision payload (protobuf JSON with proto
// field names) through SQLite's JSON functions; a payload that is not valid JSON reads as "no
// drifted features, no override" instead of failing the whole report.

#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/status_macros.h"
#include "server/store/sqlite.h"
#include "server/store/store.h"

namespace greengate::store {
namespace {

// Separates feature names in one SQL result (ASCII unit separator: never in a feature name
// a CSV header can carry).
constexpr char kFeatureSeparator = '\x1f';

// The period (and model) condition shared by both queries; `table` is the decisions alias.
std::string PeriodCondition(absl::string_view table, const std::optional<int64_t>& model_id) {
  std::string sql =
      absl::StrCat(table, ".create_time_ms >= ?1 AND ", table, ".create_time_ms < ?2");
  if (model_id) absl::StrAppend(&sql, " AND ", table, ".model_id = ?3");
  return sql;
}

void BindPeriod(Statement& s, int64_t from_ms, int64_t to_ms,
                const std::optional<int64_t>& model_id) {
  s.BindInt64(1, from_ms);
  s.BindInt64(2, to_ms);
  if (model_id) s.BindInt64(3, *model_id);
}

}  // namespace

absl::StatusOr<std::vector<GovernanceDecisionRow>> Store::ListGovernanceDecisions(
    int64_t from_ms, int64_t to_ms, std::optional<int64_t> model_id) {
  const std::string sql = absl::StrCat(
      "SELECT d.seq, d.model_id, d.verdict, d.create_time_ms, d.energy_kwh, d.co2e_kg, "
      "d.expected_gain, "
      "CASE WHEN json_valid(d.payload) "
      "  THEN COALESCE(json_extract(d.payload, '$.accuracy_floor_override'), 0) ELSE 0 END, "
      "CASE WHEN json_valid(d.payload) THEN "
      "  (SELECT group_concat(json_extract(f.value, '$.feature'), char(31)) "
      "   FROM json_each(d.payload, '$.drift.features') AS f "
      "   WHERE json_extract(f.value, '$.drifted') = 1) END, "
      "d.model_version "
      "FROM decisions AS d WHERE ",
      PeriodCondition("d", model_id), " ORDER BY d.create_time_ms, d.seq");
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select, Statement::Prepare(db_, sql));
  BindPeriod(select, from_ms, to_ms, model_id);
  std::vector<GovernanceDecisionRow> rows;
  for (;;) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) return rows;
    GovernanceDecisionRow row;
    row.seq = select.ColumnInt64(0);
    row.model_id = select.ColumnInt64(1);
    row.verdict = select.ColumnText(2);
    row.create_time_ms = select.ColumnInt64(3);
    row.energy_kwh = select.ColumnDouble(4);
    row.co2e_kg = select.ColumnDouble(5);
    row.expected_gain = select.ColumnDouble(6);
    row.accuracy_floor_override = select.ColumnInt64(7) != 0;
    if (!select.ColumnIsNull(8)) {
      row.drifted_features =
          absl::StrSplit(select.ColumnText(8), kFeatureSeparator, absl::SkipEmpty());
    }
    row.model_version = select.ColumnText(9);
    rows.push_back(std::move(row));
  }
}

absl::StatusOr<std::vector<GovernanceOutcomeRow>> Store::ListGovernanceOutcomes(
    int64_t from_ms, int64_t to_ms, std::optional<int64_t> model_id) {
  const std::string sql = absl::StrCat(
      "SELECT o.decision_seq, o.model_id, o.energy_kwh, o.co2e_kg, o.estimated_energy_kwh, "
      "o.expected_gain, o.accuracy_before, o.accuracy_after "
      "FROM outcomes AS o JOIN decisions AS d ON d.seq = o.decision_seq WHERE ",
      PeriodCondition("d", model_id), " ORDER BY o.decision_seq");
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select, Statement::Prepare(db_, sql));
  BindPeriod(select, from_ms, to_ms, model_id);
  std::vector<GovernanceOutcomeRow> rows;
  for (;;) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) return rows;
    GovernanceOutcomeRow row;
    row.decision_seq = select.ColumnInt64(0);
    row.model_id = select.ColumnInt64(1);
    row.energy_kwh = select.ColumnDouble(2);
    if (!select.ColumnIsNull(3)) row.co2e_kg = select.ColumnDouble(3);
    row.estimated_energy_kwh = select.ColumnDouble(4);
    row.expected_gain = select.ColumnDouble(5);
    if (!select.ColumnIsNull(6)) row.accuracy_before = select.ColumnDouble(6);
    if (!select.ColumnIsNull(7)) row.accuracy_after = select.ColumnDouble(7);
    rows.push_back(std::move(row));
  }
}

absl::StatusOr<std::optional<PolicyRow>> Store::GetPolicyAt(int64_t model_id, int64_t at_ms) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db_,
                                      "SELECT model_id, version, policy, create_time_ms "
                                      "FROM policies WHERE model_id = ?1 AND "
                                      "create_time_ms <= ?2 ORDER BY version DESC LIMIT 1"));
  select.BindInt64(1, model_id);
  select.BindInt64(2, at_ms);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return std::optional<PolicyRow>();
  PolicyRow row;
  row.model_id = select.ColumnInt64(0);
  row.version = select.ColumnInt64(1);
  row.policy = select.ColumnText(2);
  row.create_time_ms = select.ColumnInt64(3);
  return std::optional<PolicyRow>(std::move(row));
}

absl::StatusOr<Store::ApprovedTotals> Store::SumApproved(std::optional<int64_t> model_id,
                                                         int64_t from_ms, int64_t to_ms) {
  absl::MutexLock lock(&mu_);
  // approvals_by_model / approvals_by_time (0007) cover both sums.
  ASSIGN_OR_RETURN(
      Statement select,
      Prepare(model_id ? "SELECT TOTAL(energy_kwh), TOTAL(co2e_kg) FROM decisions WHERE "
                         "model_id = ?1 AND verdict = 'APPROVE' AND create_time_ms >= ?2 AND "
                         "create_time_ms < ?3"
                       : "SELECT TOTAL(energy_kwh), TOTAL(co2e_kg) FROM decisions WHERE "
                         "verdict = 'APPROVE' AND create_time_ms >= ?2 AND create_time_ms < ?3"));
  if (model_id) select.BindInt64(1, *model_id);
  select.BindInt64(2, from_ms);
  select.BindInt64(3, to_ms);
  ASSIGN_OR_RETURN(const bool has_row, select.Step());  // an aggregate always has one row
  ApprovedTotals totals;
  if (has_row) totals = {select.ColumnDouble(0), select.ColumnDouble(1)};
  return totals;
}

}  // namespace greengate::store
