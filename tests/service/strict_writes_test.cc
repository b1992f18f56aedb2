// Every write as strict as every read: each case was accepted before (and then made every
// ShouldRetrain of the model fail, was silently dropped or ignored, or echoed a megabyte back
// in its error). Each is now refused with a status naming the field, nothing is stored, and
// the model still decides afterwards.

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "tests/service/gate_calls.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::testing {
namespace {

using ::testing::HasSubstr;
using Stub = v1::RetrainGatekeeper::Stub;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kHuge(1 << 20, 'x');  // 1 MiB

// The reference ReadyModel() stores, for cases that change one thing in it.
v1::SetReferenceRequest Reference(const std::string& id) {
  v1::SetReferenceRequest r;
  r.mutable_reference()->set_model("models/" + id);
  *r.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
  r.mutable_reference()->set_accuracy(0.9);
  r.mutable_reference()->set_evaluation_rows(5000);
  return r;
}

// A joint sample of the two numeric features, 3 rows.
void AddJoint(v1::DataProfile* p) {
  v1::MultivariateSample* j = p->mutable_joint();
  j->add_features("age_z");
  j->add_features("income_z");
  j->set_rows(3);
  for (double v : {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}) j->add_values(v);
  j->set_seen(100);
}

// Reference(id) whose "channel" folded 10 rows into `other`: red, blue and `other`.
v1::SetReferenceRequest ReferenceWithOther(const std::string& id) {
  v1::SetReferenceRequest r = Reference(id);
  v1::CategoricalProfile* channel =
      r.mutable_reference()->mutable_profile()->mutable_features(2)->mutable_categorical();
  (*channel->mutable_counts())["blue"] -= 10;
  channel->set_other(10);
  return r;
}

// Reference(id) whose "age_z" has one value; its 799 other rows are missing.
v1::SetReferenceRequest ReferenceWithOneAge(const std::string& id) {
  v1::SetReferenceRequest r = Reference(id);
  v1::FeatureProfile* age = r.mutable_reference()->mutable_profile()->mutable_features(0);
  const std::vector<double> edges(age->numeric().bin_edges().begin(),
                                  age->numeric().bin_edges().end());
  age->Clear();
  FillNumeric("age_z", {0.3}, edges, age);
  age->set_count(800);
  age->set_missing(799);
  return r;
}

v1::ShouldRetrainRequest Ask(const std::string& id) {
  v1::ShouldRetrainRequest r;
  r.set_model("models/" + id);
  *r.mutable_current() = MakeProfile(600, 0, 100);
  r.mutable_labeled()->set_rows(1000);
  r.mutable_labeled()->set_correct(900);
  *r.mutable_plan() = SmallPlan();
  return r;
}

v1::NumericProfile Scores() {
  v1::NumericProfile s;
  for (double e : {0.6, 0.8}) s.add_bin_edges(e);
  for (double c : {500.0, 1500.0, 3000.0}) s.add_bin_counts(c);
  s.set_min(0.5);
  s.set_max(1);
  s.set_mean(0.9);
  s.set_m2(0.01 * 5000);
  return s;
}

template <typename Request, typename Response>
grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  Stub* stub, const Request& request) {
  grpc::ClientContext ctx;
  SetCallDeadline(&ctx);
  Response response;
  return (stub->*method)(&ctx, request, &response);
}

grpc::Status SetReference(Stub* stub, const v1::SetReferenceRequest& r) {
  return Call(&Stub::SetReference, stub, r);
}
grpc::Status SetPolicy(Stub* stub, const std::string& id,
                       const std::function<void(v1::Policy*)>& fill) {
  v1::SetPolicyRequest r;
  r.mutable_policy()->set_model("models/" + id);
  fill(r.mutable_policy());
  return Call(&Stub::SetPolicy, stub, r);
}
grpc::Status ShouldRetrain(Stub* stub, const v1::ShouldRetrainRequest& r) {
  return Call(&Stub::ShouldRetrain, stub, r);
}

struct StrictCase {
  std::string name;
  // Makes one bad call on the ready model `id`; returns its status.
  std::function<grpc::Status(Stub*, const std::string& id)> call;
  grpc::StatusCode code;
  std::string message;  // expected substring
};

