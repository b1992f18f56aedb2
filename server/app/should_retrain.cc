// Gatekeeper::ShouldRetrain: load the model's state -> build the core input -> Evaluate ->
// record -> publish.

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/app/versions.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/core/evaluate.h"
#include "server/core/profile/validate.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

// Scores are compared with the reference's: without those, or on other edges, they would be
// silently ignored.
absl::Status CheckScoresAgainstReference(const RetrainRequest& request,
                                         const LoadedReference& reference) {
  if (!request.scores) return absl::OkStatus();
  if (!reference.scores) {
    return absl::FailedPreconditionError(
        absl::StrCat("scores: the reference of ", ModelName(request.model_id),
                     " has no scores to compare "
                     "them with; set reference.scores (SetReference) or leave scores out"));
  }
  profile::NumericProfile reference_scores, current_scores;
  reference_scores.bin_edges = reference.scores->bin_edges;
  current_scores.bin_edges = request.scores_bin_edges;
  return profile::ValidateScoresAgainstReference(reference_scores, current_scores, "scores");
}

}  // namespace

absl::StatusOr<v1::Decision> Gatekeeper::ShouldRetrain(const RetrainRequest& request,
                                                       const auth::Caller& caller) {
  ASSIGN_OR_RETURN(const store::ModelRow model, cache_.ModelForDecision(request.model_id));
  ModelState* const state = cache_.StateOf(model.id);
  absl::ReleasableMutexLock model_lock(&state->mu);
  if (!request.idempotency_key.empty()) {
    ASSIGN_OR_RETURN(std::optional<v1::Decision> earlier,
                     EarlierDecision(model, request.idempotency_key, state, &model_lock));
    if (earlier) return *std::move(earlier);
  }

  // 1. Load the model's state: its reference and policy, the approvals its budgets count
  // (and, with a fleet budget, every model's, read and spent under the fleet's lock), and its
  // outcomes.
  ASSIGN_OR_RETURN(const Rules rules, LoadRules(model));
  RETURN_IF_ERROR(CheckScoresAgainstReference(request, *rules.reference));
  ModelSnapshot snapshot;
  snapshot.reference = rules.reference.get();
  snapshot.policy = &rules.policy;
  snapshot.tables = tables_;
  snapshot.now = clock_->Now();
  ASSIGN_OR_RETURN(
      snapshot.approvals,
      cache_.SummarizeApprovals(
          model.id, absl::ToUnixMillis(snapshot.now - rules.policy.budget_window), state));
  std::optional<absl::ReleasableMutexLock> fleet_lock;
  if (fleet_.enabled()) {
    fleet_lock.emplace(&cache_.fleet()->mu);
    snapshot.fleet = fleet_;
    ASSIGN_OR_RETURN(
        snapshot.fleet_approvals,
        cache_.SummarizeFleetApprovals(absl::ToUnixMillis(snapshot.now - fleet_.window)));
  }
  ASSIGN_OR_RETURN(snapshot.outcomes, cache_.Outcomes(model.id, state));
  ASSIGN_OR_RETURN(const std::vector<store::VersionRow> versions, store_->ListVersions(model.id));
  snapshot.attained_accuracies =
      AttainedAccuracies(versions, *snapshot.outcomes, rules.reference->model_version);

  // 2. Build the core input, in one place.
  const EvaluationInput input = BuildEvaluationInput(request, snapshot);

  // 3. Evaluate (pure).
  ASSIGN_OR_RETURN(const Evaluation evaluation, Evaluate(input));

  // 4. Record: acknowledged only once committed.
  DecisionFacts facts;
  facts.decision_id = NewDecisionId();
  facts.model_id = model.model_id;
  facts.model_row_id = model.id;
  facts.model_version = rules.reference->model_version;
  facts.policy_version = rules.policy_proto.version();
  facts.idempotency_key = request.idempotency_key;
  facts.caller = caller;
  facts.now = snapshot.now;
  facts.challenger_energy_kwh = request.challenger_energy_kwh;
  facts.challenger_description = request.challenger_description;
  DecisionRecord record = MakeDecisionRecord(facts, evaluation);
  ASSIGN_OR_RETURN(const int64_t seq, Record(record, state, &model_lock, &fleet_lock));

  // 5. Publish.
  Publish(record, seq);
  return std::move(record.decision);
}

