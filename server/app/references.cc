// Gatekeeper: SetReference and GetReference, with the reference's confidence scores (their
// calibration checked when they are set).

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/gatekeeper.h"
#include "server/app/names.h"
#include "server/app/request_checks.h"
#include "server/app/stored_profile.h"
#include "server/app/versions.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/core/profile/validate.h"
#include "server/mapping/outcome_mapping.h"
#include "server/mapping/policy_mapping.h"
#include "server/mapping/profile_mapping.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

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

// The row storing the reference's scores and their calibration (nullopt without scores).
std::optional<store::ReferenceScoresRow> ReferenceScores(
    const v1::Reference& ref, const std::optional<gain::Calibration>& calibration) {
  if (!calibration) return std::nullopt;
  store::ReferenceScoresRow row;
  row.scores = mapping::ToStoredJson(ref.scores());
  row.calibrated = calibration->calibrated;
  row.calibration_detail = calibration->detail;
  return row;
}

// `loaded` as SetReference and GetReference return it, scores aside.
v1::Reference ReferenceToProto(const store::ModelRow& model, const LoadedReference& loaded,
                               mapping::ProfileSamples samples) {
  v1::Reference out;
  out.set_model(ModelName(model.model_id));
  out.set_model_version(loaded.model_version);
  *out.mutable_profile() = mapping::ProfileToProto(loaded.profile, samples);
  out.set_accuracy(loaded.accuracy.value_or(0));
  out.set_evaluation_rows(loaded.evaluation_rows);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(loaded.create_time_ms);
  return out;
}

}  // namespace

absl::StatusOr<v1::Reference> Gatekeeper::SetReference(const v1::SetReferenceRequest& r) {
  const v1::Reference& ref = r.reference();
  ASSIGN_OR_RETURN(std::string id, ParseModelName(ref.model(), "reference.model"));
  if (!ref.has_profile()) return absl::InvalidArgumentError("reference.profile: required");
  ASSIGN_OR_RETURN(profile::DataProfile core,
                   mapping::ProfileFromProto(ref.profile(), "reference.profile"));
  RETURN_IF_ERROR(profile::ValidateReference(core, "reference.profile"));
  RETURN_IF_ERROR(ValidateReferenceAccuracy(ref));
  ASSIGN_OR_RETURN(std::optional<gain::Calibration> calibration, CheckReferenceScores(ref));
  RETURN_IF_ERROR(
      ValidateModelVersion(ref.model_version(), "reference.model_version", /*required=*/false));
  if (!ref.approved_by().empty() && ref.model_version().empty()) {
    return absl::InvalidArgumentError(
        "reference.approved_by: only with reference.model_version (the version it produced)");
  }
  ASSIGN_OR_RETURN(store::ModelRow model, store_->GetModel(id));
  // The policy in force must still apply to the new reference (its per-feature tests). Held
  // on the model's lock from reading it to keeping the new reference, so that a concurrent
  // SetPolicy checks its policy against this reference, never against the one it replaces.
  absl::MutexLock model_lock(&cache_.StateOf(model.id)->mu);
  ASSIGN_OR_RETURN(const v1::Policy policy_proto, cache_.LatestPolicy(model));
  ASSIGN_OR_RETURN(const policy::Policy policy, mapping::PolicyFromProto(policy_proto));
  RETURN_IF_ERROR(policy::ValidatePolicyForReference(policy, core));

  // A new version lands here: the store makes it the deployed one in the same transaction.
  store::ReferenceRow row;
  row.model_id = model.id;
  row.model_version = ref.model_version().empty() ? model.deployed_version : ref.model_version();
  if (!ref.approved_by().empty()) {
    ASSIGN_OR_RETURN(row.approved_by_seq, ApprovalSeq(*store_, model.id, ref.approved_by()));
  }
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
    loaded->scores = {calibration->calibrated,
                      calibration->detail,
                      {ref.scores().bin_edges().begin(), ref.scores().bin_edges().end()}};
  }
  // Without the samples the caller has just sent (proto comment of SetReference).
  v1::Reference out = ReferenceToProto(model, *loaded, mapping::ProfileSamples::kWithout);
  cache_.KeepReference(model.id, std::move(loaded));
  if (ref.has_scores()) *out.mutable_scores() = ref.scores();
  if (calibration) {
    out.set_scores_calibrated(calibration->calibrated);
    out.set_calibration_detail(calibration->detail);
  }
  log::Info("reference set", {{"model", ref.model()},
                              {"features", ref.profile().features_size()},
                              {"rows", static_cast<long long>(ref.profile().rows())}});
  return out;
}

absl::StatusOr<v1::Reference> Gatekeeper::GetReference(const v1::GetReferenceRequest& r) {
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
  ASSIGN_OR_RETURN(std::shared_ptr<const LoadedReference> loaded, cache_.Reference(model));
  v1::Reference out = ReferenceToProto(model, *loaded, samples);
  RETURN_IF_ERROR(FillReferenceScores(loaded->row_id, &out));
  return out;
}

absl::StatusOr<std::optional<gain::Calibration>> Gatekeeper::CheckReferenceScores(
    const v1::Reference& ref) {
  if (!ref.has_scores()) return std::optional<gain::Calibration>();
  if (ref.accuracy() == 0) {
    return absl::InvalidArgumentError(
        "reference.scores: needs reference.accuracy (the calibration of the scores is checked "
        "against it)");
  }
  ASSIGN_OR_RETURN(const gain::ScoreSummary scores,
                   mapping::ScoresFromProto(ref.scores(), "reference.scores"));
  ASSIGN_OR_RETURN(
      gain::Calibration calibration,
      gain::CheckCalibration(scores, ref.accuracy(), ref.evaluation_rows(), "reference.scores"));
  return std::optional<gain::Calibration>(std::move(calibration));
}

absl::Status Gatekeeper::FillReferenceScores(int64_t reference_id, v1::Reference* out) {
  ASSIGN_OR_RETURN(std::optional<store::ReferenceScoresRow> row,
                   store_->GetReferenceScores(reference_id));
  if (!row) return absl::OkStatus();
  RETURN_IF_ERROR(mapping::FromStoredJson(row->scores, out->mutable_scores()));
  out->set_scores_calibrated(row->calibrated);
  out->set_calibration_detail(row->calibration_detail);
  return absl::OkStatus();
}

}  // namespace greengate::app
