// Store: measured outcomes of approved retrains, and confidence scores of references.

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/store/sqlite.h"
#include "server/store/store.h"

namespace greengate::store {
namespace {

constexpr absl::string_view kOutcomeColumns =
    "decision_seq, model_id, energy_kwh, co2e_kg, duration_s, source, accuracy_before, "
    "accuracy_after, evaluation_set, evaluation_rows, training_rows, estimated_energy_kwh, "
    "expected_gain, green_algorithms_energy_kwh, expected_degradation, reference_accuracy, "
    "drifted_share, create_time_ms, payload, plan, proxy_gain";

std::optional<double> OptionalDouble(const Statement& s, int column) {
  if (s.ColumnIsNull(column)) return std::nullopt;
  return s.ColumnDouble(column);
}

void BindOptional(Statement& s, int index, const std::optional<double>& value) {
  if (value) {
    s.BindDouble(index, *value);
  } else {
    s.BindNull(index);
  }
}

OutcomeRow ReadOutcome(const Statement& s) {
  OutcomeRow row;
  row.decision_seq = s.ColumnInt64(0);
  row.model_id = s.ColumnInt64(1);
  row.energy_kwh = s.ColumnDouble(2);
  row.co2e_kg = OptionalDouble(s, 3);
  row.duration_s = OptionalDouble(s, 4);
  row.source = s.ColumnText(5);
  row.accuracy_before = OptionalDouble(s, 6);
  row.accuracy_after = OptionalDouble(s, 7);
  row.evaluation_set = s.ColumnText(8);
  row.evaluation_rows = s.ColumnInt64(9);
  row.training_rows = s.ColumnInt64(10);
  row.estimated_energy_kwh = s.ColumnDouble(11);
  row.expected_gain = s.ColumnDouble(12);
  row.green_algorithms_energy_kwh = s.ColumnDouble(13);
  row.expected_degradation = OptionalDouble(s, 14);
  row.reference_accuracy = OptionalDouble(s, 15);
  row.drifted_share = s.ColumnDouble(16);
  row.create_time_ms = s.ColumnInt64(17);
  row.payload = s.ColumnText(18);
  row.plan = s.ColumnText(19);
  row.proxy_gain = OptionalDouble(s, 20);
  return row;
}

}  // namespace

absl::StatusOr<OutcomeRow> Store::InsertOutcome(const OutcomeRow& o) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_, absl::StrCat("INSERT INTO outcomes (", kOutcomeColumns,
                                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                                                        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                                                        "?16, ?17, ?18, ?19, ?20, ?21)")));
  insert.BindInt64(1, o.decision_seq);
  insert.BindInt64(2, o.model_id);
  insert.BindDouble(3, o.energy_kwh);
  BindOptional(insert, 4, o.co2e_kg);
  BindOptional(insert, 5, o.duration_s);
  insert.BindText(6, o.source);
  BindOptional(insert, 7, o.accuracy_before);
  BindOptional(insert, 8, o.accuracy_after);
  insert.BindText(9, o.evaluation_set);
  insert.BindInt64(10, o.evaluation_rows);
  insert.BindInt64(11, o.training_rows);
  insert.BindDouble(12, o.estimated_energy_kwh);
  insert.BindDouble(13, o.expected_gain);
  insert.BindDouble(14, o.green_algorithms_energy_kwh);
  BindOptional(insert, 15, o.expected_degradation);
  BindOptional(insert, 16, o.reference_accuracy);
  insert.BindDouble(17, o.drifted_share);
  insert.BindInt64(18, o.create_time_ms);
  insert.BindText(19, o.payload);
  insert.BindText(20, o.plan);
  BindOptional(insert, 21, o.proxy_gain);
  if (absl::Status status = insert.Run(); !status.ok()) {
    if (insert.error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return absl::NotFoundError(
          absl::StrCat("decision seq ", o.decision_seq, " or model id ", o.model_id, " not found"));
    }
    if (absl::IsAlreadyExists(status)) {
      return absl::AlreadyExistsError(
          absl::StrCat("decision seq ", o.decision_seq, " already has an outcome"));
    }
    return status;
  }
  RETURN_IF_ERROR(transaction.Commit());
  return o;
}

absl::StatusOr<std::optional<OutcomeRow>> Store::GetOutcome(int64_t decision_seq) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead(absl::StrCat("SELECT ", kOutcomeColumns,
                                            " FROM outcomes WHERE decision_seq = ?1")));
  select.BindInt64(1, decision_seq);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return std::optional<OutcomeRow>();
  return std::optional<OutcomeRow>(ReadOutcome(select));
}

absl::StatusOr<std::vector<OutcomeRow>> Store::ListOutcomes(int64_t model_id, int limit) {
  absl::MutexLock lock(&read_mu_);
  // Newest `limit` by seq, returned oldest first.
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead(absl::StrCat("SELECT ", kOutcomeColumns,
                                            " FROM outcomes WHERE model_id = ?1 "
                                            "ORDER BY decision_seq DESC LIMIT ?2")));
  select.BindInt64(1, model_id);
  select.BindInt64(2, std::clamp(limit, 1, kMaxListLimit));
  std::vector<OutcomeRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) break;
    rows.push_back(ReadOutcome(select));
  }
  std::reverse(rows.begin(), rows.end());
  return rows;
}

absl::StatusOr<std::optional<ReferenceScoresRow>> Store::GetReferenceScores(int64_t reference_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead("SELECT reference_id, scores, calibrated, calibration_detail "
                               "FROM reference_scores WHERE reference_id = ?1"));
  select.BindInt64(1, reference_id);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return std::optional<ReferenceScoresRow>();
  ReferenceScoresRow row;
  row.reference_id = select.ColumnInt64(0);
  row.scores = select.ColumnText(1);
  row.calibrated = select.ColumnInt64(2) != 0;
  row.calibration_detail = select.ColumnText(3);
  return std::optional<ReferenceScoresRow>(std::move(row));
}

}  // namespace greengate::store
