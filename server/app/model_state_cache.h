#pragma once

// ModelStateCache: what the application keeps in memory between decisions, and the locks that
// serialise them.
//
// Per model: its row (id and name never change), its latest reference parsed, its latest
// policy, its approval ledger, its newest outcomes, and the decisions it has in flight. For
// the fleet: the ledger of every model's approvals. Reading these from SQLite and parsing a
// large profile on every decision is waste, and the cache stays right because this server is
// its database's only writer (greengate-server holds a lock on the file): the application
// tells it of every reference, policy and outcome it stores (KeepReference, KeepPolicy,
// ForgetOutcomes) and of every decision it queues and settles (CountQueued, Settle).
//
// Thread-safe. A model's decisions are serialised on its ModelState::mu, which the caller
// takes, and so are the writes of its reference and policy (each checked against the other
// in force, so no pair stored is one neither check saw); members marked "needs state->mu"
// require it held. The fleet's lock is taken only when a fleet budget is set, always after
// the model's.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "greengate/v1/greengate.pb.h"
#include "server/app/approval_ledger.h"
#include "server/core/profile/profile.h"
#include "server/store/store.h"

namespace greengate::app {

// A model's reference as decisions use it: parsed once, kept until a newer one is set.
struct LoadedReference {
  int64_t row_id = 0;
  std::string model_version;
  int64_t create_time_ms = 0;
  profile::DataProfile profile;
  std::optional<double> accuracy;
  int64_t evaluation_rows = 0;
  // Whether its scores (if it was given any) were found calibrated, and why.
  struct ScoresCalibration {
    bool calibrated = false;
    std::string detail;
    std::vector<double> bin_edges;  // ShouldRetrainRequest.scores must use these
  };
  std::optional<ScoresCalibration> scores;
};

// One model's decision state. Its decisions are serialised on `mu`: each weighs the previous.
// SetReference and SetPolicy hold it from reading the other's latest to keeping their own:
// each checks against the other in force, and a decision sees a pair that was checked.
struct ModelState {
  absl::Mutex mu;
  ApprovalLedger approvals ABSL_GUARDED_BY(mu);
  int in_flight ABSL_GUARDED_BY(mu) = 0;  // decisions queued but not yet committed or failed
  // Idempotency keys of the decisions in flight, so a retry waits for the first's commit.
  absl::flat_hash_map<std::string, store::Store::DecisionTicket> pending_keys ABSL_GUARDED_BY(mu);
  // The newest outcomes (what past retrains used and gained); reset by ForgetOutcomes.
  std::optional<std::vector<store::OutcomeRow>> outcomes ABSL_GUARDED_BY(mu);
};

// Every model's approvals, for the fleet budget. Held from reading them to queuing the
// decision (whose approval then counts), so two models cannot both spend its last kWh.
struct FleetState {
  absl::Mutex mu;
  ApprovalLedger approvals ABSL_GUARDED_BY(mu);
  int in_flight ABSL_GUARDED_BY(mu) = 0;
};

class ModelStateCache {
 public:
  // The newest outcomes a model's estimators read: older hardware and data matter less.
  static constexpr int kOutcomesLoaded = 200;

  // `store` must outlive the cache.
  explicit ModelStateCache(store::Store* store) : store_(store) {}

  // The model's row by model id ("churn"), read from the store once. NotFound when unknown.
  absl::StatusOr<store::ModelRow> ModelForDecision(const std::string& model_id);

  // The model's latest reference, read and parsed on first use. NotFound (naming the model and
  // SetReference) when it has none; DataLoss when the stored profile does not parse.
  absl::StatusOr<std::shared_ptr<const LoadedReference>> Reference(const store::ModelRow& model);
  // Keeps `loaded` as the model's reference unless a newer row is already kept (concurrent
  // SetReference calls may finish out of order); returns the one kept.
  std::shared_ptr<const LoadedReference> KeepReference(
      int64_t model_id, std::shared_ptr<const LoadedReference> loaded);

  // The model's latest policy as stored (its proto, with version, create_time and model
  // name), or the defaults with version 0 when none was set. The policy is kept as its proto
  // because that is its stored form and what GetPolicy returns.
  absl::StatusOr<v1::Policy> LatestPolicy(const store::ModelRow& model);
  // Keeps `policy` as the model's latest unless a newer version is kept; returns the one kept.
  v1::Policy KeepPolicy(int64_t model_id, v1::Policy policy);

  // The model's state, created on first use; lives as long as the cache.
  ModelState* StateOf(int64_t model_id);
  FleetState* fleet() { return &fleet_; }

  // The model's approvals in [since_ms, now] (needs state->mu). Loads the ledger from the log
  // first when it does not reach back to since_ms, once every decision it counts is settled.
  absl::StatusOr<ApprovalSummary> SummarizeApprovals(int64_t model_id, int64_t since_ms,
                                                     ModelState* state);
  // The same over every model's approvals (needs fleet()->mu).
  absl::StatusOr<ApprovalSummary> SummarizeFleetApprovals(int64_t since_ms);

  // The model's newest outcomes, oldest first, read once and again only after ForgetOutcomes
  // (needs state->mu). The pointer is valid while state->mu is held.
  absl::StatusOr<const std::vector<store::OutcomeRow>*> Outcomes(int64_t model_id,
                                                                 ModelState* state);
  // After an outcome of the model committed: its next decision reads them again.
  void ForgetOutcomes(int64_t model_id);

  // A decision was queued for commit as `ticket` (needs state->mu, and fleet()->mu when
  // `fleet` is true): it counts at once for the next decisions of the model (and, with
  // `fleet`, of every model), and a retry with the same idempotency key waits for it.
  void CountQueued(ModelState* state, bool fleet, const std::string& idempotency_key,
                   store::Store::DecisionTicket ticket,
                   const std::optional<store::ApprovalRow>& approval);
  // The decision queued by CountQueued has committed (`committed`) or failed. Takes the
  // fleet's lock (when `fleet`) and then the model's, one at a time: call with neither held.
  // A failed approval makes the ledgers it was added to reload from the log.
  void Settle(ModelState* state, bool fleet, const std::string& idempotency_key, bool approved,
              bool committed);

 private:
  absl::StatusOr<ApprovalSummary> Summarize(std::optional<int64_t> model_id, int64_t since_ms,
                                            ApprovalLedger* ledger, absl::Mutex* mu,
                                            const int* in_flight);

  store::Store* const store_;
  FleetState fleet_;
  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, std::unique_ptr<ModelState>> models_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, std::shared_ptr<const LoadedReference>> references_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, v1::Policy> policies_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, store::ModelRow> decision_models_ ABSL_GUARDED_BY(mu_);
};

}  // namespace greengate::app
