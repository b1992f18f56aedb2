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
#include "server/store/audit_chain.h"
#include "server/store/sqlite.h"
#include "server/store/store.h"

namespace greengate::store {
namespace {

constexpr absl::string_view kDecisionColumns =
    "seq, decision_id, model_id, model_version, policy_version, verdict, decided_by, "
    "energy_kwh, co2e_kg, expected_gain, gain_lower_bound, dataset_drift, idempotency_key, "
    "create_time_ms, payload, prev_hash, hash";

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
  row.prev_hash = s.ColumnText(15);  // NULL (rows older than the chain) reads as ""
  row.hash = s.ColumnText(16);
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
                                               "\" already used for model id ", decision.model_id));
}

constexpr absl::string_view kChainPositionSql =
    "SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM decisions), head_hash FROM audit_head "
    "WHERE id = 1";
constexpr absl::string_view kInsertDecisionSql =
    "INSERT INTO decisions (decision_id, model_id, model_version, policy_version, verdict, "
    "decided_by, energy_kwh, co2e_kg, expected_gain, gain_lower_bound, dataset_drift, "
    "idempotency_key, create_time_ms, payload, seq, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
constexpr absl::string_view kAdvanceHeadSql =
    "UPDATE audit_head SET head_seq = ?1, head_hash = ?2, chained_rows = chained_rows + ?3 "
    "WHERE id = 1";

// Largest group commit: bounds how long the writer lock is held in one go.
constexpr size_t kMaxBatchRows = 512;

void BindDecision(const DecisionRow& row, Statement& insert) {
  insert.BindText(1, row.decision_id);
  insert.BindInt64(2, row.model_id);
  insert.BindText(3, row.model_version);
  insert.BindInt64(4, row.policy_version);
  insert.BindText(5, row.verdict);
  insert.BindText(6, row.decided_by);
  insert.BindDouble(7, row.energy_kwh);
  insert.BindDouble(8, row.co2e_kg);
  insert.BindDouble(9, row.expected_gain);
  insert.BindDouble(10, row.gain_lower_bound);
  insert.BindInt64(11, row.dataset_drift ? 1 : 0);
  // NULL, not "", when there is no key: the unique index only covers non-NULL keys.
  if (row.idempotency_key.empty()) {
    insert.BindNull(12);
  } else {
    insert.BindText(12, row.idempotency_key);
  }
  insert.BindInt64(13, row.create_time_ms);
  insert.BindText(14, row.payload);
  insert.BindInt64(15, row.seq);
  insert.BindText(16, row.prev_hash);
  insert.BindText(17, row.hash);
}

// A row the schema refused (a taken key, an unknown model, a CHECK) fails alone; anything else
// (disk full, I/O, busy) ends the transaction for the whole batch.
bool RowLevelFailure(int extended_code) { return (extended_code & 0xff) == SQLITE_CONSTRAINT; }

}  // namespace

// One caller's row waiting in the group-commit queue.
struct Store::PendingDecision {
  DecisionRow row;
  absl::StatusOr<DecisionRow> result = absl::UnknownError("not committed");
  bool done = false;  // guarded by queue_mu_
};

absl::StatusOr<DecisionRow> Store::InsertDecision(const DecisionRow& decision) {
  return AwaitDecision(EnqueueDecision(decision));
}

Store::DecisionTicket Store::EnqueueDecision(DecisionRow decision) {
  auto pending = std::make_shared<PendingDecision>();
  pending->row = std::move(decision);
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(pending);
  return pending;
}

