#pragma once

// The RetrainGatekeeper gRPC service: a thin adapter over the application (app::Gatekeeper).
// Each handler admits the caller (auth_check.cc), maps the request, calls the application and
// converts its absl::Status once at the edge. WatchDecisions streams what the WatchHub is
// told of committed decisions. Thread-safe.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "server/app/gatekeeper.h"
#include "server/auth/authenticator.h"
#include "server/service/watch_hub.h"

namespace greengate::service {

class GatekeeperService final : public v1::RetrainGatekeeper::Service {
 public:
  // `app` and `watch_hub` must outlive the service; `watch_hub` must be told of the
  // application's decisions. `authenticator`: requires a bearer token with the right role on
  // every call; null serves everyone as "anonymous". Not owned.
  GatekeeperService(app::Gatekeeper* app, WatchHub* watch_hub,
                    const auth::Authenticator* authenticator)
      : app_(app), watch_hub_(watch_hub), authenticator_(authenticator) {}

  grpc::Status RegisterModel(grpc::ServerContext* context, const v1::RegisterModelRequest* request,
                             v1::Model* response) override;
  grpc::Status GetModel(grpc::ServerContext* context, const v1::GetModelRequest* request,
                        v1::Model* response) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;
  grpc::Status SetReference(grpc::ServerContext* context, const v1::SetReferenceRequest* request,
                            v1::Reference* response) override;
  grpc::Status GetReference(grpc::ServerContext* context, const v1::GetReferenceRequest* request,
                            v1::Reference* response) override;
  grpc::Status SetPolicy(grpc::ServerContext* context, const v1::SetPolicyRequest* request,
                         v1::Policy* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context, const v1::GetPolicyRequest* request,
                         v1::Policy* response) override;
  grpc::Status ShouldRetrain(grpc::ServerContext* context, const v1::ShouldRetrainRequest* request,
                             v1::Decision* response) override;
  grpc::Status GetDecision(grpc::ServerContext* context, const v1::GetDecisionRequest* request,
                           v1::Decision* response) override;
  grpc::Status ListDecisions(grpc::ServerContext* context, const v1::ListDecisionsRequest* request,
                             v1::ListDecisionsResponse* response) override;
  grpc::Status ReportOutcome(grpc::ServerContext* context, const v1::ReportOutcomeRequest* request,
                             v1::Outcome* response) override;
  grpc::Status GetGovernanceReport(grpc::ServerContext* context,
                                   const v1::GetGovernanceReportRequest* request,
                                   v1::GovernanceReport* response) override;
  grpc::Status VerifyAuditLog(grpc::ServerContext* context,
                              const v1::VerifyAuditLogRequest* request,
                              v1::AuditLogVerification* response) override;
  grpc::Status ListEnergyTables(grpc::ServerContext* context,
                                const v1::ListEnergyTablesRequest* request,
                                v1::EnergyTables* response) override;
  // watch.cc
  grpc::Status WatchDecisions(grpc::ServerContext* context,
                              const v1::WatchDecisionsRequest* request,
                              grpc::ServerWriter<v1::Decision>* writer) override;

 private:
  // auth_check.cc: OK when the call may proceed (its caller in `caller`, if given); else
  // UNAUTHENTICATED or PERMISSION_DENIED, logged. `method` is the RPC's short name.
  grpc::Status Admit(const grpc::ServerContext* context, absl::string_view method,
                     auth::Caller* caller = nullptr) const;
  // Admit(), then the caller's model scope (auth/model_scope.h) against the model `request`
  // names: PERMISSION_DENIED naming it when outside; for a limited caller, a list, watch or
  // report without a model filter too. A name that does not parse is left to the handler.
  grpc::Status Admit(const grpc::ServerContext* context, absl::string_view method,
                     const google::protobuf::Message& request,
                     auth::Caller* caller = nullptr) const;
  // PermissionDenied unless `caller` may act on the model named `model_name` ("models/x").
  static absl::Status CheckScope(const auth::Caller& caller, absl::string_view model_name);
  // watch.cc
  absl::StatusOr<WatchFilter> ParseWatchFilter(const v1::WatchDecisionsRequest& request);

  app::Gatekeeper* const app_;
  WatchHub* const watch_hub_;
  const auth::Authenticator* const authenticator_;  // null: no tokens required
};

}  // namespace greengate::service
