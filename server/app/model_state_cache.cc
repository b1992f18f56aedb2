#include "server/app/model_state_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/names.h"
#include "server/app/stored_profile.h"
#include "server/common/status_macros.h"
#include "server/core/policy/policy.h"
#include "server/core/profile/validate.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/profile_mapping.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {

absl::StatusOr<store::ModelRow> ModelStateCache::ModelForDecision(const std::string& model_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = decision_models_.find(model_id);
    if (it != decision_models_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(store::ModelRow row, store_->GetModel(model_id));
  absl::MutexLock lock(&mu_);
  decision_models_.try_emplace(model_id, row);
  return row;
}

absl::StatusOr<std::shared_ptr<const LoadedReference>> ModelStateCache::Reference(
    const store::ModelRow& model) {
  {
    // A kept reference is the latest (the application keeps what it stores): no query.
    absl::MutexLock lock(&mu_);
    auto it = references_.find(model.id);
    if (it != references_.end()) return it->second;
  }
  absl::StatusOr<store::ReferenceRow> row = store_->GetLatestReference(model.id);
  if (absl::IsNotFound(row.status())) {
    return absl::NotFoundError(absl::StrCat(ModelName(model.model_id),
                                            " has no reference profile; call SetReference first "
                                            "(greengate set-reference)"));
  }
  if (!row.ok()) return row.status();
  auto loaded = std::make_shared<LoadedReference>();
  {
    // At most two megabyte-sized forms at a time: the stored bytes and the message, then the
    // message and the core.
    v1::DataProfile proto;
    RETURN_IF_ERROR(ProfileFromStored(*row, &proto));
    std::string().swap(row->profile);
    ASSIGN_OR_RETURN(loaded->profile, mapping::ProfileFromProto(proto, "reference"));
  }
  // The read path applies the write path's validation. References stored before `rows` was
  // checked may hold 0 there: it is their largest feature count.
  if (loaded->profile.rows == 0) {
    for (const profile::FeatureProfile& f : loaded->profile.features) {
      loaded->profile.rows = std::max(loaded->profile.rows, f.count);
    }
  }
  if (absl::Status valid = profile::ValidateReference(loaded->profile, "reference"); !valid.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the stored reference of ", ModelName(model.model_id), " is no longer valid (",
                     valid.message(), "); store a new one with SetReference"));
  }
  loaded->row_id = row->id;
  loaded->model_version = row->model_version;
  loaded->create_time_ms = row->create_time_ms;
  loaded->accuracy = row->accuracy;
  loaded->evaluation_rows = row->evaluation_rows;
  ASSIGN_OR_RETURN(std::optional<store::ReferenceScoresRow> scores,
                   store_->GetReferenceScores(row->id));
  if (scores) {
    v1::NumericProfile stored_scores;
    RETURN_IF_ERROR(mapping::FromStoredJson(scores->scores, &stored_scores));
    loaded->scores = {scores->calibrated,
                      scores->calibration_detail,
                      {stored_scores.bin_edges().begin(), stored_scores.bin_edges().end()}};
  }
  return KeepReference(model.id, std::move(loaded));
}

std::shared_ptr<const LoadedReference> ModelStateCache::KeepReference(
    int64_t model_id, std::shared_ptr<const LoadedReference> loaded) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<const LoadedReference>& kept = references_[model_id];
  if (kept == nullptr || kept->row_id < loaded->row_id) kept = std::move(loaded);
  return kept;
}

