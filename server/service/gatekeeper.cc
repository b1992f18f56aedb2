#include "server/service/gatekeeper.h"

#include <cmath>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/log.h"
#include "server/common/quote.h"
#include "server/common/status_macros.h"
#include "server/core/evaluate.h"
#include "server/core/profile/validate.h"
#include "server/mapping/decision_mapping.h"
#include "server/mapping/plan_mapping.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/profile_mapping.h"
#include "server/service/json.h"
#include "server/service/names.h"
#include "server/service/page_token.h"
#include "server/service/status_util.h"
#include "server/service/stored_profile.h"
#include "server/service/time_range.h"

namespace greengate::service {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr size_t kMaxShortText = 256;

google::protobuf::Timestamp ToTimestamp(int64_t ms) { return TimeUtil::MillisecondsToTimestamp(ms); }

absl::Status CheckText(absl::string_view value, absl::string_view field, bool required) {
  if (required && value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (value.size() > kMaxShortText) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value.size(), " bytes; at most ", kMaxShortText));
  }
  return absl::OkStatus();
}

// 128 random bits as hex: unguessable and unique without coordination.
std::string NewDecisionId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(*gen),
                         absl::Uniform<uint64_t>(*gen));
}

// A reference that was given without an evaluation set has no accuracy to compare with.
absl::Status ValidateReferenceAccuracy(const v1::Reference& r) {
  const bool given = r.accuracy() != 0 || r.evaluation_rows() != 0;
  if (!given) return absl::OkStatus();
  if (!std::isfinite(r.accuracy()) || r.accuracy() <= 0 || r.accuracy() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reference.accuracy: must be in (0, 1] (a fraction, e.g. 0.91), got ", r.accuracy()));
  }
  if (r.evaluation_rows() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("reference.evaluation_rows: must be >= 0, got ", r.evaluation_rows()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> VerdictFilter(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_UNSPECIFIED:
      return std::string();
    case v1::APPROVE:
    case v1::REJECT:
    case v1::DEFER:
      return v1::Verdict_Name(verdict);
    default:
      return absl::InvalidArgumentError(absl::StrCat("verdict: unknown value ", verdict));
  }
}

}  // namespace

Gatekeeper::Gatekeeper(store::Store* store, const Clock* clock, const energy::Tables* tables,
                       DecisionListener* listener, size_t watch_queue_capacity)
    : store_(store),
      clock_(clock),
      tables_(tables),
      listener_(listener),
      watch_hub_(watch_queue_capacity) {}

// --- gRPC edge: one status conversion per handler. ------------------------------------------

grpc::Status Gatekeeper::RegisterModel(grpc::ServerContext* context,
                                       const v1::RegisterModelRequest* r,
                                       v1::Model* out) {
  if (grpc::Status s = Admit(context, "RegisterModel", *r); !s.ok()) return s;
  return ToGrpcStatus(DoRegisterModel(*r, out));
}
grpc::Status Gatekeeper::GetModel(grpc::ServerContext* context, const v1::GetModelRequest* r,
                                  v1::Model* out) {
  if (grpc::Status s = Admit(context, "GetModel", *r); !s.ok()) return s;
  return ToGrpcStatus(DoGetModel(*r, out));
}
grpc::Status Gatekeeper::ListModels(grpc::ServerContext* context, const v1::ListModelsRequest*,
                                    v1::ListModelsResponse* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ListModels", &caller); !s.ok()) return s;
  return ToGrpcStatus(DoListModels(caller, out));
}
grpc::Status Gatekeeper::SetReference(grpc::ServerContext* context,
                                      const v1::SetReferenceRequest* r,
                                      v1::Reference* out) {
  if (grpc::Status s = Admit(context, "SetReference", *r); !s.ok()) return s;
  return ToGrpcStatus(DoSetReference(*r, out));
}
grpc::Status Gatekeeper::GetReference(grpc::ServerContext* context,
                                      const v1::GetReferenceRequest* r,
                                      v1::Reference* out) {
  if (grpc::Status s = Admit(context, "GetReference", *r); !s.ok()) return s;
  return ToGrpcStatus(DoGetReference(*r, out));
}
grpc::Status Gatekeeper::SetPolicy(grpc::ServerContext* context, const v1::SetPolicyRequest* r,
                                   v1::Policy* out) {
  if (grpc::Status s = Admit(context, "SetPolicy", *r); !s.ok()) return s;
  return ToGrpcStatus(DoSetPolicy(*r, out));
}
grpc::Status Gatekeeper::GetPolicy(grpc::ServerContext* context, const v1::GetPolicyRequest* r,
                                   v1::Policy* out) {
  if (grpc::Status s = Admit(context, "GetPolicy", *r); !s.ok()) return s;
  return ToGrpcStatus(DoGetPolicy(*r, out));
}
grpc::Status Gatekeeper::ShouldRetrain(grpc::ServerContext* context,
                                       const v1::ShouldRetrainRequest* r,
                                       v1::Decision* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "ShouldRetrain", *r, &caller); !s.ok()) return s;
  absl::Status status = DoShouldRetrain(*r, caller, out);
  if (!status.ok()) {
    log::Warning("ShouldRetrain failed", {{"model", r->model()},
                                          {"code", absl::StatusCodeToString(status.code())},
                                          {"error", std::string(status.message())}});
  }
  return ToGrpcStatus(status);
}
grpc::Status Gatekeeper::GetDecision(grpc::ServerContext* context, const v1::GetDecisionRequest* r,
                                     v1::Decision* out) {
  auth::Caller caller;
  if (grpc::Status s = Admit(context, "GetDecision", &caller); !s.ok()) return s;
  return ToGrpcStatus(DoGetDecision(*r, caller, out));
}
grpc::Status Gatekeeper::ListDecisions(grpc::ServerContext* context,
                                       const v1::ListDecisionsRequest* r,
                                       v1::ListDecisionsResponse* out) {
  if (grpc::Status s = Admit(context, "ListDecisions", *r); !s.ok()) return s;
  return ToGrpcStatus(DoListDecisions(*r, out));
}

