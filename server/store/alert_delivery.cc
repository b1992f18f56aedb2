// Store: alert delivery cursors over the decision log (the outbox).

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/store/sqlite.h"
#include "server/store/store.h"

namespace greengate::store {
namespace {

constexpr int kMaxOutboxBatch = 1000;

absl::StatusOr<std::optional<AlertCursor>> ReadCursor(sqlite3* db, const std::string& sink) {
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db,
                                      "SELECT sink, last_seq, attempts, last_error, "
                                      "update_time_ms FROM alert_cursors WHERE sink = ?1"));
  select.BindText(1, sink);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return std::optional<AlertCursor>();
  AlertCursor cursor;
  cursor.sink = select.ColumnText(0);
  cursor.last_seq = select.ColumnInt64(1);
  cursor.attempts = select.ColumnInt64(2);
  cursor.last_error = select.ColumnText(3);
  cursor.update_time_ms = select.ColumnInt64(4);
  return std::optional<AlertCursor>(std::move(cursor));
}

absl::Status UnknownSink(const std::string& sink) {
  return absl::NotFoundError(absl::StrCat("alert sink \"", sink, "\" has no cursor"));
}

}  // namespace

absl::StatusOr<AlertCursor> Store::OpenAlertCursor(const std::string& sink, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(std::optional<AlertCursor> existing, ReadCursor(db_, sink));
  if (existing) return *existing;
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_,
                                      "INSERT INTO alert_cursors (sink, last_seq, update_time_ms) "
                                      "VALUES (?1, (SELECT IFNULL(MAX(seq), 0) FROM decisions), "
                                      "?2)"));
  insert.BindText(1, sink);
  insert.BindInt64(2, now_ms);
  RETURN_IF_ERROR(insert.Run());
  ASSIGN_OR_RETURN(std::optional<AlertCursor> created, ReadCursor(db_, sink));
  RETURN_IF_ERROR(transaction.Commit());
  if (!created) return absl::InternalError("alert cursor vanished after insert");
  return *created;
}

absl::StatusOr<std::vector<OutboxEntry>> Store::ListOutbox(int64_t after_seq, int limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db_,
                                      "SELECT seq, verdict, payload FROM decisions "
                                      "WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  select.BindInt64(1, after_seq);
  select.BindInt64(2, std::clamp(limit, 1, kMaxOutboxBatch));
  std::vector<OutboxEntry> entries;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) return entries;
    OutboxEntry& entry = entries.emplace_back();
    entry.seq = select.ColumnInt64(0);
    entry.verdict = select.ColumnText(1);
    entry.payload = select.ColumnText(2);
  }
}

absl::StatusOr<int64_t> Store::CountOutbox(int64_t after_seq,
                                           const std::vector<std::string>& verdicts) {
  // Verdicts are few (three at most); one bound parameter each.
  std::string sql = "SELECT COUNT(*) FROM decisions WHERE seq > ?1 AND verdict IN (";
  for (size_t i = 0; i < verdicts.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "?", i + 2);
  }
  absl::StrAppend(&sql, ")");
  if (verdicts.empty()) return 0;
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select, Statement::Prepare(db_, sql));
  select.BindInt64(1, after_seq);
  for (size_t i = 0; i < verdicts.size(); ++i) {
    select.BindText(static_cast<int>(i) + 2, verdicts[i]);
  }
  ASSIGN_OR_RETURN(const bool has_row, select.Step());
  return has_row ? select.ColumnInt64(0) : 0;
}

absl::Status Store::AdvanceAlertCursor(const std::string& sink, int64_t seq, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(std::optional<AlertCursor> cursor, ReadCursor(db_, sink));
  if (!cursor) return UnknownSink(sink);
  if (seq < cursor->last_seq) {
    return absl::FailedPreconditionError(absl::StrCat(
        "alert cursor of \"", sink, "\" is at ", cursor->last_seq, "; cannot move back to ", seq));
  }
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db_,
                                      "UPDATE alert_cursors SET last_seq = ?2, attempts = 0, "
                                      "last_error = '', update_time_ms = ?3 WHERE sink = ?1"));
  update.BindText(1, sink);
  update.BindInt64(2, seq);
  update.BindInt64(3, now_ms);
  RETURN_IF_ERROR(update.Run());
  return transaction.Commit();
}

absl::StatusOr<AlertCursor> Store::RecordAlertFailure(const std::string& sink,
                                                      const std::string& error, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db_,
                                      "UPDATE alert_cursors SET attempts = attempts + 1, "
                                      "last_error = ?2, update_time_ms = ?3 WHERE sink = ?1"));
  update.BindText(1, sink);
  update.BindText(2, error);
  update.BindInt64(3, now_ms);
  RETURN_IF_ERROR(update.Run());
  ASSIGN_OR_RETURN(std::optional<AlertCursor> cursor, ReadCursor(db_, sink));
  if (!cursor) return UnknownSink(sink);
  RETURN_IF_ERROR(transaction.Commit());
  return *cursor;
}

}  // namespace greengate::store
