#pragma once

// The RetrainGatekeeper gRPC service. Each handler: validate -> load -> core -> store, with
// absl::Status converted once at the edge. Decisions for one model are serialised, so
// cooldowns, budgets and idempotency keys hold under concurrent calls. Thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "server/common/clock.h"
#include "server/auth/authenticator.h"
#include "server/core/energy/tables.h"
#include "server/core/evaluate.h"
#include "server/core/policy/policy.h"
#include "server/core/gain/cbpe.h"
#include "server/core/profile/profile.h"
#include "server/mapping/profile_mapping.h"
#include "server/store/store.h"
#include "server/service/approval_ledger.h"
#include "server/service/decision_listener.h"
#include "server/service/watch_hub.h"

namespace greengate::service {

class Gatekeeper final : public v1::RetrainGatekeeper::Service {
 public:
  // `store`, `clock` and `tables` must outlive the service; so must `listener` (optional:
  // told of each committed decision). `watch_queue_capacity`: how many decisions a
  // WatchDecisions subscriber may lag behind before it is dropped.
  Gatekeeper(store::Store* store, const Clock* clock, const energy::Tables* tables,
             DecisionListener* listener = nullptr, size_t watch_queue_capacity = 256);

  // The operator's budgets over all models (policy.h FleetBudget); call before serving.
  void set_fleet_budget(const policy::FleetBudget& fleet) { fleet_ = fleet; }