absl::StatusOr<DecisionRow> Store::AwaitDecision(const DecisionTicket& ticket) {
  queue_mu_.Lock();
  // Either a committer takes this row, or nobody is committing and this caller becomes the
  // committer of everything queued so far (oldest first); rows that arrive during its commit
  // wait for the next one. Every caller returns once its own row's transaction has ended.
  while (!ticket->done) {
    if (committing_) {
      queue_cv_.Wait(&queue_mu_);
      continue;
    }
    committing_ = true;
    const size_t n = std::min(queue_.size(), kMaxBatchRows);
    std::vector<DecisionTicket> batch(queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
    queue_mu_.Unlock();
    CommitDecisions(batch);
    queue_mu_.Lock();
    for (const DecisionTicket& p : batch) p->done = true;
    committing_ = false;
    queue_cv_.SignalAll();
  }
  queue_mu_.Unlock();
  return ticket->result;  // a copy: a retry with the same idempotency key may await it too
}

void Store::CommitDecisions(const std::vector<DecisionTicket>& batch) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<WriteTransaction> transaction = WriteTransaction::Begin(db_);
  absl::Status status = transaction.status();
  if (status.ok()) {
    status = [&]() -> absl::Status {
      // The seqs are chosen here, under the write lock, because the hashes cover them. The
      // new rows continue from the recorded head, not from the newest row left in the table:
      // had the newest row been deleted, the next one then exposes the gap instead of hiding
      // it.
      int64_t next_seq = 0;
      std::string head_hash;
      {
        ASSIGN_OR_RETURN(Statement position, Prepare(kChainPositionSql));
        ASSIGN_OR_RETURN(const bool found, position.Step());
        if (!found) return absl::InternalError("audit_head: the chain head row is missing");
        next_seq = position.ColumnInt64(0);
        head_hash = position.ColumnText(1);
      }
      int64_t appended = 0;
      for (const DecisionTicket& pending : batch) {
        DecisionRow row = pending->row;
        row.seq = next_seq;
        row.prev_hash = head_hash;
        ASSIGN_OR_RETURN(row.hash, ChainHash(row.prev_hash, row));
        ASSIGN_OR_RETURN(Statement insert, Prepare(kInsertDecisionSql));
        BindDecision(row, insert);
        if (absl::Status inserted = insert.Run(); !inserted.ok()) {
          // A constraint undoes only this statement; the transaction goes on without the row.
          if (!RowLevelFailure(insert.error_code())) return inserted;
          pending->result = DescribeInsertFailure(insert, row, std::move(inserted));
          continue;
        }
        head_hash = row.hash;
        ++next_seq;
        ++appended;
        pending->result = std::move(row);
      }
      if (appended > 0) {
        ASSIGN_OR_RETURN(Statement advance, Prepare(kAdvanceHeadSql));
        advance.BindInt64(1, next_seq - 1);
        advance.BindText(2, head_hash);
        advance.BindInt64(3, appended);
        RETURN_IF_ERROR(advance.Run());
      }
      return transaction->Commit();  // synchronous=FULL: on disk once this returns
    }();
  }
  if (status.ok()) return;
  // Nothing of the batch was committed: every row not already refused on its own fails.
  for (const DecisionTicket& pending : batch) {
    if (pending->result.ok() || absl::IsUnknown(pending->result.status())) {
      pending->result = status;
    }
  }
}

