// Gatekeeper: SetPolicy and GetPolicy. Policies are versioned; every decision records the
// version it used.

#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {

absl::StatusOr<v1::Policy> Gatekeeper::SetPolicy(const v1::SetPolicyRequest& r) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.policy().model(), "policy.model"));
  ASSIGN_OR_RETURN(const policy::Policy core, mapping::PolicyFromProto(r.policy()));
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  // Checked against the model's reference when it has one (its per-feature tests), so the
  // policy cannot make its decisions fail. Held on the model's lock from reading the reference
  // to keeping the new policy, so that a concurrent SetReference checks its reference against
  // this policy, never against the one it replaces.
  absl::MutexLock model_lock(&cache_.StateOf(model.id)->mu);
  absl::StatusOr<std::shared_ptr<const LoadedReference>> reference = cache_.Reference(model);
  if (reference.ok()) {
    RETURN_IF_ERROR(policy::ValidatePolicyForReference(core, (*reference)->profile));
  } else if (!absl::IsNotFound(reference.status())) {
    return reference.status();
  }
  v1::Policy filled = mapping::PolicyToProto(core);
  filled.set_model(ModelName(model.model_id));
  filled.clear_version();
  store::PolicyRow row;
  row.model_id = model.id;
  row.policy = mapping::ToStoredJson(filled);
  row.create_time_ms = absl::ToUnixMillis(clock_->Now());
  ASSIGN_OR_RETURN(store::PolicyRow stored, store_->PutPolicy(row));
  v1::Policy out = std::move(filled);
  out.set_version(stored.version);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(stored.create_time_ms);
  cache_.KeepPolicy(model.id, out);
  log::Info("policy set",
            {{"model", out.model()}, {"version", static_cast<long long>(stored.version)}});
  return out;
}

absl::StatusOr<v1::Policy> Gatekeeper::GetPolicy(const v1::GetPolicyRequest& r) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  return cache_.LatestPolicy(model);
}

}  // namespace greengate::app
