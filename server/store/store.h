#pragma once

// The SQLite store: models, references, policies and the decision log. One connection in WAL
// mode, serialised by a mutex (one writer); every write runs in BEGIN IMMEDIATE. Payloads
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

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

struct sqlite3;

namespace greengate::store {

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
  std::string profile;  // serialised by the caller
  std::optional<double> accuracy;
  int64_t evaluation_rows = 0;
  int64_t create_time_ms = 0;
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
};

// ListDecisions returns at most this many rows per call, whatever filter.limit asks.
inline constexpr int kMaxListLimit = 1000;

struct DecisionFilter {
  std::optional<int64_t> model_id;
  std::optional<std::string> verdict;
  std::optional<int64_t> from_ms;       // create_time_ms >= from_ms
  std::optional<int64_t> to_ms;         // create_time_ms < to_ms
  std::optional<int64_t> before_seq;    // keyset: rows with seq < before_seq (newest first)
  int limit = 50;                       // clamped to [1, kMaxListLimit]
};

// Approvals of one model, for cooldown and budgets.
struct ApprovalSummary {
  std::optional<int64_t> last_approval_ms;
  double approved_energy_kwh = 0;  // approvals with create_time_ms >= since_ms
  std::optional<int64_t> oldest_approval_ms;  // oldest approval with create_time_ms >= since_ms
};

struct StoreOptions {
  int busy_timeout_ms = 5000;
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

  // AlreadyExists when model_id is taken. Fills id and times from the row given.
  absl::StatusOr<ModelRow> CreateModel(const ModelRow& model);
  absl::StatusOr<ModelRow> GetModel(const std::string& model_id);  // NotFound
  absl::StatusOr<std::vector<ModelRow>> ListModels();  // ordered by model_id

  // Stores a new reference (older ones are kept) and sets the model's update time to the
  // reference's create_time_ms. NotFound when reference.model_id is not a model's id.
  absl::StatusOr<ReferenceRow> PutReference(const ReferenceRow& reference);
  // NotFound when the model has no reference.
  absl::StatusOr<ReferenceRow> GetLatestReference(int64_t model_id);

  // Appends version max+1 for the model. NotFound when policy.model_id is not a model's id.
  absl::StatusOr<PolicyRow> PutPolicy(const PolicyRow& policy);
  // nullopt when the model has no stored policy (the defaults apply).
  absl::StatusOr<std::optional<PolicyRow>> GetLatestPolicy(int64_t model_id);

  // Commits the row (synchronous=FULL) before returning it with its seq. AlreadyExists when
  // (model, idempotency_key) or decision_id is taken; NotFound when decision.model_id is not a
  // model's id. An empty idempotency_key is stored as NULL and never conflicts.
  absl::StatusOr<DecisionRow> InsertDecision(const DecisionRow& decision);
  absl::StatusOr<DecisionRow> GetDecision(const std::string& decision_id);  // NotFound
  // nullopt when no decision of the model has the key (always for an empty key).
  absl::StatusOr<std::optional<DecisionRow>> FindDecisionByIdempotencyKey(
      int64_t model_id, const std::string& idempotency_key);
  // Newest first (descending seq), at most filter.limit rows.
  absl::StatusOr<std::vector<DecisionRow>> ListDecisions(const DecisionFilter& filter);
  absl::StatusOr<ApprovalSummary> SummarizeApprovals(int64_t model_id, int64_t since_ms);

 private:
  explicit Store(sqlite3* db);
  mutable absl::Mutex mu_;
  sqlite3* db_;  // owned; guarded by mu_
  int schema_version_ = 0;
};

}  // namespace greengate::store
