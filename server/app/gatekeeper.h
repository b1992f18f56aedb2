#pragma once

// The application: each use case of the RetrainGatekeeper API as its steps, between the gRPC
// adapter (server/service, which admits the caller, maps the request and converts the status)
// and the pure core, the store and the decision listeners. No gRPC types.
//
// ShouldRetrain takes its request as core values (RetrainRequest). The other use cases take
// and return the API's protobuf messages: their records are stored as those messages (policy
// and decision JSON, profile bytes), so a struct of our own per message would only copy the
// schema. Errors are absl::Status with canonical codes; InvalidArgument names the field.
//
// Decisions of one model are serialised (ModelStateCache), so cooldowns, budgets and
// idempotency keys hold under concurrent calls. Thread-safe.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.pb.h"
#include "server/app/decision_record.h"
#include "server/app/evaluation_input.h"
#include "server/app/model_state_cache.h"
#include "server/app/retrain_request.h"
#include "server/auth/authenticator.h"
#include "server/common/clock.h"
#include "server/core/energy/tables.h"
#include "server/core/gain/cbpe.h"
#include "server/core/policy/policy.h"
#include "server/events/decision_listener.h"
#include "server/store/store.h"

namespace greengate::app {

class Gatekeeper {
 public:
  // `store`, `clock` and `tables` must outlive the application; so must `listener` (optional:
  // told of each committed decision). `fleet`: the operator's budgets over all models.
  Gatekeeper(store::Store* store, const Clock* clock, const energy::Tables* tables,
             events::DecisionListener* listener, const policy::FleetBudget& fleet);

  // The energy tables plans are costed with (ListEnergyTables).
  const energy::Tables& tables() const { return *tables_; }

  // models.cc
  absl::StatusOr<v1::Model> RegisterModel(const v1::RegisterModelRequest& request);
  absl::StatusOr<v1::Model> GetModel(const v1::GetModelRequest& request);
  absl::StatusOr<v1::ListModelsResponse> ListModels();
  // The canonical name ("models/churn") of the registered model `name` names; InvalidArgument
  // naming `field`, or NotFound.
  absl::StatusOr<std::string> FindModelName(absl::string_view name, absl::string_view field);

  // references.cc
  absl::StatusOr<v1::Reference> SetReference(const v1::SetReferenceRequest& request);
  absl::StatusOr<v1::Reference> GetReference(const v1::GetReferenceRequest& request);

  // policies.cc
  absl::StatusOr<v1::Policy> SetPolicy(const v1::SetPolicyRequest& request);
  absl::StatusOr<v1::Policy> GetPolicy(const v1::GetPolicyRequest& request);

  // should_retrain.cc: load the model's state -> build the core input -> Evaluate -> record
  // (acknowledged once committed) -> publish. A repeated idempotency key returns the decision
  // it made. FailedPrecondition before the model has a reference.
  absl::StatusOr<v1::Decision> ShouldRetrain(const RetrainRequest& request,
                                             const auth::Caller& caller);

  // decisions.cc
  absl::StatusOr<v1::Decision> GetDecision(const v1::GetDecisionRequest& request);
  absl::StatusOr<v1::ListDecisionsResponse> ListDecisions(const v1::ListDecisionsRequest& request);

  // outcomes.cc
  absl::StatusOr<v1::Outcome> ReportOutcome(const v1::ReportOutcomeRequest& request);

  // governance.cc
  absl::StatusOr<v1::GovernanceReport> GetGovernanceReport(
      const v1::GetGovernanceReportRequest& request);
  absl::StatusOr<v1::AuditLogVerification> VerifyAuditLog(const v1::VerifyAuditLogRequest& request);

 private:
  // should_retrain.cc, the steps.
  // The decision an earlier request with `key` made, waiting for its commit when it is on its
  // way (then `model_lock` is released); nullopt when there is none.
  absl::StatusOr<std::optional<v1::Decision>> EarlierDecision(
      const store::ModelRow& model, const std::string& key, ModelState* state,
      absl::ReleasableMutexLock* model_lock);
  // The reference (FailedPrecondition without one) and the latest policy.
  struct Rules {
    std::shared_ptr<const LoadedReference> reference;
    v1::Policy policy_proto;
    policy::Policy policy;
  };
  absl::StatusOr<Rules> LoadRules(const store::ModelRow& model);
  // Queues `record` for the group commit, counts it in the ledgers, releases the locks and
  // waits for the commit; the decision's seq in the log.
  absl::StatusOr<int64_t> Record(const DecisionRecord& record, ModelState* state,
                                 absl::ReleasableMutexLock* model_lock,
                                 std::optional<absl::ReleasableMutexLock>* fleet_lock);
  // Tells the listener of a committed decision, and logs it.
  void Publish(const DecisionRecord& record, int64_t seq);

  // references.cc
  absl::StatusOr<std::optional<gain::Calibration>> CheckReferenceScores(const v1::Reference& ref);
  absl::Status FillReferenceScores(int64_t reference_id, v1::Reference* out);
  // models.cc
  absl::StatusOr<v1::Model> ModelToProto(const store::ModelRow& row);
  // decisions.cc: the outcome shown with its decision.
  absl::Status AttachOutcome(const store::DecisionRow& row, v1::Decision* decision);

  store::Store* const store_;
  const Clock* const clock_;
  const energy::Tables* const tables_;
  events::DecisionListener* const listener_;  // may be null
  const policy::FleetBudget fleet_;
  ModelStateCache cache_;
};

}  // namespace greengate::app
