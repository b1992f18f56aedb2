// The gRPC side of authentication: reads the `authorization` metadata and the mTLS peer from
// the ServerContext, asks server/auth, and logs refused calls.

#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "server/app/names.h"
#include "server/common/log.h"
#include "server/service/gatekeeper_service.h"
#include "server/service/status_util.h"

namespace greengate::service {
namespace {

// The subject of a verified client certificate ("CN=ci,O=example"), or "" without mTLS.
std::string CertificateSubject(const grpc::ServerContext& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  for (const grpc::string_ref& value : auth->FindPropertyValues(GRPC_X509_SUBJECT_PROPERTY_NAME)) {
    return std::string(value.data(), value.size());
  }
  for (const grpc::string_ref& value : auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
    return absl::StrCat("CN=", absl::string_view(value.data(), value.size()));
  }
  return "";
}

absl::StatusOr<auth::Caller> Identify(const grpc::ServerContext& context,
                                      const auth::Authenticator* authenticator,
                                      absl::string_view method) {
  auth::Caller caller;
  if (authenticator != nullptr) {
    const auto range = context.client_metadata().equal_range("authorization");
    std::optional<absl::string_view> authorization;
    int values = 0;
    for (auto it = range.first; it != range.second; ++it, ++values) {
      authorization = absl::string_view(it->second.data(), it->second.size());
    }
    if (values > 1) {
      return absl::UnauthenticatedError("more than one authorization metadata value");
    }
    absl::StatusOr<auth::Caller> found = authenticator->Authenticate(authorization);
    if (!found.ok()) return found.status();
    caller = std::move(*found);
    if (absl::Status allowed = auth::Authenticator::Authorize(caller, method); !allowed.ok()) {
      return allowed;
    }
  }
  caller.certificate_subject = CertificateSubject(context);
  return caller;
}

// The model name a request is about ("models/x"); "" for a request that may cover several
// (a list or watch without a filter); nullopt for one that names no model.
std::optional<std::string> RequestModel(const google::protobuf::Message& request) {
  if (auto* r = dynamic_cast<const v1::RegisterModelRequest*>(&request)) {
    return absl::StrCat("models/", r->model_id());
  }
  if (auto* r = dynamic_cast<const v1::GetModelRequest*>(&request)) return r->name();
  if (auto* r = dynamic_cast<const v1::SetReferenceRequest*>(&request)) {
    return r->reference().model();
  }
  if (auto* r = dynamic_cast<const v1::GetReferenceRequest*>(&request)) return r->model();
  if (auto* r = dynamic_cast<const v1::SetPolicyRequest*>(&request)) return r->policy().model();
  if (auto* r = dynamic_cast<const v1::GetPolicyRequest*>(&request)) return r->model();
  if (auto* r = dynamic_cast<const v1::ShouldRetrainRequest*>(&request)) return r->model();
  if (auto* r = dynamic_cast<const v1::ListDecisionsRequest*>(&request)) return r->model();
  if (auto* r = dynamic_cast<const v1::WatchDecisionsRequest*>(&request)) return r->model();
  if (auto* r = dynamic_cast<const v1::GetGovernanceReportRequest*>(&request)) {
    return r->model();
  }
  return std::nullopt;
}

}  // namespace

absl::Status GatekeeperService::CheckScope(const auth::Caller& caller,
                                           absl::string_view model_name) {
  absl::StatusOr<std::string> id = app::ParseModelName(model_name, "model");
  if (!id.ok()) return absl::OkStatus();  // the handler names the bad field
  return auth::Authenticator::AuthorizeModel(caller, *id);
}

grpc::Status GatekeeperService::Admit(const grpc::ServerContext* context, absl::string_view method,
                                      const google::protobuf::Message& request,
                                      auth::Caller* caller) const {
  auth::Caller admitted;
  if (grpc::Status s = Admit(context, method, &admitted); !s.ok()) return s;
  const std::optional<std::string> model = RequestModel(request);
  absl::Status scope = absl::OkStatus();
  if (model && model->empty() && !admitted.models.all()) {
    scope = absl::PermissionDeniedError(absl::StrCat(
        "caller '", admitted.name, "' is limited to models ", admitted.models.Describe(), "; ",
        method, " needs a `model` filter among them"));
  } else if (model) {
    scope = CheckScope(admitted, *model);
  }
  if (!scope.ok()) {
    log::Warning("call refused", {{"method", std::string(method)},
                                  {"peer", context->peer()},
                                  {"code", absl::StatusCodeToString(scope.code())},
                                  {"error", std::string(scope.message())}});
    return ToGrpcStatus(scope);
  }
  if (caller != nullptr) *caller = std::move(admitted);
  return grpc::Status::OK;
}

grpc::Status GatekeeperService::Admit(const grpc::ServerContext* context, absl::string_view method,
                                      auth::Caller* caller) const {
  absl::StatusOr<auth::Caller> identified = Identify(*context, authenticator_, method);
  if (!identified.ok()) {
    log::Warning("call refused", {{"method", std::string(method)},
                                  {"peer", context->peer()},
                                  {"code", absl::StatusCodeToString(identified.status().code())},
                                  {"error", std::string(identified.status().message())}});
    return ToGrpcStatus(identified.status());
  }
  if (caller != nullptr) *caller = std::move(*identified);
  return grpc::Status::OK;
}

}  // namespace greengate::service