absl::StatusOr<std::optional<v1::Decision>> Gatekeeper::EarlierDecision(
    const store::ModelRow& model, const std::string& key, ModelState* state,
    absl::ReleasableMutexLock* model_lock) {
  v1::Decision decision;
  if (auto pending = state->pending_keys.find(key); pending != state->pending_keys.end()) {
    // The same request is on its way to the log: answer with its decision once it is there.
    const store::Store::DecisionTicket ticket = pending->second;
    model_lock->Release();
    ASSIGN_OR_RETURN(const store::DecisionRow previous, store_->AwaitDecision(ticket));
    RETURN_IF_ERROR(mapping::FromStoredJson(previous.payload, &decision));
    return std::optional<v1::Decision>(std::move(decision));
  }
  ASSIGN_OR_RETURN(std::optional<store::DecisionRow> previous,
                   store_->FindDecisionByIdempotencyKey(model.id, key));
  if (!previous) return std::optional<v1::Decision>();
  RETURN_IF_ERROR(mapping::FromStoredJson(previous->payload, &decision));
  return std::optional<v1::Decision>(std::move(decision));
}

absl::StatusOr<Gatekeeper::Rules> Gatekeeper::LoadRules(const store::ModelRow& model) {
  Rules rules;
  absl::StatusOr<std::shared_ptr<const LoadedReference>> reference = cache_.Reference(model);
  // A decision needs a reference first: the model exists, the call came too early.
  if (absl::IsNotFound(reference.status())) {
    return absl::FailedPreconditionError(reference.status().message());
  }
  if (!reference.ok()) return reference.status();
  rules.reference = *std::move(reference);
  ASSIGN_OR_RETURN(rules.policy_proto, cache_.LatestPolicy(model));
  ASSIGN_OR_RETURN(rules.policy, mapping::PolicyFromProto(rules.policy_proto));
  return rules;
}

absl::StatusOr<int64_t> Gatekeeper::Record(const DecisionRecord& record, ModelState* state,
                                           absl::ReleasableMutexLock* model_lock,
                                           std::optional<absl::ReleasableMutexLock>* fleet_lock) {
  // Queued, the decision counts at once for the model's (and, with a fleet budget, every
  // model's) next decisions, which may then be decided while this commit is on its way and
  // share it; the log keeps the queue's order. Should the commit fail, the ledgers it was
  // added to are reloaded from the log once nothing is in flight.
  const store::Store::DecisionTicket ticket = store_->EnqueueDecision(record.row);
  const std::string& key = record.row.idempotency_key;
  cache_.CountQueued(state, fleet_lock->has_value(), key, ticket, record.approval());
  if (*fleet_lock) (*fleet_lock)->Release();
  model_lock->Release();
  absl::StatusOr<store::DecisionRow> committed = store_->AwaitDecision(ticket);
  cache_.Settle(state, fleet_.enabled(), key, record.approved(), committed.ok());
  if (!committed.ok()) return committed.status();
  return committed->seq;
}

void Gatekeeper::Publish(const DecisionRecord& record, int64_t seq) {
  // Committed; listeners only queue, never block.
  if (listener_ != nullptr) listener_->OnDecision(record.decision, seq);
  const v1::Decision& decision = record.decision;
  const store::DecisionRow& row = record.row;
  log::Info("decision", {{"decision", decision.name()},
                         {"model", decision.model()},
                         {"verdict", row.verdict},
                         {"decided_by", row.decided_by},
                         {"energy_kwh", row.energy_kwh},
                         {"co2e_kg", row.co2e_kg},
                         {"gain_lower_bound", row.gain_lower_bound},
                         {"dataset_drift", row.dataset_drift},
                         {"caller", decision.caller()},
                         {"caller_role", decision.caller_role()},
                         {"caller_certificate", decision.caller_certificate()},
                         {"seq", static_cast<long long>(seq)}});
}

}  // namespace greengate::app