absl::StatusOr<DecisionRow> Store::GetDecision(const std::string& decision_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead(absl::StrCat("SELECT ", kDecisionColumns,
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
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareRead(absl::StrCat("SELECT ", kDecisionColumns,
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

  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareRead(sql));
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

absl::StatusOr<ApprovalHistory> Store::ListApprovals(std::optional<int64_t> model_id,
                                                     int64_t since_ms) {
  absl::MutexLock lock(&read_mu_);
  ApprovalHistory history;
  // approvals_by_model / approvals_by_time (0007) hold every column read here.
  ASSIGN_OR_RETURN(
      Statement select,
      PrepareRead(model_id ? "SELECT create_time_ms, energy_kwh, co2e_kg FROM decisions WHERE "
                             "model_id = ?1 AND verdict = 'APPROVE' AND create_time_ms >= ?2 "
                             "ORDER BY create_time_ms"
                           : "SELECT create_time_ms, energy_kwh, co2e_kg FROM decisions WHERE "
                             "verdict = 'APPROVE' AND create_time_ms >= ?2 "
                             "ORDER BY create_time_ms"));
  if (model_id) select.BindInt64(1, *model_id);
  select.BindInt64(2, since_ms);
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) break;
    history.approvals.push_back(
        {select.ColumnInt64(0), select.ColumnDouble(1), select.ColumnDouble(2)});
  }
  if (!model_id) return history;
  ASSIGN_OR_RETURN(Statement last,
                   PrepareRead("SELECT MAX(create_time_ms) FROM decisions WHERE model_id = ?1 "
                               "AND verdict = 'APPROVE'"));
  last.BindInt64(1, *model_id);
  ASSIGN_OR_RETURN(const bool has_row, last.Step());  // an aggregate always has one row
  if (has_row && !last.ColumnIsNull(0)) history.last_approval_ms = last.ColumnInt64(0);
  return history;
}

// --- Audit chain verification ---------------------------------------------------------------

namespace {

constexpr int kVerifyBatchRows = 1000;

struct ChainHead {
  int64_t legacy_max_seq = 0;
  int64_t head_seq = 0;
  std::string head_hash;
  int64_t chained_rows = 0;
};

absl::StatusOr<ChainHead> ReadChainHead(sqlite3* db) {
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db,
                                      "SELECT legacy_max_seq, head_seq, head_hash, chained_rows "
                                      "FROM audit_head WHERE id = 1"));
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return absl::InternalError("audit_head: the chain head row is missing");
  return ChainHead{select.ColumnInt64(0), select.ColumnInt64(1), select.ColumnText(2),
                   select.ColumnInt64(3)};
}

AuditProblem Altered(int64_t seq, std::string detail) {
  return AuditProblem{AuditProblem::Kind::kAltered, seq, std::move(detail)};
}
AuditProblem Missing(int64_t seq, std::string detail) {
  return AuditProblem{AuditProblem::Kind::kMissing, seq, std::move(detail)};
}

// Walks the chain in seq order; one instance per verification.
class ChainWalker {
 public:
  ChainWalker(const ChainHead& head, const std::optional<AuditAnchor>& anchor)
      : head_(head),
        anchor_(anchor),
        expected_seq_(head.legacy_max_seq + 1),
        expected_prev_(kGenesisHash) {}

  // Checks the next row; the first problem, or nullopt.
  std::optional<AuditProblem> Check(const DecisionRow& row) {
    if (row.seq != expected_seq_) {
      return Missing(expected_seq_, absl::StrCat("no decision with seq ", expected_seq_,
                                                 " (deleted); the next row is seq ", row.seq));
    }
    if (row.hash.empty()) {
      return Altered(row.seq, "the row has no hash although it is after the chain's start");
    }
    if (row.prev_hash != expected_prev_) {
      return Altered(row.seq, absl::StrCat("prev_hash does not match the hash of seq ", row.seq - 1,
                                           ": this row or the one before it "
                                           "was rewritten"));
    }
    absl::StatusOr<std::string> hash = ChainHash(row.prev_hash, row);
    if (!hash.ok() || *hash != row.hash) {
      return Altered(row.seq, "the row's content does not match its hash (edited)");
    }
    if (anchor_ && anchor_->seq == row.seq && anchor_->hash != row.hash) {
      return Altered(row.seq, absl::StrCat("the hash differs from the anchor ", anchor_->hash,
                                           ": the log was rewritten up to here"));
    }
    expected_prev_ = row.hash;
    ++expected_seq_;
    ++checked_;
    return std::nullopt;
  }

  // Checks the end of the walk against the recorded head and the anchor.
  std::optional<AuditProblem> Finish() const {
    if (expected_seq_ <= head_.head_seq) {
      return Missing(expected_seq_, absl::StrCat("decisions ", expected_seq_, "..", head_.head_seq,
                                                 " are gone; the chain head "
                                                 "is seq ",
                                                 head_.head_seq));
    }
    if (expected_prev_ != head_.head_hash || checked_ != head_.chained_rows) {
      return Altered(head_.head_seq, "the recorded chain head does not match the last row");
    }
    if (anchor_ && (anchor_->seq > head_.head_seq || anchor_->seq <= head_.legacy_max_seq)) {
      return Missing(anchor_->seq,
                     absl::StrCat("the anchored decision seq ", anchor_->seq,
                                  " is not in the chain (head is seq ", head_.head_seq, ")"));
    }
    return std::nullopt;
  }

  int64_t last_seq() const { return expected_seq_ - 1; }
  int64_t checked() const { return checked_; }

 private:
  const ChainHead head_;
  const std::optional<AuditAnchor> anchor_;
  int64_t expected_seq_;
  std::string expected_prev_;
  int64_t checked_ = 0;
};

}  // namespace

absl::StatusOr<AuditVerification> Store::VerifyAuditChain(
    const std::optional<AuditAnchor>& anchor) {
  AuditVerification result;
  ChainHead head;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(head, ReadChainHead(db_));
    ASSIGN_OR_RETURN(Statement count,
                     Statement::Prepare(db_, "SELECT COUNT(*) FROM decisions WHERE seq <= ?1"));
    count.BindInt64(1, head.legacy_max_seq);
    ASSIGN_OR_RETURN(const bool has_row, count.Step());
    if (has_row) result.legacy_rows = count.ColumnInt64(0);
  }
  result.head_seq = head.head_seq;
  result.head_hash = head.head_hash;
  ChainWalker walker(head, anchor);
  const std::string sql = absl::StrCat("SELECT ", kDecisionColumns,
                                       " FROM decisions WHERE seq > ?1 AND seq <= ?2 "
                                       "ORDER BY seq LIMIT ?3");
  for (;;) {
    std::vector<DecisionRow> batch;
    {
      // One batch per lock, so a long verification does not hold up decisions.
      absl::MutexLock lock(&mu_);
      ASSIGN_OR_RETURN(Statement select, Statement::Prepare(db_, sql));
      select.BindInt64(1, walker.last_seq());
      select.BindInt64(2, head.head_seq);
      select.BindInt64(3, kVerifyBatchRows);
      ASSIGN_OR_RETURN(batch, ReadAllDecisions(select));
    }
    for (const DecisionRow& row : batch) {
      result.problem = walker.Check(row);
      if (result.problem) {
        result.checked_rows = walker.checked();
        return result;
      }
    }
    if (static_cast<int>(batch.size()) < kVerifyBatchRows) break;
  }
  result.checked_rows = walker.checked();
  result.problem = walker.Finish();
  return result;
}

}  // namespace greengate::store
