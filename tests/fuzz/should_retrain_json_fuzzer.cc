// libFuzzer target: untrusted bytes as JSON -> the CLI's JSON reader (client/json_io.h) into
// a v1::ShouldRetrainRequest -> the request mapping -> the core evaluation (drift, gain,
// cost, policy) against a fixed reference, the demo's (deploy/demo/data/reference.csv, with
// a joint sample so the multivariate test runs too). Invariants: an evaluation that succeeds
// maps to a Decision that prints as JSON and parses back.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/csv_profiler.h"
#include "client/json_io.h"
#include "greengate/v1/greengate.pb.h"
#include "server/core/energy/tables.h"
#include "server/core/evaluate.h"
#include "server/core/policy/policy.h"
#include "server/mapping/decision_mapping.h"
#include "server/mapping/outcome_mapping.h"
#include "server/mapping/plan_mapping.h"
#include "server/mapping/profile_mapping.h"
#include "tests/fuzz/fuzz_check.h"

namespace greengate::fuzz {
namespace {

// The seed corpus's current profiles were made on this reference: `greengate profile
// --sample-size 100 --joint-sample 50` of the demo reference, then `profile --model`.
constexpr int64_t kSampleSize = 100;
constexpr int64_t kJointSampleRows = 50;

const profile::DataProfile& Reference() {
  static const profile::DataProfile* const reference = [] {
    client::CsvProfileOptions options;
    options.sample_size = kSampleSize;
    options.joint_sample_size = kJointSampleRows;
    absl::StatusOr<client::CsvProfile> csv = client::ProfileReferenceCsv(
        std::string(GG_SOURCE_DIR) + "/deploy/demo/data/reference.csv", options);
    CheckOk(csv.status(), "profiling the demo reference");
    return new profile::DataProfile(std::move(csv->profile));
  }();
  return *reference;
}

}  // namespace

int OneInput(const uint8_t* data, size_t size) {
  v1::ShouldRetrainRequest request;
  const std::string json(reinterpret_cast<const char*>(data), size);
  if (!client::ParseJson(json, "request", &request).ok()) return 0;

  // What service::RetrainRequestFromProto and app::BuildEvaluationInput do with a request,
  // without the store and without their name and presence checks (so the fuzzer reaches the
  // core with every input that parses).
  absl::StatusOr<profile::DataProfile> current =
      mapping::ProfileFromProto(request.current(), "current");
  if (!current.ok()) return 0;
  const energy::TrainingPlan plan = mapping::PlanFromProto(request.plan());
  const policy::Policy policy;  // the defaults
  EvaluationInput input;
  input.reference = &Reference();
  input.reference_accuracy = gain::ReferenceAccuracy{0.9, 4000};
  input.current = &*current;
  input.labeled = mapping::LabeledFromProto(request);
  input.plan = &plan;
  if (request.plans_size() > 0) {
    if (request.has_plan()) input.alternatives.push_back(plan);
    input.first_alternative_is_plan = request.has_plan();
    for (const v1::TrainingPlan& p : request.plans()) {
      input.alternatives.push_back(mapping::PlanFromProto(p));
    }
  }
  if (request.has_scores()) {
    absl::StatusOr<gain::ScoreSummary> scores =
        mapping::ScoresFromProto(request.scores(), "scores");
    if (!scores.ok()) return 0;
    input.scores = *scores;
  }
  input.forecast = mapping::ForecastFromProto(request);
  input.policy = &policy;
  input.tables = &energy::Tables::Shipped();
  input.now = absl::FromUnixSeconds(1'795'000'000);
  absl::StatusOr<Evaluation> evaluation = Evaluate(input);
  if (!evaluation.ok()) return 0;

  v1::Decision decision;
  mapping::EvaluationToDecision(*evaluation, &decision);
  v1::Decision parsed;
  CheckOk(client::ParseJson(client::ToJson(decision), "decision", &parsed),
          "a decision's JSON parses back");
  return 0;
}

}  // namespace greengate::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  greengate::fuzz::Reference();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return greengate::fuzz::OneInput(data, size);
}
