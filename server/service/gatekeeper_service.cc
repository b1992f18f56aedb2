#include "server/service/gatekeeper_service.h"

#include <utility>

#include "server/common/log.h"
#include "server/mapping/energy_tables_mapping.h"
#include "server/service/retrain_request_mapping.h"
#include "server/service/status_util.h"

namespace greengate::service {
namespace {

// The application's answer as the gRPC response and status.
template <typename Message>
grpc::Status Reply(absl::StatusOr<Message> result, Message* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status GatekeeperService::RegisterModel(grpc::ServerContext* context,
                                              const v1::RegisterModelRequest* r, v1::Model* out) {
  if (grpc::Status s = Admit(context, "RegisterModel", *r); !s.ok()) return s;
  return Reply(app_->RegisterModel(*r), out);
}

grpc::Status GatekeeperService::GetModel(grpc::ServerContext* context, const v1::GetModelRequest* r,
                                         v1::Model* out) {
  if (grpc::Status s = Admit(context, "GetModel", *r); !s.ok()) return s;
  return Reply(app_->GetModel(*r), out);
}

grpc::Status GatekeeperService::ListModels(grpc::ServerContext* context,
                                           const v1::ListModelsRequest*,
                                           v1::ListModelsResponse* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ListModels", &caller); !s.ok()) return s;
  absl::StatusOr<v1::ListModelsResponse> listed = app_->ListModels();
  if (listed.ok() && !caller.models.all()) {
    // A token limited to some models lists those only.
    v1::ListModelsResponse kept;
    for (v1::Model& model : *listed->mutable_models()) {
      if (CheckScope(caller, model.name()).ok()) *kept.add_models() = std::move(model);
    }
    listed = std::move(kept);
  }
  return Reply(std::move(listed), out);
}

grpc::Status GatekeeperService::SetReference(grpc::ServerContext* context,
                                             const v1::SetReferenceRequest* r, v1::Reference* out) {
  if (grpc::Status s = Admit(context, "SetReference", *r); !s.ok()) return s;
  return Reply(app_->SetReference(*r), out);
}

grpc::Status GatekeeperService::GetReference(grpc::ServerContext* context,
                                             const v1::GetReferenceRequest* r, v1::Reference* out) {
  if (grpc::Status s = Admit(context, "GetReference", *r); !s.ok()) return s;
  return Reply(app_->GetReference(*r), out);
}

grpc::Status GatekeeperService::SetPolicy(grpc::ServerContext* context,
                                          const v1::SetPolicyRequest* r, v1::Policy* out) {
  if (grpc::Status s = Admit(context, "SetPolicy", *r); !s.ok()) return s;
  return Reply(app_->SetPolicy(*r), out);
}

grpc::Status GatekeeperService::GetPolicy(grpc::ServerContext* context,
                                          const v1::GetPolicyRequest* r, v1::Policy* out) {
  if (grpc::Status s = Admit(context, "GetPolicy", *r); !s.ok()) return s;
  return Reply(app_->GetPolicy(*r), out);
}

grpc::Status GatekeeperService::ShouldRetrain(grpc::ServerContext* context,
                                              const v1::ShouldRetrainRequest* r,
                                              v1::Decision* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ShouldRetrain", *r, &caller); !s.ok()) return s;
  const absl::StatusOr<app::RetrainRequest> request = RetrainRequestFromProto(*r);
  absl::StatusOr<v1::Decision> result =
      request.ok() ? app_->ShouldRetrain(*request, caller) : request.status();
  if (!result.ok()) {
    log::Warning("ShouldRetrain failed",
                 {{"model", r->model()},
                  {"code", absl::StatusCodeToString(result.status().code())},
                  {"error", std::string(result.status().message())}});
  }
  return Reply(std::move(result), out);
}

grpc::Status GatekeeperService::GetDecision(grpc::ServerContext* context,
                                            const v1::GetDecisionRequest* r, v1::Decision* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "GetDecision", &caller); !s.ok()) return s;
  absl::StatusOr<v1::Decision> decision = app_->GetDecision(*r);
  if (decision.ok()) {
    if (absl::Status scope = CheckScope(caller, decision->model()); !scope.ok()) {
      return ToGrpcStatus(scope);
    }
  }
  return Reply(std::move(decision), out);
}

grpc::Status GatekeeperService::ListDecisions(grpc::ServerContext* context,
                                              const v1::ListDecisionsRequest* r,
                                              v1::ListDecisionsResponse* out) {
  if (grpc::Status s = Admit(context, "ListDecisions", *r); !s.ok()) return s;
  return Reply(app_->ListDecisions(*r), out);
}

grpc::Status GatekeeperService::ReportOutcome(grpc::ServerContext* context,
                                              const v1::ReportOutcomeRequest* r, v1::Outcome* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ReportOutcome", &caller); !s.ok()) return s;
  if (!caller.models.all()) {
    // The decision's model decides whether a limited token may report on it.
    v1::GetDecisionRequest get;
    get.set_name(r->outcome().decision());
    absl::StatusOr<v1::Decision> decision = app_->GetDecision(get);
    if (decision.ok()) {
      if (absl::Status scope = CheckScope(caller, decision->model()); !scope.ok()) {
        return ToGrpcStatus(scope);
      }
    }
  }
  return Reply(app_->ReportOutcome(*r), out);
}

grpc::Status GatekeeperService::GetGovernanceReport(grpc::ServerContext* context,
                                                    const v1::GetGovernanceReportRequest* r,
                                                    v1::GovernanceReport* out) {
  if (grpc::Status s = Admit(context, "GetGovernanceReport", *r); !s.ok()) return s;
  return Reply(app_->GetGovernanceReport(*r), out);
}

grpc::Status GatekeeperService::VerifyAuditLog(grpc::ServerContext* context,
                                               const v1::VerifyAuditLogRequest* r,
                                               v1::AuditLogVerification* out) {
  if (grpc::Status s = Admit(context, "VerifyAuditLog"); !s.ok()) return s;
  return Reply(app_->VerifyAuditLog(*r), out);
}

grpc::Status GatekeeperService::ListEnergyTables(grpc::ServerContext* context,
                                                 const v1::ListEnergyTablesRequest*,
                                                 v1::EnergyTables* out) {
  if (grpc::Status s = Admit(context, "ListEnergyTables"); !s.ok()) return s;
  *out = mapping::EnergyTablesToProto(app_->tables());
  return grpc::Status::OK;
}

}  // namespace greengate::service
