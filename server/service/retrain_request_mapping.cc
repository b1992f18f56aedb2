#include "server/service/retrain_request_mapping.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/app/names.h"
#include "server/common/status_macros.h"
#include "server/mapping/outcome_mapping.h"
#include "server/mapping/plan_mapping.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::service {
namespace {

constexpr size_t kMaxIdempotencyKey = 128;
constexpr size_t kMaxChallengerDescription = 256;
// Beyond this a proxy's energy is a unit mistake (Wh for kWh), not a cheap run.
constexpr double kMaxChallengerEnergyKwh = 1e9;

}  // namespace

absl::StatusOr<app::RetrainRequest> RetrainRequestFromProto(const v1::ShouldRetrainRequest& r) {
  app::RetrainRequest out;
  ASSIGN_OR_RETURN(out.model_id, app::ParseModelName(r.model(), "model"));
  if (!r.has_current()) return absl::InvalidArgumentError("current: required (a DataProfile)");
  if (!r.has_plan() && r.plans_size() == 0) {
    return absl::InvalidArgumentError("plan: required (a TrainingPlan, or several in plans)");
  }
  if (r.idempotency_key().size() > kMaxIdempotencyKey) {
    return absl::InvalidArgumentError("idempotency_key: at most 128 bytes");
  }
  ASSIGN_OR_RETURN(out.current, mapping::ProfileFromProto(r.current(), "current"));
  out.plan = mapping::PlanFromProto(r.plan());
  out.plan_sent = r.has_plan();
  if (r.plans_size() > 0) {
    // `plan`, when also set, is the first alternative.
    if (r.has_plan()) out.alternatives.push_back(out.plan);
    for (const v1::TrainingPlan& p : r.plans()) {
      out.alternatives.push_back(mapping::PlanFromProto(p));
    }
  }
  out.labeled = mapping::LabeledFromProto(r);
  if (r.has_scores()) {
    ASSIGN_OR_RETURN(out.scores, mapping::ScoresFromProto(r.scores(), "scores"));
    out.scores_bin_edges.assign(r.scores().bin_edges().begin(), r.scores().bin_edges().end());
  }
  out.forecast = mapping::ForecastFromProto(r);
  out.idempotency_key = r.idempotency_key();
  out.challenger = mapping::ChallengerFromProto(r);  // counts validated by the core
  if (r.has_challenger()) {
    const double kwh = r.challenger().energy_kwh();
    if (!(kwh >= 0 && kwh <= kMaxChallengerEnergyKwh)) {  // also rejects NaN
      return absl::InvalidArgumentError(absl::StrCat("challenger.energy_kwh: must be in [0, ",
                                                     kMaxChallengerEnergyKwh, "], got ", kwh));
    }
    if (r.challenger().description().size() > kMaxChallengerDescription) {
      return absl::InvalidArgumentError(
          absl::StrCat("challenger.description: at most ", kMaxChallengerDescription, " bytes"));
    }
    out.challenger_energy_kwh = kwh;
    out.challenger_description = r.challenger().description();
  }
  return out;
}

}  // namespace greengate::service