// --- Models ---------------------------------------------------------------------------------

absl::StatusOr<v1::Model> Gatekeeper::ModelToProto(const store::ModelRow& row) {
  v1::Model m;
  m.set_name(ModelName(row.model_id));
  m.set_display_name(row.display_name);
  m.set_deployed_version(row.deployed_version);
  m.set_task(row.task);
  *m.mutable_create_time() = ToTimestamp(row.create_time_ms);
  *m.mutable_update_time() = ToTimestamp(row.update_time_ms);
  // The id only: the profile itself can be megabytes.
  absl::StatusOr<int64_t> ref = store_->GetLatestReferenceId(row.id);
  if (!ref.ok() && !absl::IsNotFound(ref.status())) return ref.status();
  m.set_has_reference(ref.ok());
  ASSIGN_OR_RETURN(std::optional<store::PolicyRow> policy, store_->GetLatestPolicy(row.id));
  m.set_policy_version(policy ? policy->version : 0);
  return m;
}

absl::Status Gatekeeper::DoRegisterModel(const v1::RegisterModelRequest& r, v1::Model* out) {
  RETURN_IF_ERROR(ValidateModelId(r.model_id(), "model_id"));
  // The name is output only; one that names another model is a client bug, not to be ignored.
  if (!r.model().name().empty() && r.model().name() != ModelName(r.model_id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.name: ", QuoteForMessage(r.model().name()), " does not match model_id ",
        QuoteForMessage(r.model_id()), "; leave it empty (it is output only)"));
  }
  RETURN_IF_ERROR(CheckText(r.model().deployed_version(), "model.deployed_version", true));
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
  log::Info("model registered", {{"model", ModelName(created.model_id)},
                                 {"version", created.deployed_version}});
  ASSIGN_OR_RETURN(*out, ModelToProto(created));
  return absl::OkStatus();
}

absl::Status Gatekeeper::DoGetModel(const v1::GetModelRequest& r, v1::Model* out) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.name(), "name"));
  ASSIGN_OR_RETURN(store::ModelRow row, store_->GetModel(id));
  ASSIGN_OR_RETURN(*out, ModelToProto(row));
  return absl::OkStatus();
}

absl::Status Gatekeeper::DoListModels(const auth::Caller& caller, v1::ListModelsResponse* out) {
  ASSIGN_OR_RETURN(std::vector<store::ModelRow> rows, store_->ListModels());
  for (const store::ModelRow& row : rows) {
    if (!caller.models.Allows(row.model_id)) continue;  // a limited token sees its models
    ASSIGN_OR_RETURN(*out->add_models(), ModelToProto(row));
  }
  return absl::OkStatus();
}