  grpc::Status RegisterModel(grpc::ServerContext*, const v1::RegisterModelRequest* request,
                             v1::Model* response) override;
  grpc::Status GetModel(grpc::ServerContext*, const v1::GetModelRequest* request,
                        v1::Model* response) override;
  grpc::Status ListModels(grpc::ServerContext*, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;
  grpc::Status SetReference(grpc::ServerContext*, const v1::SetReferenceRequest* request,
                            v1::Reference* response) override;
  grpc::Status GetReference(grpc::ServerContext*, const v1::GetReferenceRequest* request,
                            v1::Reference* response) override;
  grpc::Status SetPolicy(grpc::ServerContext*, const v1::SetPolicyRequest* request,
                         v1::Policy* response) override;
  grpc::Status GetPolicy(grpc::ServerContext*, const v1::GetPolicyRequest* request,
                         v1::Policy* response) override;
  grpc::Status ShouldRetrain(grpc::ServerContext*, const v1::ShouldRetrainRequest* request,
                             v1::Decision* response) override;
  grpc::Status GetDecision(grpc::ServerContext*, const v1::GetDecisionRequest* request,
                           v1::Decision* response) override;
  grpc::Status ListDecisions(grpc::ServerContext*, const v1::ListDecisionsRequest* request,
                             v1::ListDecisionsResponse* response) override;
  // outcomes.cc
  grpc::Status ReportOutcome(grpc::ServerContext*, const v1::ReportOutcomeRequest* request,
                             v1::Outcome* response) override;
  // watch.cc
  grpc::Status WatchDecisions(grpc::ServerContext* context,
                              const v1::WatchDecisionsRequest* request,
                              grpc::ServerWriter<v1::Decision>* writer) override;
  // Ends every WatchDecisions stream with OK (call before shutting the server down).
  void CloseWatches();
  // Requires a bearer token with the right role on every call (auth_check.cc); null (the
  // default) serves everyone as "anonymous". Not owned; set before serving.
  void set_authenticator(const auth::Authenticator* authenticator) {
    authenticator_ = authenticator;
  }
  // governance.cc
  grpc::Status GetGovernanceReport(grpc::ServerContext*,
                                   const v1::GetGovernanceReportRequest* request,
                                   v1::GovernanceReport* response) override;
  grpc::Status VerifyAuditLog(grpc::ServerContext*, const v1::VerifyAuditLogRequest* request,
                              v1::AuditLogVerification* response) override;
  // energy_tables.cc
  grpc::Status ListEnergyTables(grpc::ServerContext*, const v1::ListEnergyTablesRequest* request,
                                v1::EnergyTables* response) override;

 private:
  // A parsed reference, cached per model: parsing a large profile on every call is waste.
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

  // A model's decisions are serialised on its lock: each one weighs the previous ones.
  struct ModelState {
    absl::Mutex mu;
    ApprovalLedger approvals ABSL_GUARDED_BY(mu);
    int in_flight ABSL_GUARDED_BY(mu) = 0;  // decisions queued but not yet committed or failed
    // Idempotency keys of the decisions in flight, so a retry waits for the first's commit.
    absl::flat_hash_map<std::string, store::Store::DecisionTicket> pending_keys
        ABSL_GUARDED_BY(mu);
    // The newest outcomes (what past retrains used and gained); reset by ReportOutcome.
    std::optional<std::vector<store::OutcomeRow>> outcomes ABSL_GUARDED_BY(mu);
  };

  absl::Status DoRegisterModel(const v1::RegisterModelRequest& request, v1::Model* response);
  absl::Status DoGetModel(const v1::GetModelRequest& request, v1::Model* response);
  absl::Status DoListModels(const auth::Caller& caller, v1::ListModelsResponse* response);
  absl::Status DoSetReference(const v1::SetReferenceRequest& request, v1::Reference* response);
  absl::Status DoGetReference(const v1::GetReferenceRequest& request, v1::Reference* response);
  absl::Status DoSetPolicy(const v1::SetPolicyRequest& request, v1::Policy* response);
  absl::Status DoGetPolicy(const v1::GetPolicyRequest& request, v1::Policy* response);
  absl::Status DoShouldRetrain(const v1::ShouldRetrainRequest& request,
                               const auth::Caller& caller, v1::Decision* response);
  absl::Status DoGetDecision(const v1::GetDecisionRequest& request, const auth::Caller& caller,
                             v1::Decision* response);
  absl::Status DoListDecisions(const v1::ListDecisionsRequest& request,
                               v1::ListDecisionsResponse* response);
  // governance.cc
  absl::Status DoGetGovernanceReport(const v1::GetGovernanceReportRequest& request,
                                     v1::GovernanceReport* response);
  absl::Status DoVerifyAuditLog(const v1::VerifyAuditLogRequest& request,
                                v1::AuditLogVerification* response);

  // auth_check.cc: OK when the call may proceed (its caller in `caller`, if given); else
  // UNAUTHENTICATED or PERMISSION_DENIED, logged. `method` is the RPC's short name.
  grpc::Status Admit(const grpc::ServerContext* context, absl::string_view method,
                     auth::Caller* caller = nullptr) const;
  // Admit(), then the caller's model scope (auth/model_scope.h) against the model `request`
  // names: PERMISSION_DENIED naming it when outside; for a limited caller, a list or watch
  // without a model filter too. A name that does not parse is left to the handler.
  grpc::Status Admit(const grpc::ServerContext* context, absl::string_view method,
                     const google::protobuf::Message& request,
                     auth::Caller* caller = nullptr) const;
  // PermissionDenied unless `caller` may act on the model named `model_name` ("models/x").
  static absl::Status CheckScope(const auth::Caller& caller, absl::string_view model_name);

  // watch.cc: after a decision commits, tells the watch streams and the listener.
  void NotifyDecision(const v1::Decision& decision, int64_t seq);
  absl::StatusOr<WatchFilter> ParseWatchFilter(const v1::WatchDecisionsRequest& request);

  // outcomes.cc: ReportOutcome, the outcome shown by GetDecision, reference scores, and the
  // ShouldRetrain inputs learned from outcomes.
  absl::Status DoReportOutcome(const v1::ReportOutcomeRequest& request,
                               const auth::Caller& caller, v1::Outcome* response);
  absl::Status AttachOutcome(const store::DecisionRow& row, v1::Decision* decision);
  absl::StatusOr<std::optional<gain::Calibration>> CheckReferenceScores(const v1::Reference& ref);
  // The row storing the reference's scores and their calibration (nullopt without scores).
  static std::optional<store::ReferenceScoresRow> ReferenceScores(
      const v1::Reference& ref, const std::optional<gain::Calibration>& calibration);
  absl::Status FillReferenceScores(int64_t reference_id, v1::Reference* out);
  // Needs state->mu held.
  absl::Status AddLearningInputs(const v1::ShouldRetrainRequest& request,
                                 const store::ModelRow& model, const LoadedReference& reference,
                                 ModelState* state, EvaluationInput* input);

  absl::StatusOr<v1::Model> ModelToProto(const store::ModelRow& row);
  // The model's latest policy, or the defaults (version 0) when none was set.
  absl::StatusOr<v1::Policy> LatestPolicy(const store::ModelRow& model);
  // Keeps `policy` as the model's latest unless a newer version is kept; returns the one kept.
  v1::Policy KeepPolicy(int64_t model_id, v1::Policy policy);
  // The model's latest reference, kept (read and parsed on first use). NotFound when it has
  // none.
  absl::StatusOr<std::shared_ptr<const LoadedReference>> LoadReference(
      const store::ModelRow& model);
  // `loaded` as SetReference and GetReference return it, scores aside.
  static v1::Reference ReferenceToProto(const store::ModelRow& model,
                                        const LoadedReference& loaded,
                                        mapping::ProfileSamples samples);
  // Keeps `loaded` as the model's reference unless a newer row is already kept; returns the
  // one kept.
  std::shared_ptr<const LoadedReference> KeepReference(int64_t model_id,
                                                       std::shared_ptr<const LoadedReference> loaded);
  // The model's row by model id, read once: rows are never deleted and a decision needs only
  // what never changes (id and name).
  absl::StatusOr<store::ModelRow> ModelForDecision(const std::string& model_id);
  ModelState* StateOf(int64_t model_id);
  // The window's approvals from `ledger` (guarded by `mu`, held), loading it from the log
  // first if it does not reach back to since_ms (model_id unset: the fleet's ledger).
  absl::StatusOr<ApprovalSummary> SummarizeApprovals(std::optional<int64_t> model_id,
                                                     int64_t since_ms, ApprovalLedger* ledger,
                                                     absl::Mutex* mu, const int* in_flight);

  store::Store* const store_;
  const Clock* const clock_;
  const energy::Tables* const tables_;
  DecisionListener* const listener_;  // may be null
  policy::FleetBudget fleet_;          // set before serving; read-only afterwards
  // Held from reading the fleet's approvals to queuing the decision (whose approval then
  // counts) when a fleet budget is set, so two models cannot both spend its last kWh. Without
  // one, models decide in parallel.
  absl::Mutex fleet_mu_;
  ApprovalLedger fleet_approvals_ ABSL_GUARDED_BY(fleet_mu_);
  int fleet_in_flight_ ABSL_GUARDED_BY(fleet_mu_) = 0;
  const auth::Authenticator* authenticator_ = nullptr;  // null: no tokens required
  WatchHub watch_hub_;

  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, std::unique_ptr<ModelState>> models_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, std::shared_ptr<const LoadedReference>> references_
      ABSL_GUARDED_BY(mu_);
  // The latest stored policy of each model as parsed, with its version (LatestPolicy; the
  // defaults with version 0 when none was set). Like references_, kept current by this
  // server's own SetPolicy/SetReference: it is the database's only writer.
  absl::flat_hash_map<int64_t, v1::Policy> policies_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, store::ModelRow> decision_models_ ABSL_GUARDED_BY(mu_);
};

}  // namespace greengate::service