absl::StatusOr<v1::Policy> ModelStateCache::LatestPolicy(const store::ModelRow& model) {
  {
    absl::MutexLock lock(&mu_);
    auto it = policies_.find(model.id);
    if (it != policies_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<store::PolicyRow> row, store_->GetLatestPolicy(model.id));
  v1::Policy out;
  if (row) {
    RETURN_IF_ERROR(mapping::FromStoredJson(row->policy, &out));
    out.set_version(row->version);
    *out.mutable_create_time() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(row->create_time_ms);
  } else {
    out = mapping::PolicyToProto(policy::Policy{});  // the defaults, version 0
  }
  out.set_model(ModelName(model.model_id));
  return KeepPolicy(model.id, std::move(out));
}

v1::Policy ModelStateCache::KeepPolicy(int64_t model_id, v1::Policy policy) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = policies_.try_emplace(model_id, policy);
  // Concurrent SetPolicy calls may finish out of order: the newest version wins.
  if (!inserted && it->second.version() < policy.version()) it->second = std::move(policy);
  return it->second;
}

ModelState* ModelStateCache::StateOf(int64_t model_id) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<ModelState>& state = models_[model_id];
  if (!state) state = std::make_unique<ModelState>();
  return state.get();
}

absl::StatusOr<ApprovalSummary> ModelStateCache::Summarize(std::optional<int64_t> model_id,
                                                           int64_t since_ms, ApprovalLedger* ledger,
                                                           absl::Mutex* mu, const int* in_flight) {
  if (!ledger->Covers(since_ms)) {
    // Reloaded only once every decision it counts is committed (or failed), so the log holds
    // exactly the approvals it should.
    mu->Await(absl::Condition(
        +[](const int* n) { return *n == 0; }, in_flight));
    ASSIGN_OR_RETURN(store::ApprovalHistory history, store_->ListApprovals(model_id, since_ms));
    ledger->Reset(since_ms, std::move(history));
  }
  return ledger->Summarize(since_ms);
}

absl::StatusOr<ApprovalSummary> ModelStateCache::SummarizeApprovals(int64_t model_id,
                                                                    int64_t since_ms,
                                                                    ModelState* state) {
  return Summarize(model_id, since_ms, &state->approvals, &state->mu, &state->in_flight);
}

absl::StatusOr<ApprovalSummary> ModelStateCache::SummarizeFleetApprovals(int64_t since_ms) {
  return Summarize(std::nullopt, since_ms, &fleet_.approvals, &fleet_.mu, &fleet_.in_flight);
}

absl::StatusOr<const std::vector<store::OutcomeRow>*> ModelStateCache::Outcomes(int64_t model_id,
                                                                                ModelState* state) {
  if (!state->outcomes) {
    ASSIGN_OR_RETURN(state->outcomes, store_->ListOutcomes(model_id, kOutcomesLoaded));
  }
  return &*state->outcomes;
}

void ModelStateCache::ForgetOutcomes(int64_t model_id) {
  ModelState* const state = StateOf(model_id);
  absl::MutexLock lock(&state->mu);
  state->outcomes.reset();
}

void ModelStateCache::CountQueued(ModelState* state, bool fleet, const std::string& idempotency_key,
                                  store::Store::DecisionTicket ticket,
                                  const std::optional<store::ApprovalRow>& approval) {
  ++state->in_flight;
  if (approval) state->approvals.Add(*approval);
  if (!idempotency_key.empty()) state->pending_keys[idempotency_key] = ticket;
  if (fleet) {
    ++fleet_.in_flight;
    if (approval) fleet_.approvals.Add(*approval);
  }
}

void ModelStateCache::Settle(ModelState* state, bool fleet, const std::string& idempotency_key,
                             bool approved, bool committed) {
  // One lock at a time: a decision waiting in Summarize holds its model's lock while it waits
  // for the fleet's decisions in flight.
  if (fleet) {
    absl::MutexLock lock(&fleet_.mu);
    --fleet_.in_flight;
    if (!committed && approved) fleet_.approvals.Invalidate();
  }
  absl::MutexLock lock(&state->mu);
  --state->in_flight;
  if (!idempotency_key.empty()) state->pending_keys.erase(idempotency_key);
  if (!committed && approved) state->approvals.Invalidate();
}

}  // namespace greengate::app