// --- References -----------------------------------------------------------------------------

absl::Status Gatekeeper::DoSetReference(const v1::SetReferenceRequest& r, v1::Reference* out) {
  const v1::Reference& ref = r.reference();
  ASSIGN_OR_RETURN(std::string id, ParseModelName(ref.model(), "reference.model"));
  if (!ref.has_profile()) return absl::InvalidArgumentError("reference.profile: required");
  ASSIGN_OR_RETURN(profile::DataProfile core,
                   mapping::ProfileFromProto(ref.profile(), "reference.profile"));
  RETURN_IF_ERROR(profile::ValidateReference(core, "reference.profile"));
  RETURN_IF_ERROR(ValidateReferenceAccuracy(ref));
  ASSIGN_OR_RETURN(std::optional<gain::Calibration> calibration, CheckReferenceScores(ref));
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  // The policy in force must still apply to the new reference (its per-feature tests).
  ASSIGN_OR_RETURN(const v1::Policy policy_proto, LatestPolicy(model));
  ASSIGN_OR_RETURN(const policy::Policy policy, mapping::PolicyFromProto(policy_proto));
  RETURN_IF_ERROR(policy::ValidatePolicyForReference(policy, core));

  store::ReferenceRow row;
  row.model_id = model.id;
  row.model_version = model.deployed_version;
  if (ref.accuracy() != 0) row.accuracy = ref.accuracy();
  row.evaluation_rows = ref.evaluation_rows();
  row.create_time_ms = absl::ToUnixMillis(clock_->Now());
  ASSIGN_OR_RETURN(store::ReferenceRow stored,
                   store_->PutReference(std::move(row), StoredProfileSource(ref.profile()),
                                        ReferenceScores(ref, calibration)));

  // The next decision uses this profile: keep the parsed form now rather than read it back
  // and parse it again.
  auto loaded = std::make_shared<LoadedReference>();
  loaded->row_id = stored.id;
  loaded->model_version = stored.model_version;
  loaded->create_time_ms = stored.create_time_ms;
  loaded->profile = std::move(core);
  loaded->accuracy = stored.accuracy;
  loaded->evaluation_rows = stored.evaluation_rows;
  if (calibration) {
    loaded->scores = {calibration->calibrated, calibration->detail,
                      {ref.scores().bin_edges().begin(), ref.scores().bin_edges().end()}};
  }
  // Without the samples the caller has just sent (proto comment of SetReference).
  *out = ReferenceToProto(model, *loaded, mapping::ProfileSamples::kWithout);
  KeepReference(model.id, std::move(loaded));
  if (ref.has_scores()) *out->mutable_scores() = ref.scores();
  if (calibration) {
    out->set_scores_calibrated(calibration->calibrated);
    out->set_calibration_detail(calibration->detail);
  }
  log::Info("reference set", {{"model", ref.model()},
                              {"features", ref.profile().features_size()},
                              {"rows", static_cast<long long>(ref.profile().rows())}});
  return absl::OkStatus();
}

absl::Status Gatekeeper::DoGetReference(const v1::GetReferenceRequest& r, v1::Reference* out) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
  mapping::ProfileSamples samples = mapping::ProfileSamples::kWith;
  switch (r.view()) {
    case v1::REFERENCE_VIEW_UNSPECIFIED:
    case v1::REFERENCE_VIEW_FULL:
      break;
    case v1::REFERENCE_VIEW_BASIC:
      samples = mapping::ProfileSamples::kWithout;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("view: unknown value ", r.view()));
  }
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  // The kept reference, as decisions use it: no read and parse of a stored profile per call.
  ASSIGN_OR_RETURN(std::shared_ptr<const LoadedReference> loaded, LoadReference(model));
  *out = ReferenceToProto(model, *loaded, samples);
  return FillReferenceScores(loaded->row_id, out);  // outcomes.cc
}

v1::Reference Gatekeeper::ReferenceToProto(const store::ModelRow& model,
                                           const LoadedReference& loaded,
                                           mapping::ProfileSamples samples) {
  v1::Reference out;
  out.set_model(ModelName(model.model_id));
  out.set_model_version(loaded.model_version);
  *out.mutable_profile() = mapping::ProfileToProto(loaded.profile, samples);
  out.set_accuracy(loaded.accuracy.value_or(0));
  out.set_evaluation_rows(loaded.evaluation_rows);
  *out.mutable_create_time() = ToTimestamp(loaded.create_time_ms);
  return out;
}

