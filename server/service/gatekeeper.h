#pragma once

// The RetrainGatekeeper gRPC service. Each handler: validate -> load -> core -> store, with
// absl::Status converted once at the edge. Decisions for one model are serialised, so
// cooldowns, budgets and idempotency keys hold under concurrent calls. Thread-safe.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "server/common/clock.h"
#include "server/core/energy/tables.h"
#include "server/core/profile/profile.h"
#include "server/store/store.h"

namespace greengate::service {

class Gatekeeper final : public v1::RetrainGatekeeper::Service {
 public:
  // `store`, `clock` and `tables` must outlive the service.
  Gatekeeper(store::Store* store, const Clock* clock, const energy::Tables* tables);

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

 private:
  // A parsed reference, cached per model: parsing a large profile on every call is waste.
  struct LoadedReference {
    int64_t row_id = 0;
    std::string model_version;
    profile::DataProfile profile;
    std::optional<double> accuracy;
    int64_t evaluation_rows = 0;
  };

  absl::Status DoRegisterModel(const v1::RegisterModelRequest& request, v1::Model* response);
  absl::Status DoGetModel(const v1::GetModelRequest& request, v1::Model* response);
  absl::Status DoListModels(v1::ListModelsResponse* response);
  absl::Status DoSetReference(const v1::SetReferenceRequest& request, v1::Reference* response);
  absl::Status DoGetReference(const v1::GetReferenceRequest& request, v1::Reference* response);
  absl::Status DoSetPolicy(const v1::SetPolicyRequest& request, v1::Policy* response);
  absl::Status DoGetPolicy(const v1::GetPolicyRequest& request, v1::Policy* response);
  absl::Status DoShouldRetrain(const v1::ShouldRetrainRequest& request, v1::Decision* response);
  absl::Status DoGetDecision(const v1::GetDecisionRequest& request, v1::Decision* response);
  absl::Status DoListDecisions(const v1::ListDecisionsRequest& request,
                               v1::ListDecisionsResponse* response);

  absl::StatusOr<v1::Model> ModelToProto(const store::ModelRow& row);
  // The model's latest policy, or the defaults (version 0) when none was set.
  absl::StatusOr<v1::Policy> LatestPolicy(const store::ModelRow& model);
  absl::StatusOr<std::shared_ptr<const LoadedReference>> LoadReference(
      const store::ModelRow& model);
  absl::Mutex* ModelLock(int64_t model_id);

  store::Store* const store_;
  const Clock* const clock_;
  const energy::Tables* const tables_;

  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, std::unique_ptr<absl::Mutex>> model_locks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, std::shared_ptr<const LoadedReference>> references_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace greengate::service
