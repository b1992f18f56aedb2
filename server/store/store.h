#pragma once

// The SQLite store: models, references, policies and the decision log. Two connections in
// WAL mode, each serialised by its own mutex: the writer (every write runs in BEGIN IMMEDIATE)
// and a reader for the lookups on the decision path, so those never wait for a commit's
// fsync. Decisions are group-committed: concurrent InsertDecision calls share one transaction
// and one fsync, and each returns only once its row is durable. Payloads
// (profiles, policies, decisions) are opaque strings to the store: the service serialises
// them (protobuf JSON), the store indexes the columns queries need.
//
// Errors: NotFound, AlreadyExists, FailedPrecondition (schema newer than this binary),
// Unavailable (SQLITE_BUSY after busy_timeout), ResourceExhausted (disk full), Internal.
// Thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

struct sqlite3;

namespace greengate::store {

class Statement;
class StatementCache;

struct ModelRow {
  int64_t id = 0;
  std::string model_id;  // the name's last segment, e.g. "churn"
  std::string display_name;
  std::string deployed_version;
  std::string task;
  int64_t create_time_ms = 0;
  int64_t update_time_ms = 0;
};

struct ReferenceRow {
  int64_t id = 0;
  int64_t model_id = 0;
  std::string model_version;
  // Serialised by the caller; stored in the BLOB column profile_pb. Rows written before
  // schema version 8 hold text in the column `profile` instead, and come back with
  // profile_is_text set (output only: PutReference writes BLOBs).
  std::string profile;
  std::optional<double> accuracy;
  int64_t evaluation_rows = 0;
  int64_t create_time_ms = 0;
  bool profile_is_text = false;
  // The APPROVE decision (seq) whose retrain produced model_version, when the caller named it.
  std::optional<int64_t> approved_by_seq = std::nullopt;
};

// One deployed version of a model, from its references (ListVersions).
struct VersionRow {
  std::string model_version;
  int64_t first_reference_id = 0;
  int64_t deploy_time_ms = 0;              // its first reference
  std::optional<double> accuracy;          // of its latest reference
  std::optional<int64_t> approved_by_seq;  // the latest one named for it
};

// A value the store writes in pieces (PutReference), so a large one (a reference profile is
// megabytes) is never whole in memory. WriteTo must pass `append` exactly size() bytes.
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  virtual int64_t size() const = 0;
  // Stops at, and returns, the first error `append` returns.
  virtual absl::Status WriteTo(
      absl::FunctionRef<absl::Status(absl::string_view piece)> append) const = 0;
};

// A BlobSource over bytes already in memory (not copied: they must outlive it).
class StringBlobSource final : public BlobSource {
 public:
  explicit StringBlobSource(absl::string_view bytes) : bytes_(bytes) {}
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  absl::Status WriteTo(
      absl::FunctionRef<absl::Status(absl::string_view piece)> append) const override {
    return append(bytes_);
  }

 private:
  absl::string_view bytes_;
};

struct PolicyRow {
  int64_t model_id = 0;
  int64_t version = 0;  // assigned by PutPolicy: 1, 2, ...
  std::string policy;   // serialised by the caller
  int64_t create_time_ms = 0;
};

struct DecisionRow {
  int64_t seq = 0;          // assigned on insert; keyset pagination key
  std::string decision_id;  // unique, chosen by the caller
  int64_t model_id = 0;
  std::string model_version;
  int64_t policy_version = 0;
  std::string verdict;  // "APPROVE", "REJECT", "DEFER"
  std::string decided_by;
  double energy_kwh = 0;
  double co2e_kg = 0;
  double expected_gain = 0;
  double gain_lower_bound = 0;
  bool dataset_drift = false;
  std::string idempotency_key;  // empty = none
  int64_t create_time_ms = 0;
  std::string payload;  // the whole decision, serialised by the caller
  // Hash chain (audit_chain.h), set by InsertDecision; "" on rows older than the chain.
  std::string prev_hash;
  std::string hash;
};