absl::StatusOr<std::shared_ptr<const Gatekeeper::LoadedReference>> Gatekeeper::LoadReference(
    const store::ModelRow& model) {
  {
    // This server is the database's only writer and SetReference keeps what it stores, so a
    // kept reference is the latest: no query per decision.
    absl::MutexLock lock(&mu_);
    auto it = references_.find(model.id);
    if (it != references_.end()) return it->second;
  }
  absl::StatusOr<store::ReferenceRow> row = store_->GetLatestReference(model.id);
  if (absl::IsNotFound(row.status())) {
    return absl::NotFoundError(absl::StrCat(
        ModelName(model.model_id), " has no reference profile; call SetReference first "
        "(greengate set-reference)"));
  }
  if (!row.ok()) return row.status();
  auto loaded = std::make_shared<LoadedReference>();
  {
    // At most two megabyte-sized forms at a time: the stored bytes and the message, then the
    // message and the core.
    v1::DataProfile proto;
    RETURN_IF_ERROR(ProfileFromStored(*row, &proto));
    std::string().swap(row->profile);
    ASSIGN_OR_RETURN(loaded->profile, mapping::ProfileFromProto(proto, "reference"));
  }
  // The read path applies the write path's validation. References stored before `rows` was
  // checked may hold 0 there: it is their largest feature count.
  if (loaded->profile.rows == 0) {
    for (const profile::FeatureProfile& f : loaded->profile.features) {
      loaded->profile.rows = std::max(loaded->profile.rows, f.count);
    }
  }
  if (absl::Status valid = profile::ValidateReference(loaded->profile, "reference");
      !valid.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the stored reference of ", ModelName(model.model_id), " is no longer valid (",
        valid.message(), "); store a new one with SetReference"));
  }
  loaded->row_id = row->id;
  loaded->model_version = row->model_version;
  loaded->create_time_ms = row->create_time_ms;
  loaded->accuracy = row->accuracy;
  loaded->evaluation_rows = row->evaluation_rows;
  ASSIGN_OR_RETURN(std::optional<store::ReferenceScoresRow> scores,
                   store_->GetReferenceScores(row->id));
  if (scores) {
    v1::NumericProfile stored_scores;
    RETURN_IF_ERROR(FromStoredJson(scores->scores, &stored_scores));
    loaded->scores = {scores->calibrated, scores->calibration_detail,
                      {stored_scores.bin_edges().begin(), stored_scores.bin_edges().end()}};
  }
  return KeepReference(model.id, std::move(loaded));
}

std::shared_ptr<const Gatekeeper::LoadedReference> Gatekeeper::KeepReference(
    int64_t model_id, std::shared_ptr<const LoadedReference> loaded) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<const LoadedReference>& kept = references_[model_id];
  // Concurrent SetReference calls may finish out of order: the newest row wins.
  if (kept == nullptr || kept->row_id < loaded->row_id) kept = std::move(loaded);
  return kept;
}

