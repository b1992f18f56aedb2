#include "server/service/gatekeeper_service.h"

#include <utility>

#include "server/common/log.h"
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
  if (grpc::Status s = Admit(context, "RegisterModel"); !s.ok()) return s;
  return Reply(app_->RegisterModel(*r), out);
}

grpc::Status GatekeeperService::GetModel(grpc::ServerContext* context,
                                         const v1::GetModelRequest* r, v1::Model* out) {
  if (grpc::Status s = Admit(context, "GetModel"); !s.ok()) return s;
  return Reply(app_->GetModel(*r), out);
}

grpc::Status GatekeeperService::ListModels(grpc::ServerContext* context,
                                           const v1::ListModelsRequest*,
                                           v1::ListModelsResponse* out) {
  if (grpc::Status s = Admit(context, "ListModels"); !s.ok()) return s;
  return Reply(app_->ListModels(), out);
}

grpc::Status GatekeeperService::SetReference(grpc::ServerContext* context,
                                             const v1::SetReferenceRequest* r,
                                             v1::Reference* out) {
  if (grpc::Status s = Admit(context, "SetReference"); !s.ok()) return s;
  return Reply(app_->SetReference(*r), out);
}

grpc::Status GatekeeperService::GetReference(grpc::ServerContext* context,
                                             const v1::GetReferenceRequest* r,
                                             v1::Reference* out) {
  if (grpc::Status s = Admit(context, "GetReference"); !s.ok()) return s;
  return Reply(app_->GetReference(*r), out);
}

grpc::Status GatekeeperService::SetPolicy(grpc::ServerContext* context,
                                          const v1::SetPolicyRequest* r, v1::Policy* out) {
  if (grpc::Status s = Admit(context, "SetPolicy"); !s.ok()) return s;
  return Reply(app_->SetPolicy(*r), out);
}

grpc::Status GatekeeperService::GetPolicy(grpc::ServerContext* context,
                                          const v1::GetPolicyRequest* r, v1::Policy* out) {
  if (grpc::Status s = Admit(context, "GetPolicy"); !s.ok()) return s;
  return Reply(app_->GetPolicy(*r), out);
}

grpc::Status GatekeeperService::ShouldRetrain(grpc::ServerContext* context,
                                              const v1::ShouldRetrainRequest* r,
                                              v1::Decision* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ShouldRetrain", &caller); !s.ok()) return s;
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
  if (grpc::Status s = Admit(context, "GetDecision"); !s.ok()) return s;
  return Reply(app_->GetDecision(*r), out);
}

grpc::Status GatekeeperService::ListDecisions(grpc::ServerContext* context,
                                              const v1::ListDecisionsRequest* r,
                                              v1::ListDecisionsResponse* out) {
  if (grpc::Status s = Admit(context, "ListDecisions"); !s.ok()) return s;
  return Reply(app_->ListDecisions(*r), out);
}

grpc::Status GatekeeperService::ReportOutcome(grpc::ServerContext* context,
                                              const v1::ReportOutcomeRequest* r,
                                              v1::Outcome* out) {
  if (grpc::Status s = Admit(context, "ReportOutcome"); !s.ok()) return s;
  return Reply(app_->ReportOutcome(*r), out);
}

grpc::Status GatekeeperService::GetGovernanceReport(grpc::ServerContext* context,
                                                    const v1::GetGovernanceReportRequest* r,
                                                    v1::GovernanceReport* out) {
  if (grpc::Status s = Admit(context, "GetGovernanceReport"); !s.ok()) return s;
  return Reply(app_->GetGovernanceReport(*r), out);
}

grpc::Status GatekeeperService::VerifyAuditLog(grpc::ServerContext* context,
                                               const v1::VerifyAuditLogRequest* r,
                                               v1::AuditLogVerification* out) {
  if (grpc::Status s = Admit(context, "VerifyAuditLog"); !s.ok()) return s;
  return Reply(app_->VerifyAuditLog(*r), out);
}

}  // namespace greengate::service