// ListDecisions returns at most this many rows per call, whatever filter.limit asks.
inline constexpr int kMaxListLimit = 1000;

struct DecisionFilter {
  std::optional<int64_t> model_id;
  std::optional<std::string> verdict;
  std::optional<int64_t> from_ms;     // create_time_ms >= from_ms
  std::optional<int64_t> to_ms;       // create_time_ms < to_ms
  std::optional<int64_t> before_seq;  // keyset: rows with seq < before_seq (newest first)
  int limit = 50;                     // clamped to [1, kMaxListLimit]
};

// What cooldown and budgets need of one approved decision.
struct ApprovalRow {
  int64_t create_time_ms = 0;
  double energy_kwh = 0;
  double co2e_kg = 0;
};

// Approvals since a time (ListApprovals).
struct ApprovalHistory {
  std::vector<ApprovalRow> approvals;  // create_time_ms >= since_ms, oldest first
  // The model's latest approval however old (cooldown); unset for the fleet or none.
  std::optional<int64_t> last_approval_ms;
};

// The first problem VerifyAuditChain found (governance.cc).
struct AuditProblem {
  enum class Kind { kAltered, kMissing };
  Kind kind = Kind::kAltered;
  int64_t seq = 0;     // the first altered row, or the first missing seq
  std::string detail;  // for humans: which check failed
};

// The result of VerifyAuditChain. `problem` is nullopt when the chain is intact.
struct AuditVerification {
  int64_t legacy_rows = 0;   // rows older than the chain (not verifiable)
  int64_t checked_rows = 0;  // chained rows verified before the first problem (or all)
  int64_t head_seq = 0;      // the recorded chain head
  std::string head_hash;
  std::optional<AuditProblem> problem;
};

// A hash recorded outside the database (e.g. in last week's report): the row at `seq` must
// still have `hash`. It detects a rewrite of the whole file up to and including that row.
struct AuditAnchor {
  int64_t seq = 0;
  std::string hash;
};

// What a governance report needs of one decision (governance.cc), read from the columns and
// from the stored payload with json_extract.
struct GovernanceDecisionRow {
  int64_t seq = 0;
  int64_t model_id = 0;
  std::string verdict;  // "APPROVE", "REJECT", "DEFER"
  int64_t create_time_ms = 0;
  double energy_kwh = 0;
  double co2e_kg = 0;
  double expected_gain = 0;  // accuracy fraction
  bool accuracy_floor_override = false;
  std::vector<std::string> drifted_features;
  std::string model_version;  // the version the decision gated
};

// A measured outcome as a governance report reads it (read-only on the outcomes table).
struct GovernanceOutcomeRow {
  int64_t decision_seq = 0;
  int64_t model_id = 0;
  double energy_kwh = 0;            // measured
  std::optional<double> co2e_kg;    // measured, when reported
  double estimated_energy_kwh = 0;  // the decision's estimate
  double expected_gain = 0;         // the decision's expected gain
  std::optional<double> accuracy_before;
  std::optional<double> accuracy_after;
};

// A measured outcome of an approved decision (outcomes.cc). Optional measurements are
// nullopt when not reported.
struct OutcomeRow {
  int64_t decision_seq = 0;  // the decision's seq; one outcome per decision
  int64_t model_id = 0;
  double energy_kwh = 0;
  std::optional<double> co2e_kg;
  std::optional<double> duration_s;
  std::string source;
  std::optional<double> accuracy_before;
  std::optional<double> accuracy_after;
  std::string evaluation_set;
  int64_t evaluation_rows = 0;
  int64_t training_rows = 0;
  double estimated_energy_kwh = 0;         // the decision's estimate
  double expected_gain = 0;                // the decision's expected gain
  double green_algorithms_energy_kwh = 0;  // the decision's formula estimate (before history)
  std::string plan;                        // the decision's chosen plan name ("" unnamed)
  std::optional<double> expected_degradation;
  std::optional<double> reference_accuracy;
  double drifted_share = 0;
  std::optional<double> proxy_gain;  // the decision's challenger gain, when it had one
  int64_t create_time_ms = 0;
  std::string payload;  // the Outcome, serialised by the caller
};