absl::StatusOr<store::ModelRow> Gatekeeper::ModelForDecision(const std::string& model_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = decision_models_.find(model_id);
    if (it != decision_models_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(store::ModelRow row, store_->GetModel(model_id));
  absl::MutexLock lock(&mu_);
  decision_models_.try_emplace(model_id, row);
  return row;
}

// --- Policies -------------------------------------------------------------------------------

absl::StatusOr<v1::Policy> Gatekeeper::LatestPolicy(const store::ModelRow& model) {
  {
    // Kept current by SetPolicy (this server is the only writer): no query per decision.
    absl::MutexLock lock(&mu_);
    auto it = policies_.find(model.id);
    if (it != policies_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<store::PolicyRow> row, store_->GetLatestPolicy(model.id));
  v1::Policy out;
  if (row) {
    RETURN_IF_ERROR(FromStoredJson(row->policy, &out));
    out.set_version(row->version);
    *out.mutable_create_time() = ToTimestamp(row->create_time_ms);
  } else {
    out = mapping::PolicyToProto(policy::Policy{});  // the defaults, version 0
  }
  out.set_model(ModelName(model.model_id));
  return KeepPolicy(model.id, std::move(out));
}

v1::Policy Gatekeeper::KeepPolicy(int64_t model_id, v1::Policy policy) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = policies_.try_emplace(model_id, policy);
  // Concurrent SetPolicy calls may finish out of order: the newest version wins.
  if (!inserted && it->second.version() < policy.version()) it->second = std::move(policy);
  return it->second;
}

absl::Status Gatekeeper::DoSetPolicy(const v1::SetPolicyRequest& r, v1::Policy* out) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.policy().model(), "policy.model"));
  ASSIGN_OR_RETURN(const policy::Policy core, mapping::PolicyFromProto(r.policy()));
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  // Checked against the model's reference when it has one (its per-feature tests).
  absl::StatusOr<std::shared_ptr<const LoadedReference>> reference = LoadReference(model);
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
  row.policy = ToStoredJson(filled);
  row.create_time_ms = absl::ToUnixMillis(clock_->Now());
  ASSIGN_OR_RETURN(store::PolicyRow stored, store_->PutPolicy(row));
  *out = filled;
  out->set_version(stored.version);
  *out->mutable_create_time() = ToTimestamp(stored.create_time_ms);
  KeepPolicy(model.id, *out);
  log::Info("policy set", {{"model", out->model()}, {"version", static_cast<long long>(stored.version)}});
  return absl::OkStatus();
}

absl::Status Gatekeeper::DoGetPolicy(const v1::GetPolicyRequest& r, v1::Policy* out) {
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  ASSIGN_OR_RETURN(*out, LatestPolicy(model));
  return absl::OkStatus();
}

// --- ShouldRetrain --------------------------------------------------------------------------

Gatekeeper::ModelState* Gatekeeper::StateOf(int64_t model_id) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<ModelState>& state = models_[model_id];
  if (!state) state = std::make_unique<ModelState>();
  return state.get();
}

absl::StatusOr<ApprovalSummary> Gatekeeper::SummarizeApprovals(std::optional<int64_t> model_id,
                                                               int64_t since_ms,
                                                               ApprovalLedger* ledger,
                                                               absl::Mutex* mu,
                                                               const int* in_flight) {
  if (!ledger->Covers(since_ms)) {
    // Reloaded only once every decision it counts is committed (or failed), so the log holds
    // exactly the approvals it should.
    mu->Await(absl::Condition(+[](const int* n) { return *n == 0; }, in_flight));
    ASSIGN_OR_RETURN(store::ApprovalHistory history, store_->ListApprovals(model_id, since_ms));
    ledger->Reset(since_ms, std::move(history));
  }
  return ledger->Summarize(since_ms);
}