class StrictWritesTest : public ::testing::TestWithParam<StrictCase> {
 protected:
  static void SetUpTestSuite() {
    clock_ = new FakeClock(absl::FromUnixSeconds(1'800'000'000));
    server_ = new LoopbackServer("strict");
    ASSERT_TRUE(server_->Start(clock_).ok());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete clock_;
  }
  static FakeClock* clock_;
  static LoopbackServer* server_;
};
FakeClock* StrictWritesTest::clock_ = nullptr;
LoopbackServer* StrictWritesTest::server_ = nullptr;

TEST_P(StrictWritesTest, RefusedNamingTheFieldAndTheModelStillDecides) {
  static int model_number = 0;
  const std::string id = absl::StrCat("strict-", ++model_number);
  ReadyModel(server_->stub(), id);
  const grpc::Status status = GetParam().call(server_->stub(), id);
  EXPECT_EQ(status.error_code(), GetParam().code) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(GetParam().message));
  EXPECT_LT(status.error_message().size(), 1024u) << "an unbounded echo";
  // Nothing the refused call sent was stored: the model decides as before.
  const grpc::Status decided = ShouldRetrain(server_->stub(), Ask(id));
  EXPECT_TRUE(decided.ok()) << decided.error_message();
}

const grpc::StatusCode kInvalid = grpc::StatusCode::INVALID_ARGUMENT;

INSTANTIATE_TEST_SUITE_P(
    Cases, StrictWritesTest,
    ::testing::Values(
        // Writes that used to block the model.
        StrictCase{
            "ImportanceNegative",
            [](Stub* s, const std::string& id) {
              v1::SetReferenceRequest r = Reference(id);
              (*r.mutable_reference()->mutable_profile()->mutable_feature_importance())["age_z"] =
                  -1;
              return SetReference(s, r);
            },
            kInvalid,
            "reference.profile.feature_importance['age_z']: must be finite and >= 0, "
            "got -1"},
        StrictCase{
            "ImportanceNaN",
            [](Stub* s, const std::string& id) {
              v1::SetReferenceRequest r = Reference(id);
              (*r.mutable_reference()->mutable_profile()->mutable_feature_importance())["age_z"] =
                  kNaN;
              return SetReference(s, r);
            },
            kInvalid, "reference.profile.feature_importance['age_z']: must be finite"},
        StrictCase{"ImportanceAllZero",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     (*r.mutable_reference()->mutable_profile()->mutable_feature_importance())
                         ["age_z"] = 0;
                     return SetReference(s, r);
                   },
                   kInvalid,
                   "reference.profile.feature_importance: the reference's features must not all "
                   "weigh 0"},
        StrictCase{"ImportanceTotalInfinite",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     auto& importance =
                         *r.mutable_reference()->mutable_profile()->mutable_feature_importance();
                     for (const char* feature : {"age_z", "income_z", "channel"}) {
                       importance[feature] = 1e308;
                     }
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.feature_importance: the weights sum to inf"},
        StrictCase{"PolicyZAgainstTheReferencesOther",
                   [](Stub* s, const std::string& id) {
                     const grpc::Status set = SetReference(s, ReferenceWithOther(id));
                     EXPECT_TRUE(set.ok()) << set.error_message();
                     return SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["channel"] = "z";
                     });
                   },
                   kInvalid,
                   "policy.feature_tests['channel']: test \"z\" needs at most 2 categories, "
                   "'channel' has 3 in the reference (its `other` counted as one)"},
        StrictCase{"ReferenceWithOtherAgainstPolicyZ",
                   [](Stub* s, const std::string& id) {
                     const grpc::Status set = SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["channel"] = "z";
                     });
                     EXPECT_TRUE(set.ok()) << set.error_message();
                     return SetReference(s, ReferenceWithOther(id));
                   },
                   kInvalid,
                   "policy.feature_tests['channel']: test \"z\" needs at most 2 categories, "
                   "'channel' has 3 in the reference"},
        StrictCase{"PolicyCramerVonMisesOnOneReferenceValue",
                   [](Stub* s, const std::string& id) {
                     const grpc::Status set = SetReference(s, ReferenceWithOneAge(id));
                     EXPECT_TRUE(set.ok()) << set.error_message();
                     return SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["age_z"] = "cramer_von_mises";
                     });
                   },
                   kInvalid,
                   "policy.feature_tests['age_z']: test \"cramer_von_mises\" needs at least 2 "
                   "values in the reference's sample, but the reference of 'age_z' holds 1"},
        StrictCase{"ReferenceScoresOutsideZeroOne",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     *r.mutable_reference()->mutable_scores() = Scores();
                     r.mutable_reference()->mutable_scores()->set_min(-5);
                     r.mutable_reference()->mutable_scores()->set_max(7);
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.scores.min: must be in [0, 1] (a confidence score), got -5"},
        StrictCase{"ReferenceScoresEdgesAboveOne",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     *r.mutable_reference()->mutable_scores() = Scores();
                     r.mutable_reference()->mutable_scores()->set_bin_edges(0, 1.5);
                     r.mutable_reference()->mutable_scores()->set_bin_edges(1, 2);
                     return SetReference(s, r);
                   },
                   kInvalid,
                   "reference.scores.bin_edges[0]: must be in [0, 1] (a confidence score), got "
                   "1.5"},
        StrictCase{"ReferenceScoresSampleOutsideZeroOne",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     *r.mutable_reference()->mutable_scores() = Scores();
                     r.mutable_reference()->mutable_scores()->add_sample(5);
                     r.mutable_reference()->mutable_scores()->add_sample(-3);
                     r.mutable_reference()->mutable_scores()->set_sample_seen(2);
                     return SetReference(s, r);
                   },
                   kInvalid,
                   "reference.scores.sample[0]: must be in [0, 1] (a confidence score), got 5"},
        StrictCase{"ReferenceScoresFractionalCount",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     *r.mutable_reference()->mutable_scores() = Scores();
                     r.mutable_reference()->mutable_scores()->set_bin_counts(1, 1500.5);
                     return SetReference(s, r);
                   },
                   kInvalid,
                   "reference.scores.bin_counts[1]: must be a whole number (rows scored), got "
                   "1500.5"},
        StrictCase{"JointNotRowsTimesFeatures",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     AddJoint(r.mutable_reference()->mutable_profile());
                     r.mutable_reference()->mutable_profile()->mutable_joint()->add_values(1);
                     return SetReference(s, r);
                   },
                   kInvalid,
                   "reference.profile.joint.values: has 7 values; expected rows x "
                   "features = 3 x 2 = 6"},
        StrictCase{"JointNaN",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     AddJoint(r.mutable_reference()->mutable_profile());
                     r.mutable_reference()->mutable_profile()->mutable_joint()->set_values(2, kNaN);
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.values[2]: must be finite, got nan"},
        StrictCase{"JointOneRow",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     v1::MultivariateSample* j =
                         r.mutable_reference()->mutable_profile()->mutable_joint();
                     j->add_features("age_z");
                     j->set_rows(1);
                     j->add_values(0.5);
                     j->set_seen(1);
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.rows: must be in [2, 10000], got 1"},
        StrictCase{"JointNoFeatures",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     r.mutable_reference()->mutable_profile()->mutable_joint()->set_rows(2);
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.features: must name at least one"},
        StrictCase{"PolicyNumericTestOnCategorical",
                   [](Stub* s, const std::string& id) {
                     return SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["channel"] = "ks";
                     });
                   },
                   kInvalid,
                   "policy.feature_tests['channel']: test \"ks\" needs a numeric feature, but "
                   "'channel' is categorical"},
        StrictCase{"PolicyUnknownFeature",
                   [](Stub* s, const std::string& id) {
                     return SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["nosuch"] = "psi";
                     });
                   },
                   kInvalid,
                   "policy.feature_tests['nosuch']: the model's reference has no feature "
                   "'nosuch'"},
        StrictCase{"ReferenceAgainstThePolicyInForce",
                   [](Stub* s, const std::string& id) {
                     const grpc::Status set = SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["age_z"] = "ks";
                     });
                     EXPECT_TRUE(set.ok()) << set.error_message();
                     v1::SetReferenceRequest r = Reference(id);
                     r.mutable_reference()
                         ->mutable_profile()
                         ->mutable_features(0)
                         ->mutable_numeric()
                         ->clear_sample();
                     r.mutable_reference()
                         ->mutable_profile()
                         ->mutable_features(0)
                         ->mutable_numeric()
                         ->set_sample_seen(0);
                     return SetReference(s, r);
                   },
                   kInvalid,
                   "policy.feature_tests['age_z']: test \"ks\" needs samples, but the reference "
                   "of 'age_z' holds none"},
        // Malformed input that used to be accepted.
        StrictCase{"JointUnknownColumn",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     AddJoint(r.mutable_reference()->mutable_profile());
                     r.mutable_reference()->mutable_profile()->mutable_joint()->set_features(
                         1, "nosuch");
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.features[1]: 'nosuch' is not a feature"},
        StrictCase{"JointDuplicateColumn",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     AddJoint(r.mutable_reference()->mutable_profile());
                     r.mutable_reference()->mutable_profile()->mutable_joint()->set_features(
                         1, "age_z");
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.features[1]: 'age_z' is listed twice"},
        StrictCase{"JointCategoricalColumn",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     AddJoint(r.mutable_reference()->mutable_profile());
                     r.mutable_reference()->mutable_profile()->mutable_joint()->set_features(
                         1, "channel");
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.features[1]: 'channel' is categorical"},
        StrictCase{"JointSeenNegative",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     AddJoint(r.mutable_reference()->mutable_profile());
                     r.mutable_reference()->mutable_profile()->mutable_joint()->set_seen(-1);
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.profile.joint.seen: must be >= rows (3), got -1"},
        StrictCase{"CorrectionOutOfRange",
                   [](Stub* s, const std::string& id) {
                     return SetPolicy(s, id, [](v1::Policy* p) {
                       p->set_correction(static_cast<v1::Correction>(99));
                     });
                   },
                   kInvalid, "policy.correction: unknown value 99"},
        StrictCase{"PermutationsBelowMinusOne",
                   [](Stub* s, const std::string& id) {
                     return SetPolicy(s, id, [](v1::Policy* p) { p->set_mmd_permutations(-5); });
                   },
                   kInvalid,
                   "policy.mmd_permutations: must be -1 (multivariate tests off), 0 "
                   "(default 100) or a count in [1, 100000], got -5"},
        StrictCase{"ReferenceScoresNaNBinCount",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     *r.mutable_reference()->mutable_scores() = Scores();
                     r.mutable_reference()->mutable_scores()->set_bin_counts(1, kNaN);
                     return SetReference(s, r);
                   },
                   kInvalid, "reference.scores.bin_counts[1]: must be finite and >= 0, got nan"},
        StrictCase{"ScoresOnOtherEdges",
                   [](Stub* s, const std::string& id) {
                     v1::SetReferenceRequest r = Reference(id);
                     *r.mutable_reference()->mutable_scores() = Scores();
                     const grpc::Status set = SetReference(s, r);
                     EXPECT_TRUE(set.ok()) << set.error_message();
                     v1::ShouldRetrainRequest ask = Ask(id);
                     *ask.mutable_scores() = Scores();
                     ask.mutable_scores()->set_bin_edges(0, 0.55);
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid, "scores.bin_edges[0]: is 0.55 but the reference's scores have 0.6"},
        StrictCase{"ScoresWithoutReferenceScores",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     *ask.mutable_scores() = Scores();
                     return ShouldRetrain(s, ask);
                   },
                   grpc::StatusCode::FAILED_PRECONDITION, "scores: the reference of models/"},
        StrictCase{"CurrentWithoutBinEdges",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     ask.mutable_current()->mutable_features(0)->mutable_numeric()->clear_bin_edges();
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid,
                   "current.features[0].numeric.bin_edges: has 0 edges but the reference has 7 "
                   "for feature 'age_z'"},
        StrictCase{"RowsZero",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     ask.mutable_current()->set_rows(0);
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid, "current.rows: is 0 but features[0].count is 600"},
        StrictCase{"RowsBillion",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     ask.mutable_current()->set_rows(1'000'000'000);
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid, "current.rows: is 1000000000 but features[0].count is 600"},
        StrictCase{"RegisterModelNameIgnored",
                   [](Stub* s, const std::string& id) {
                     v1::RegisterModelRequest r;
                     r.set_model_id(id + "-b");
                     r.mutable_model()->set_name("models/other");
                     r.mutable_model()->set_deployed_version("v1");
                     return Call(&Stub::RegisterModel, s, r);
                   },
                   kInvalid, "model.name: 'models/other' does not match model_id"},
        StrictCase{"OutcomeWithoutEnergy",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     *ask.mutable_current() = MakeProfile(600, 1.0, 100);
                     ask.mutable_labeled()->set_correct(700);
                     grpc::ClientContext ctx;
                     SetCallDeadline(&ctx);
                     v1::Decision d;
                     EXPECT_TRUE(s->ShouldRetrain(&ctx, ask, &d).ok());
                     EXPECT_EQ(d.verdict(), v1::APPROVE);
                     v1::ReportOutcomeRequest r;
                     r.mutable_outcome()->set_decision(d.name());
                     r.mutable_outcome()->set_source("manual");
                     return Call(&Stub::ReportOutcome, s, r);
                   },
                   kInvalid, "outcome.energy_kwh: required"},
        StrictCase{"PlansNumberedAsSent",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     *ask.add_plans() = SmallPlan();
                     *ask.add_plans() = SmallPlan();
                     ask.mutable_plans(1)->set_hours(-3);
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid, "plans[1].hours: must be a finite number in (0, 10000], got -3"},
        // Unbounded echoes: the field is named, the value quoted with a bounded prefix.
        StrictCase{"HugeModelId",
                   [](Stub* s, const std::string&) {
                     v1::RegisterModelRequest r;
                     r.set_model_id(kHuge);
                     r.mutable_model()->set_deployed_version("v1");
                     return Call(&Stub::RegisterModel, s, r);
                   },
                   kInvalid, "model_id: 'xxxxxxxx"},
        StrictCase{"HugeModelName",
                   [](Stub* s, const std::string&) {
                     v1::GetModelRequest r;
                     r.set_name("models/" + kHuge);
                     return Call(&Stub::GetModel, s, r);
                   },
                   kInvalid, "name: 'xxxx"},
        StrictCase{"HugeRegion",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     ask.mutable_plan()->set_region(kHuge);
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid, "plan.region: 'xxxx"},
        StrictCase{"HugeAccelerator",
                   [](Stub* s, const std::string& id) {
                     v1::ShouldRetrainRequest ask = Ask(id);
                     ask.mutable_plan()->set_accelerator(kHuge);
                     return ShouldRetrain(s, ask);
                   },
                   kInvalid, "... (1048576 bytes) is 1048576 bytes long; at most 256"},
        StrictCase{"HugeFeatureTest",
                   [](Stub* s, const std::string& id) {
                     return SetPolicy(s, id, [](v1::Policy* p) {
                       (*p->mutable_feature_tests())["age_z"] = kHuge;
                     });
                   },
                   kInvalid, "policy.feature_tests['age_z']: unknown test 'xxx"},
        StrictCase{"HugeDecisionName",
                   [](Stub* s, const std::string&) {
                     v1::GetDecisionRequest r;
                     r.set_name("decisions/" + kHuge);
                     return Call(&Stub::GetDecision, s, r);
                   },
                   kInvalid, "name: 'decisions/xxx"},
        StrictCase{"HugeListFilter",
                   [](Stub* s, const std::string&) {
                     v1::ListDecisionsRequest r;
                     r.set_model(kHuge);
                     return Call(&Stub::ListDecisions, s, r);
                   },
                   kInvalid, "model: 'xxx"}),
    [](const ::testing::TestParamInfo<StrictCase>& info) { return info.param.name; });

}  // namespace
}  // namespace greengate::testing