// Confidence scores stored beside a reference (outcomes.cc).
struct ReferenceScoresRow {
  int64_t reference_id = 0;
  std::string scores;  // serialised by the caller
  bool calibrated = false;
  std::string calibration_detail;
};

// The delivery cursor of one alert sink (alert_delivery.cc; schema in 0004_alert_delivery.sql).
struct AlertCursor {
  std::string sink;        // "alertmanager", "webhook", ...
  int64_t last_seq = 0;    // the newest decision the sink acknowledged (or did not want)
  int64_t attempts = 0;    // failed attempts at the decision after last_seq
  std::string last_error;  // of the latest failed attempt; "" after a success
  int64_t update_time_ms = 0;
};

// A decision waiting in the outbox (the decision log): what a dispatcher needs of it.
struct OutboxEntry {
  int64_t seq = 0;
  std::string verdict;  // "APPROVE", "REJECT", "DEFER"
  std::string payload;  // the decision, as the service serialised it
};

class Checkpointer;  // checkpointer.h

struct StoreOptions {
  int busy_timeout_ms = 5000;
  // The write-ahead log is checkpointed into the database file, off the commit path, once it
  // holds this many pages (checkpointer.h). SQLite's 1,000 rather than more: a checkpoint
  // writes its pages and fsyncs the database while decisions fsync the WAL on the same disk,
  // and 4,000-page checkpoints doubled the open-loop p99 at 1,000 decisions/s (13-18 ms ->
  // 23-327 ms) for ~3 % less CPU.
  int wal_checkpoint_frames = 1000;
  // Hold an exclusive lock on "<path>.lock" while open, so a second server on the same
  // database fails to start: the gatekeeper keeps per-model state (approvals) in memory that
  // is only right while it is the database's only writer.
  bool exclusive = false;
};

class Store {
 public:
  // Opens (creating if needed) the database at `path`, sets the connection pragmas
  // (journal_mode=WAL, synchronous=FULL, foreign_keys=ON, busy_timeout) and applies the
  // embedded migrations newer than PRAGMA user_version, each in its own transaction.
  // FailedPrecondition if the database's user_version is newer than this binary knows.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version() const;
  // Checkpoints of the write-ahead log run so far (checkpointer.h). Thread-safe.
  int64_t wal_checkpoints() const;

  // AlreadyExists when model_id is taken. Fills id and times from the row given.
  absl::StatusOr<ModelRow> CreateModel(const ModelRow& model);
  absl::StatusOr<ModelRow> GetModel(const std::string& model_id);  // NotFound
  absl::StatusOr<std::vector<ModelRow>> ListModels();              // ordered by model_id

  // Stores a new reference (older ones are kept), its score profile when given (its
  // reference_id is filled in here), and sets the model's update time to the reference's
  // create_time_ms, all in one transaction: a reference is never visible without its scores.
  // NotFound when reference.model_id is not a model's id. The profile is written from
  // `profile` (reference.profile is ignored); returns the row with its id and without its
  // profile (the caller has it).
  absl::StatusOr<ReferenceRow> PutReference(
      ReferenceRow reference, const BlobSource& profile,
      const std::optional<ReferenceScoresRow>& scores = std::nullopt);
  // The same with the profile in reference.profile (returned with it).
  absl::StatusOr<ReferenceRow> PutReference(
      ReferenceRow reference, const std::optional<ReferenceScoresRow>& scores = std::nullopt);
  // NotFound when the model has no reference.
  absl::StatusOr<ReferenceRow> GetLatestReference(int64_t model_id);
  // Every version the model's references name, in the order each first appeared (profiles not
  // read). PutReference also makes the reference's version the model's deployed_version.
  absl::StatusOr<std::vector<VersionRow>> ListVersions(int64_t model_id);
  // The id of that reference without reading its profile (a cache check on every decision).
  // NotFound when the model has no reference.
  absl::StatusOr<int64_t> GetLatestReferenceId(int64_t model_id);