absl::Status Gatekeeper::DoShouldRetrain(const v1::ShouldRetrainRequest& r,
                                         const auth::Caller& caller, v1::Decision* out) {
  // Validate everything that needs no state first, so bad input never touches the store.
  ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
  if (!r.has_current()) return absl::InvalidArgumentError("current: required (a DataProfile)");
  if (!r.has_plan() && r.plans_size() == 0) {
    return absl::InvalidArgumentError("plan: required (a TrainingPlan, or several in plans)");
  }
  if (r.idempotency_key().size() > 128) {
    return absl::InvalidArgumentError("idempotency_key: at most 128 bytes");
  }
  ASSIGN_OR_RETURN(profile::DataProfile current,
                   mapping::ProfileFromProto(r.current(), "current"));
  const energy::TrainingPlan plan = mapping::PlanFromProto(r.plan());
  const std::optional<gain::LabeledWindow> labeled = mapping::LabeledFromProto(r);

  ASSIGN_OR_RETURN(store::ModelRow model, ModelForDecision(id));
  ModelState* const state = StateOf(model.id);
  absl::ReleasableMutexLock model_lock(&state->mu);
  const std::string& key = r.idempotency_key();
  if (!key.empty()) {
    if (auto pending = state->pending_keys.find(key); pending != state->pending_keys.end()) {
      // The same request is on its way to the log: answer with its decision once it is there.
      const store::Store::DecisionTicket ticket = pending->second;
      model_lock.Release();
      ASSIGN_OR_RETURN(const store::DecisionRow previous, store_->AwaitDecision(ticket));
      return FromStoredJson(previous.payload, out);
    }
    ASSIGN_OR_RETURN(std::optional<store::DecisionRow> previous,
                     store_->FindDecisionByIdempotencyKey(model.id, key));
    if (previous) return FromStoredJson(previous->payload, out);
  }
  absl::StatusOr<std::shared_ptr<const LoadedReference>> loaded = LoadReference(model);
  // A decision needs a reference first: the model exists, the call came too early.
  if (absl::IsNotFound(loaded.status())) {
    return absl::FailedPreconditionError(loaded.status().message());
  }
  if (!loaded.ok()) return loaded.status();
  const std::shared_ptr<const LoadedReference> reference = *std::move(loaded);
  ASSIGN_OR_RETURN(v1::Policy policy_proto, LatestPolicy(model));
  ASSIGN_OR_RETURN(const policy::Policy policy, mapping::PolicyFromProto(policy_proto));

  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(const ApprovalSummary approvals,
                   SummarizeApprovals(model.id, absl::ToUnixMillis(now - policy.budget_window),
                                      &state->approvals, &state->mu, &state->in_flight));
  // With a fleet budget, every model's decision reads and spends one shared budget.
  std::optional<absl::ReleasableMutexLock> fleet_lock;
  if (fleet_.enabled()) fleet_lock.emplace(&fleet_mu_);
  EvaluationInput input;
  input.reference = &reference->profile;
  if (reference->accuracy) {
    input.reference_accuracy = gain::ReferenceAccuracy{*reference->accuracy,
                                                       reference->evaluation_rows};
  }
  input.current = &current;
  input.labeled = labeled;
  input.plan = &plan;
  input.policy = &policy;
  input.tables = tables_;
  if (approvals.last_approval_ms) {
    input.history.last_approval = absl::FromUnixMillis(*approvals.last_approval_ms);
  }
  if (approvals.oldest_approval_ms) {
    input.history.oldest_approval_in_window = absl::FromUnixMillis(*approvals.oldest_approval_ms);
  }
  input.history.approved_energy_kwh_in_window = approvals.approved_energy_kwh;
  input.history.approved_co2e_kg_in_window = approvals.approved_co2e_kg;
  if (fleet_.enabled()) {
    ASSIGN_OR_RETURN(const ApprovalSummary fleet,
                     SummarizeApprovals(std::nullopt, absl::ToUnixMillis(now - fleet_.window),
                                        &fleet_approvals_, &fleet_mu_, &fleet_in_flight_));
    input.fleet = fleet_;
    input.history.fleet_approved_energy_kwh_in_window = fleet.approved_energy_kwh;
    input.history.fleet_approved_co2e_kg_in_window = fleet.approved_co2e_kg;
    if (fleet.oldest_approval_ms) {
      input.history.fleet_oldest_approval_in_window = absl::FromUnixMillis(*fleet.oldest_approval_ms);
    }
  }
  input.now = now;
  RETURN_IF_ERROR(AddLearningInputs(r, model, *reference, state, &input));
  ASSIGN_OR_RETURN(Evaluation evaluation, Evaluate(input));

  v1::Decision decision;
  const std::string decision_id = NewDecisionId();
  decision.set_name(DecisionName(decision_id));
  decision.set_model(ModelName(model.model_id));
  decision.set_model_version(reference->model_version);
  decision.set_policy_version(policy_proto.version());
  decision.set_idempotency_key(r.idempotency_key());
  decision.set_caller(caller.name);
  if (caller.role) decision.set_caller_role(std::string(auth::RoleName(*caller.role)));
  decision.set_caller_certificate(caller.certificate_subject);
  const int64_t now_ms = absl::ToUnixMillis(now);
  *decision.mutable_create_time() = ToTimestamp(now_ms);
  mapping::EvaluationToDecision(evaluation, &decision);

  store::DecisionRow row;
  row.decision_id = decision_id;
  row.model_id = model.id;
  row.model_version = decision.model_version();
  row.policy_version = decision.policy_version();
  row.verdict = v1::Verdict_Name(decision.verdict());
  row.decided_by = decision.decided_by();
  row.energy_kwh = evaluation.cost.energy_kwh;
  row.co2e_kg = evaluation.cost.co2e_kg;
  row.expected_gain = evaluation.gain.expected;
  row.gain_lower_bound = evaluation.gain.lower_bound;
  row.dataset_drift = evaluation.drift.dataset_drift;
  row.idempotency_key = r.idempotency_key();
  row.create_time_ms = now_ms;
  row.payload = ToStoredJson(decision);
  const bool approved = decision.verdict() == v1::APPROVE;
  const store::ApprovalRow approval{now_ms, row.energy_kwh, row.co2e_kg};

  // Queued, the decision counts at once for the model's (and, with a fleet budget, every
  // model's) next decisions, which may then be decided while this commit is on its way and
  // share it; the log keeps the queue's order. Should the commit fail, the ledgers it was
  // added to are reloaded from the log (SummarizeApprovals) once nothing is in flight.
  const store::Store::DecisionTicket ticket = store_->EnqueueDecision(row);
  ++state->in_flight;
  if (approved) state->approvals.Add(approval);
  if (!key.empty()) state->pending_keys[key] = ticket;
  if (fleet_lock) {
    ++fleet_in_flight_;
    if (approved) fleet_approvals_.Add(approval);
    fleet_lock->Release();
  }
  model_lock.Release();
  absl::StatusOr<store::DecisionRow> committed = store_->AwaitDecision(ticket);
  // One lock at a time: a decision waiting in SummarizeApprovals holds its model's lock while
  // it waits for the fleet's decisions in flight.
  if (fleet_.enabled()) {
    absl::MutexLock lock(&fleet_mu_);
    --fleet_in_flight_;
    if (!committed.ok() && approved) fleet_approvals_.Invalidate();
  }
  {
    absl::MutexLock lock(&state->mu);
    --state->in_flight;
    if (!key.empty()) state->pending_keys.erase(key);
    if (!committed.ok() && approved) state->approvals.Invalidate();
  }
  if (!committed.ok()) return committed.status();
  const store::DecisionRow& stored = *committed;
  NotifyDecision(decision, stored.seq);  // committed; listeners only queue, never block

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
                         {"seq", static_cast<long long>(stored.seq)}});
  *out = std::move(decision);
  return absl::OkStatus();
}

