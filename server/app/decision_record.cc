#include "server/app/decision_record.h"

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/time_util.h"
#include "server/app/names.h"
#include "server/mapping/decision_mapping.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {

std::string NewDecisionId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(*gen),
                         absl::Uniform<uint64_t>(*gen));
}

std::optional<store::ApprovalRow> DecisionRecord::approval() const {
  if (!approved()) return std::nullopt;
  return store::ApprovalRow{row.create_time_ms, row.energy_kwh, row.co2e_kg};
}

DecisionRecord MakeDecisionRecord(const DecisionFacts& facts, const Evaluation& evaluation) {
  DecisionRecord record;
  v1::Decision& decision = record.decision;
  decision.set_name(DecisionName(facts.decision_id));
  decision.set_model(ModelName(facts.model_id));
  decision.set_model_version(facts.model_version);
  decision.set_policy_version(facts.policy_version);
  decision.set_idempotency_key(facts.idempotency_key);
  decision.set_caller(facts.caller.name);
  if (facts.caller.role) {
    decision.set_caller_role(std::string(auth::RoleName(*facts.caller.role)));
  }
  decision.set_caller_certificate(facts.caller.certificate_subject);
  const int64_t now_ms = absl::ToUnixMillis(facts.now);
  *decision.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(now_ms);
  mapping::EvaluationToDecision(evaluation, &decision);
  if (evaluation.gain.method == "challenger") {
    decision.mutable_gain()->set_challenger_energy_kwh(facts.challenger_energy_kwh);
    decision.mutable_gain()->set_challenger_description(facts.challenger_description);
  }

  store::DecisionRow& row = record.row;
  row.decision_id = facts.decision_id;
  row.model_id = facts.model_row_id;
  row.model_version = decision.model_version();
  row.policy_version = decision.policy_version();
  row.verdict = v1::Verdict_Name(decision.verdict());
  row.decided_by = decision.decided_by();
  row.energy_kwh = evaluation.cost.energy_kwh;
  row.co2e_kg = evaluation.cost.co2e_kg;
  row.expected_gain = evaluation.gain.expected;
  row.gain_lower_bound = evaluation.gain.lower_bound;
  row.dataset_drift = evaluation.drift.dataset_drift;
  row.idempotency_key = facts.idempotency_key;
  row.create_time_ms = now_ms;
  row.payload = mapping::ToStoredJson(decision);
  return record;
}

}  // namespace greengate::app