  // Appends version max+1 for the model. NotFound when policy.model_id is not a model's id.
  absl::StatusOr<PolicyRow> PutPolicy(const PolicyRow& policy);
  // nullopt when the model has no stored policy (the defaults apply).
  absl::StatusOr<std::optional<PolicyRow>> GetLatestPolicy(int64_t model_id);

  // Commits the row (synchronous=FULL) before returning it with its seq. AlreadyExists when
  // (model, idempotency_key) or decision_id is taken; NotFound when decision.model_id is not a
  // model's id. An empty idempotency_key is stored as NULL and never conflicts.
  // Group commit: rows from concurrent calls are appended in arrival order (so the hash chain
  // follows commit order) in one transaction by whichever caller commits next; a rejected row
  // fails alone, a failed BEGIN or COMMIT (Unavailable, ResourceExhausted) fails the batch.
  absl::StatusOr<DecisionRow> InsertDecision(const DecisionRow& decision);
  // InsertDecision in two steps, so a caller can let go of its own locks while the commit is
  // on its way: EnqueueDecision queues the row for the next group commit (queue order is
  // append order) and returns at once; AwaitDecision returns InsertDecision's result once the
  // row's transaction has ended. Every ticket must be awaited.
  struct PendingDecision;
  using DecisionTicket = std::shared_ptr<PendingDecision>;
  DecisionTicket EnqueueDecision(DecisionRow decision);
  absl::StatusOr<DecisionRow> AwaitDecision(const DecisionTicket& ticket);
  absl::StatusOr<DecisionRow> GetDecision(const std::string& decision_id);  // NotFound
  // nullopt when no decision of the model has the key (always for an empty key).
  absl::StatusOr<std::optional<DecisionRow>> FindDecisionByIdempotencyKey(
      int64_t model_id, const std::string& idempotency_key);
  // Newest first (descending seq), at most filter.limit rows.
  absl::StatusOr<std::vector<DecisionRow>> ListDecisions(const DecisionFilter& filter);
  // Approvals with create_time_ms >= since_ms of one model, or of every model (the fleet
  // budgets) when model_id is unset. Reads only the covering indexes of migration 0007.
  absl::StatusOr<ApprovalHistory> ListApprovals(std::optional<int64_t> model_id, int64_t since_ms);

  // Audit and governance (governance.cc). Thread-safe; reads never block writers for long.
  //
  // VerifyAuditChain() recomputes the hash chain from the first chained row to the recorded
  // head and returns the first altered row (content, prev_hash or hash not matching) or the
  // first missing seq (a gap, or rows after the newest one left but before the head). It
  // reads in batches, releasing the lock between them, so decisions are not blocked by a
  // long scan; rows appended meanwhile are after the head and not checked. `anchor`, when
  // given, must match the row at anchor->seq.
  absl::StatusOr<AuditVerification> VerifyAuditChain(
      const std::optional<AuditAnchor>& anchor = std::nullopt);
  // Decisions with from_ms <= create_time_ms < to_ms, of one model when model_id is set,
  // oldest first.
  absl::StatusOr<std::vector<GovernanceDecisionRow>> ListGovernanceDecisions(
      int64_t from_ms, int64_t to_ms, std::optional<int64_t> model_id);
  // Outcomes of the decisions ListGovernanceDecisions returns for the same arguments.
  absl::StatusOr<std::vector<GovernanceOutcomeRow>> ListGovernanceOutcomes(
      int64_t from_ms, int64_t to_ms, std::optional<int64_t> model_id);
  // The model's policy in force at `at_ms` (the newest with create_time_ms <= at_ms);
  // nullopt when none was set by then.
  absl::StatusOr<std::optional<PolicyRow>> GetPolicyAt(int64_t model_id, int64_t at_ms);
  // kWh and kg CO2e approved with from_ms <= create_time_ms < to_ms, by one model or (model_id
  // unset) by all.
  struct ApprovedTotals {
    double energy_kwh = 0;
    double co2e_kg = 0;
  };
  absl::StatusOr<ApprovedTotals> SumApproved(std::optional<int64_t> model_id, int64_t from_ms,
                                             int64_t to_ms);