// --- Decisions ------------------------------------------------------------------------------

absl::Status Gatekeeper::DoGetDecision(const v1::GetDecisionRequest& r,
                                       const auth::Caller& caller, v1::Decision* out) {
  ASSIGN_OR_RETURN(std::string id, ParseDecisionName(r.name(), "name"));
  ASSIGN_OR_RETURN(store::DecisionRow row, store_->GetDecision(id));
  RETURN_IF_ERROR(FromStoredJson(row.payload, out));
  RETURN_IF_ERROR(CheckScope(caller, out->model()));
  return AttachOutcome(row, out);  // outcomes.cc
}

absl::Status Gatekeeper::DoListDecisions(const v1::ListDecisionsRequest& r,
                                         v1::ListDecisionsResponse* out) {
  if (r.page_size() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be >= 0, got ", r.page_size()));
  }
  const int page_size =
      r.page_size() == 0 ? kDefaultPageSize : std::min(r.page_size(), kMaxPageSize);
  ASSIGN_OR_RETURN(std::string verdict, VerdictFilter(r.verdict()));
  store::DecisionFilter filter;
  RETURN_IF_ERROR(ApplyTimeRange(r, &filter));  // time_range.h
  const std::string filters = absl::StrCat(r.model(), "|", verdict, TimeRangeBinding(filter));
  if (!r.model().empty()) {
    ASSIGN_OR_RETURN(std::string id, ParseModelName(r.model(), "model"));
    ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
    filter.model_id = model.id;
  }
  if (!verdict.empty()) filter.verdict = verdict;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(filter.before_seq, DecodePageToken(r.page_token(), filters));
  }
  filter.limit = page_size + 1;  // one extra row tells whether another page exists
  ASSIGN_OR_RETURN(std::vector<store::DecisionRow> rows, store_->ListDecisions(filter));
  const bool more = static_cast<int>(rows.size()) > page_size;
  if (more) rows.resize(page_size);
  for (const store::DecisionRow& row : rows) {
    RETURN_IF_ERROR(FromStoredJson(row.payload, out->add_decisions()));
  }
  if (more) out->set_next_page_token(EncodePageToken(rows.back().seq, filters));
  return absl::OkStatus();
}

}  // namespace greengate::service
