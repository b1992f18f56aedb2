// Gatekeeper: RegisterModel, GetModel, ListModels.

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/app/request_checks.h"
#include "server/common/log.h"
#include "server/common/quote.h"
#include "server/common/status_macros.h"

namespace greengate::app {

using google::protobuf::util::TimeUtil;

Gatekeeper::Gatekeeper(store::Store* store, const Clock* clock, const energy::Tables* tables,
                       events::DecisionListener* listener, const policy::FleetBudget& fleet)
    : store_(store),
      clock_(clock),
      tables_(tables),
      listener_(listener),
      fleet_(fleet),
      cache_(store) {}

absl::StatusOr<v1::Model> Gatekeeper::ModelToProto(const store::ModelRow& row) {
  v1::Model m;
  m.set_name(ModelName(row.model_id));
  m.set_display_name(row.display_name);
  m.set_deployed_version(row.deployed_version);
  m.set_task(row.task);
  *m.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.create_time_ms);
  *m.mutable_update_time() = TimeUtil::MillisecondsToTimestamp(row.update_time_ms);
  // The id only: the profile itself can be megabytes.
  absl::StatusOr<int64_t> ref = store_->GetLatestReferenceId(row.id);
  if (!ref.ok() && !absl::IsNotFound(ref.status())) return ref.status();
  m.set_has_reference(ref.ok());
  ASSIGN_OR_RETURN(std::optional<store::PolicyRow> policy, store_->GetLatestPolicy(row.id));
  m.set_policy_version(policy ? policy->version : 0);
  return m;
}

absl::StatusOr<v1::Model> Gatekeeper::RegisterModel(const v1::RegisterModelRequest& r) {
  RETURN_IF_ERROR(ValidateModelId(r.model_id(), "model_id"));
  // The name is output only; one that names another model is a client bug, not to be ignored.
  if (!r.model().name().empty() && r.model().name() != ModelName(r.model_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("model.name: ", QuoteForMessage(r.model().name()), " does not match model_id ",
                     QuoteForMessage(r.model_id()), "; leave it empty (it is output only)"));
  }
  RETURN_IF_ERROR(ValidateModelVersion(r.model().deployed_version(), "model.deployed_version",
                                       /*required=*/true));
  RETURN_IF_ERROR(CheckText(r.model().display_name(), "model.display_name", false));
  RETURN_IF_ERROR(CheckText(r.model().task(), "model.task", false));
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  store::ModelRow row;
  row.model_id = r.model_id();
  row.display_name = r.model().display_name();
  row.deployed_version = r.model().deployed_version();
  row.task = r.model().task();
  row.create_time_ms = now_ms;
  row.update_time_ms = now_ms;
  ASSIGN_OR_RETURN(store::ModelRow created, store_->CreateModel(row));
  log::Info("model registered",
            {{"model", ModelName(created.model_id)}, {"version", created.deployed_version}});
  return ModelToProto(created);
}

absl::StatusOr<v1::Model> Gatekeeper::GetModel(const v1::GetModelRequest& r) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.name(), "name"));
  ASSIGN_OR_RETURN(store::ModelRow row, store_->GetModel(id));
  return ModelToProto(row);
}

absl::StatusOr<v1::ListModelsResponse> Gatekeeper::ListModels() {
  v1::ListModelsResponse out;
  ASSIGN_OR_RETURN(std::vector<store::ModelRow> rows, store_->ListModels());
  for (const store::ModelRow& row : rows) {
    ASSIGN_OR_RETURN(*out.add_models(), ModelToProto(row));
  }
  return out;
}

absl::StatusOr<std::string> Gatekeeper::FindModelName(absl::string_view name,
                                                      absl::string_view field) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(name, field));
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  return ModelName(model.model_id);
}

}  // namespace greengate::app