  // Outcomes (outcomes.cc). InsertOutcome: AlreadyExists when the decision has one; NotFound
  // when the decision or model is unknown.
  absl::StatusOr<OutcomeRow> InsertOutcome(const OutcomeRow& outcome);
  // nullopt when the decision has no outcome.
  absl::StatusOr<std::optional<OutcomeRow>> GetOutcome(int64_t decision_seq);
  // The model's outcomes, oldest first, at most `limit` (the newest ones).
  absl::StatusOr<std::vector<OutcomeRow>> ListOutcomes(int64_t model_id, int limit = 1000);
  // Scores of a reference (stored by PutReference); nullopt when the reference has none.
  absl::StatusOr<std::optional<ReferenceScoresRow>> GetReferenceScores(int64_t reference_id);

  // Alert delivery (alert_delivery.cc). The decision log is the outbox: a decision and its
  // alert are the same committed row; each sink's cursor moves only after it acknowledged.
  //
  // OpenAlertCursor() returns the sink's cursor, creating it at the current end of the log
  // the first time (a sink gets the decisions made after it was first configured, not the
  // whole history).
  absl::StatusOr<AlertCursor> OpenAlertCursor(const std::string& sink, int64_t now_ms);
  // Decisions with seq > after_seq, oldest first, at most `limit` (clamped to [1, 1000]).
  absl::StatusOr<std::vector<OutboxEntry>> ListOutbox(int64_t after_seq, int limit);
  // Decisions with seq > after_seq whose verdict is one of `verdicts`.
  absl::StatusOr<int64_t> CountOutbox(int64_t after_seq, const std::vector<std::string>& verdicts);
  // Moves the cursor forward to `seq` and clears attempts and last_error. NotFound for an
  // unknown sink; FailedPrecondition if `seq` is behind the cursor.
  absl::Status AdvanceAlertCursor(const std::string& sink, int64_t seq, int64_t now_ms);
  // Counts a failed attempt at the decision after the cursor; returns the updated cursor.
  // NotFound for an unknown sink.
  absl::StatusOr<AlertCursor> RecordAlertFailure(const std::string& sink, const std::string& error,
                                                 int64_t now_ms);

 private:
  Store(sqlite3* db, sqlite3* read_db, std::unique_ptr<Checkpointer> checkpointer);
  // Cached statements on the writer (mu_ held) and on the reader (read_mu_ held).
  absl::StatusOr<Statement> Prepare(absl::string_view sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<Statement> PrepareRead(absl::string_view sql)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(read_mu_);
  // Appends `batch` in one transaction and sets each entry's result.
  void CommitDecisions(const std::vector<DecisionTicket>& batch) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  sqlite3* db_;  // owned; guarded by mu_; the only connection that writes
  std::unique_ptr<StatementCache> statements_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex read_mu_;
  sqlite3* read_db_;  // owned; guarded by read_mu_; sees committed rows only
  std::unique_ptr<StatementCache> read_statements_ ABSL_GUARDED_BY(read_mu_);
  int schema_version_ = 0;
  std::unique_ptr<Checkpointer> checkpointer_;  // checkpoints db_'s commits on its thread
  int lock_fd_ = -1;  // StoreOptions::exclusive: the open lock file, closed on destruction

  // Group commit (decisions.cc): callers queue their rows; one of them at a time commits
  // everything queued so far while the others wait for their results.
  absl::Mutex queue_mu_;
  std::vector<DecisionTicket> queue_ ABSL_GUARDED_BY(queue_mu_);
  absl::CondVar queue_cv_;  // signalled after each commit
  bool committing_ ABSL_GUARDED_BY(queue_mu_) = false;
};

}  // namespace greengate::store
