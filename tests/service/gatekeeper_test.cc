// Integration tests: a real server on 127.0.0.1:0, a real SQLite file in a temp dir, a real
// gRPC channel. Time comes from a FakeClock, so cooldowns are tested without sleeping.

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/mapping/stored_json.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"
#include "tests/store/test_util.h"

namespace greengate::service {
namespace {

using mapping::ToStoredJson;

using greengate::testing::MakeProfile;
using greengate::testing::SmallPlan;
using ::testing::HasSubstr;

class GatekeeperTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  // Starts (or restarts, on the same database) the server and points stub_ at it.
  void StartServer() {
    const absl::Status started = loop_.Start(&clock_);
    ASSERT_TRUE(started.ok()) << started;
    stub_ = loop_.stub();
  }
  void StopServer() { loop_.Stop(); }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  grpc::Status Register(const std::string& id) {
    v1::RegisterModelRequest req;
    req.set_model_id(id);
    req.mutable_model()->set_deployed_version("v1");
    req.mutable_model()->set_task("binary-classification");
    v1::Model out;
    return stub_->RegisterModel(Context().get(), req, &out);
  }

  grpc::Status SetReference(const std::string& id, double accuracy = 0.9) {
    v1::SetReferenceRequest req;
    req.mutable_reference()->set_model("models/" + id);
    *req.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
    req.mutable_reference()->set_accuracy(accuracy);
    req.mutable_reference()->set_evaluation_rows(5000);
    v1::Reference out;
    return stub_->SetReference(Context().get(), req, &out);
  }

  // A model with a reference, ready for ShouldRetrain.
  void Ready(const std::string& id) {
    ASSERT_TRUE(Register(id).ok());
    ASSERT_TRUE(SetReference(id).ok());
  }

  v1::ShouldRetrainRequest Request(const std::string& id, double shift, int64_t correct) {
    v1::ShouldRetrainRequest req;
    req.set_model("models/" + id);
    *req.mutable_current() = MakeProfile(600, shift, 100);
    if (correct >= 0) {
      req.mutable_labeled()->set_rows(1000);
      req.mutable_labeled()->set_correct(correct);
    }
    *req.mutable_plan() = SmallPlan();
    return req;
  }

  grpc::Status Ask(const v1::ShouldRetrainRequest& req, v1::Decision* out) {
    return stub_->ShouldRetrain(Context().get(), req, out);
  }

  int CountDecisions() {
    v1::ListDecisionsRequest req;
    req.set_page_size(500);
    v1::ListDecisionsResponse resp;
    EXPECT_TRUE(stub_->ListDecisions(Context().get(), req, &resp).ok());
    return resp.decisions_size();
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop_{"service"};  // after clock_: stops before it goes
  v1::RetrainGatekeeper::Stub* stub_ = nullptr;         // owned by loop_
};

TEST_F(GatekeeperTest, HealthIsServingForServerAndService) {
  auto health = grpc::health::v1::Health::NewStub(loop_.channel());
  for (const std::string service : {"", "greengate.v1.RetrainGatekeeper"}) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(Context().get(), req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(GatekeeperTest, RegisterGetListModels) {
  ASSERT_TRUE(Register("churn").ok());
  v1::GetModelRequest get;
  get.set_name("models/churn");
  v1::Model model;
  ASSERT_TRUE(stub_->GetModel(Context().get(), get, &model).ok());
  EXPECT_EQ(model.name(), "models/churn");
  EXPECT_EQ(model.deployed_version(), "v1");
  EXPECT_FALSE(model.has_reference());
  EXPECT_EQ(Register("churn").error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::ListModelsResponse list;
  ASSERT_TRUE(stub_->ListModels(Context().get(), {}, &list).ok());
  ASSERT_EQ(list.models_size(), 1);

  get.set_name("models/nope");
  EXPECT_EQ(stub_->GetModel(Context().get(), get, &model).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatekeeperTest, RegisterRejectsBadIdsNamingTheField) {
  grpc::Status s = Register("Bad_Name");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("model_id"));
  v1::RegisterModelRequest req;
  req.set_model_id("ok");
  v1::Model out;
  s = stub_->RegisterModel(Context().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("model.deployed_version"));
}

TEST_F(GatekeeperTest, SetReferenceValidatesAndRoundTrips) {
  ASSERT_TRUE(Register("churn").ok());
  v1::SetReferenceRequest req;
  req.mutable_reference()->set_model("models/churn");
  *req.mutable_reference()->mutable_profile() = MakeProfile(100, 0, 1);
  req.mutable_reference()->mutable_profile()->mutable_features(0)->mutable_numeric()->set_bin_edges(
      2, -7.0);  // edges no longer increasing
  v1::Reference out;
  grpc::Status s = stub_->SetReference(Context().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("reference.profile.features[0]"));

  ASSERT_TRUE(SetReference("churn").ok());
  v1::GetReferenceRequest get;
  get.set_model("models/churn");
  ASSERT_TRUE(stub_->GetReference(Context().get(), get, &out).ok());
  EXPECT_EQ(out.profile().features_size(), 3);
  EXPECT_EQ(out.profile().features(0).numeric().bin_edges_size(), 7);
  EXPECT_DOUBLE_EQ(out.accuracy(), 0.9);
  EXPECT_EQ(out.model_version(), "v1");

  EXPECT_EQ(SetReference("nope").error_code(), grpc::StatusCode::NOT_FOUND);
}

// `profile` without its samples, as REFERENCE_VIEW_BASIC shows it.
v1::DataProfile WithoutSamples(v1::DataProfile profile) {
  for (v1::FeatureProfile& f : *profile.mutable_features()) {
    if (f.has_numeric()) f.mutable_numeric()->clear_sample();
  }
  if (profile.has_joint()) profile.mutable_joint()->clear_values();
  return profile;
}

// SetReference answers without the samples the caller has just sent; GetReference returns
// them unless asked for the basic view. Both from the kept reference, before and after a
// restart (read back from the store).
TEST_F(GatekeeperTest, ReferenceViewsLeaveOutTheSamplesOnlyWhenAsked) {
  ASSERT_TRUE(Register("churn").ok());
  v1::SetReferenceRequest set;
  set.mutable_reference()->set_model("models/churn");
  v1::DataProfile profile = MakeProfile(800, 0, 1);
  v1::MultivariateSample* joint = profile.mutable_joint();
  joint->add_features("age_z");
  joint->add_features("income_z");
  joint->set_rows(2);
  joint->add_values(0.5);
  joint->add_values(-0.25);
  joint->add_values(1.5);
  joint->add_values(2.0);
  joint->set_seen(800);
  (*profile.mutable_feature_importance())["age_z"] = 0.75;
  *set.mutable_reference()->mutable_profile() = profile;
  set.mutable_reference()->set_accuracy(0.9);
  set.mutable_reference()->set_evaluation_rows(5000);
  v1::Reference stored;
  ASSERT_TRUE(stub_->SetReference(Context().get(), set, &stored).ok());
  ASSERT_GT(profile.features(0).numeric().sample_size(), 0);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(stored.profile(), WithoutSamples(profile)))
      << stored.profile().ShortDebugString();
  EXPECT_EQ(stored.model(), "models/churn");
  EXPECT_EQ(stored.model_version(), "v1");
  EXPECT_DOUBLE_EQ(stored.accuracy(), 0.9);
  EXPECT_EQ(stored.evaluation_rows(), 5000);
  EXPECT_GT(stored.create_time().seconds(), 0);

  for (const bool restarted : {false, true}) {
    SCOPED_TRACE(restarted ? "after a restart" : "kept by SetReference");
    if (restarted) {
      StopServer();
      StartServer();
    }
    v1::GetReferenceRequest get;
    get.set_model("models/churn");
    for (const v1::ReferenceView view :
         {v1::REFERENCE_VIEW_UNSPECIFIED, v1::REFERENCE_VIEW_FULL, v1::REFERENCE_VIEW_BASIC}) {
      SCOPED_TRACE(v1::ReferenceView_Name(view));
      get.set_view(view);
      v1::Reference out;
      ASSERT_TRUE(stub_->GetReference(Context().get(), get, &out).ok());
      const v1::DataProfile want =
          view == v1::REFERENCE_VIEW_BASIC ? WithoutSamples(profile) : profile;
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(out.profile(), want));
      v1::Reference rest = out;
      rest.clear_profile();
      v1::Reference stored_rest = stored;
      stored_rest.clear_profile();
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(rest, stored_rest))
          << rest.ShortDebugString() << " vs " << stored_rest.ShortDebugString();
    }
  }

  v1::GetReferenceRequest bad;
  bad.set_model("models/churn");
  bad.set_view(static_cast<v1::ReferenceView>(7));
  v1::Reference out;
  const grpc::Status s = stub_->GetReference(Context().get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("view"));

  ASSERT_TRUE(Register("bare").ok());
  v1::GetReferenceRequest none;
  none.set_model("models/bare");
  const grpc::Status missing = stub_->GetReference(Context().get(), none, &out);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), HasSubstr("models/bare has no reference"));
}

// Reference profiles are stored as protobuf BLOBs. Rows written by earlier versions hold text
// (base64 protobuf, or older JSON) and still load, for GetReference and for decisions, after
// a restart (nothing kept).
TEST_F(GatekeeperTest, ReferencesStoredAsTextByEarlierVersionsStillLoad) {
  ASSERT_TRUE(Register("binary").ok());
  ASSERT_TRUE(SetReference("binary").ok());
  const v1::DataProfile profile = MakeProfile(800, 0, 1);
  const std::string json = ToStoredJson(profile);
  ASSERT_EQ(json.find('\''), std::string::npos);  // quoted as an SQL literal below
  const std::vector<std::pair<std::string, std::string>> old_rows = {
      {"json", json}, {"base64", absl::Base64Escape(profile.SerializeAsString())}};
  for (const auto& [id, text] : old_rows) ASSERT_TRUE(Register(id).ok());
  StopServer();
  {
    store::testing::RawDb raw(loop_.dir() + "/gg.db");
    for (const auto& [id, text] : old_rows) {
      ASSERT_EQ(raw.Exec(absl::StrCat(
                    "INSERT INTO model_references (model_id, model_version, profile, accuracy, "
                    "evaluation_rows, create_time_ms) SELECT id, 'v1', '",
                    text,
                    "', 0.9, 5000, "
                    "1000 FROM models WHERE model_id = '",
                    id, "'")),
                "");
    }
    EXPECT_EQ(raw.QueryText("SELECT typeof(profile_pb) || typeof(profile) FROM model_references "
                            "r JOIN models m ON m.id = r.model_id WHERE m.model_id = 'binary'"),
              "blobtext");
  }
  StartServer();

  for (const std::string id : {"json", "base64", "binary"}) {
    SCOPED_TRACE(id);
    v1::GetReferenceRequest get;
    get.set_model("models/" + id);
    v1::Reference out;
    ASSERT_TRUE(stub_->GetReference(Context().get(), get, &out).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(out.profile(), profile));
  }
  StopServer();
  StartServer();  // nothing kept: the decisions read the rows
  v1::Decision from_json, from_base64, from_binary;
  ASSERT_TRUE(Ask(Request("json", 1.0, 700), &from_json).ok());
  ASSERT_TRUE(Ask(Request("base64", 1.0, 700), &from_base64).ok());
  ASSERT_TRUE(Ask(Request("binary", 1.0, 700), &from_binary).ok());
  EXPECT_EQ(from_json.verdict(), v1::APPROVE) << from_json.reason();
  EXPECT_EQ(from_json.drift().SerializeAsString(), from_binary.drift().SerializeAsString());
  EXPECT_EQ(from_base64.drift().SerializeAsString(), from_binary.drift().SerializeAsString());
}

TEST_F(GatekeeperTest, ShouldRetrainNeedsAReference) {
  ASSERT_TRUE(Register("churn").ok());
  v1::Decision d;
  grpc::Status s = Ask(Request("churn", 0, 900), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("SetReference"));
  EXPECT_EQ(Ask(Request("nope", 0, 900), &d).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatekeeperTest, DriftedAndDegradedIsApprovedUndriftedIsRejected) {
  Ready("churn");
  v1::Decision approved;
  ASSERT_TRUE(Ask(Request("churn", 1.0, 700), &approved).ok());
  EXPECT_EQ(approved.verdict(), v1::APPROVE) << approved.reason();
  EXPECT_TRUE(approved.drift().dataset_drift());
  EXPECT_GT(approved.gain().lower_bound(), 0);
  EXPECT_GT(approved.cost().energy_kwh(), 0);
  EXPECT_GT(approved.cost().co2e_kg(), 0);
  EXPECT_EQ(approved.model_version(), "v1");
  EXPECT_EQ(approved.policy_version(), 0);
  EXPECT_FALSE(approved.reason().empty());
  EXPECT_EQ(approved.checks_size(), 7);

  clock_.Advance(absl::Hours(48));
  v1::Decision rejected;
  ASSERT_TRUE(Ask(Request("churn", 0, 900), &rejected).ok());
  EXPECT_EQ(rejected.verdict(), v1::REJECT) << rejected.reason();
  EXPECT_EQ(rejected.decided_by(), "evidence_of_need");
  EXPECT_FALSE(rejected.drift().dataset_drift());

  // Both are in the log, newest first, and GetDecision returns the stored record.
  v1::ListDecisionsRequest list;
  list.set_model("models/churn");
  v1::ListDecisionsResponse resp;
  ASSERT_TRUE(stub_->ListDecisions(Context().get(), list, &resp).ok());
  ASSERT_EQ(resp.decisions_size(), 2);
  EXPECT_EQ(resp.decisions(0).name(), rejected.name());
  v1::GetDecisionRequest get;
  get.set_name(approved.name());
  v1::Decision stored;
  ASSERT_TRUE(stub_->GetDecision(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.SerializeAsString(), approved.SerializeAsString());
}

TEST_F(GatekeeperTest, DriftWithoutLabelsDefersAskingForLabels) {
  Ready("churn");
  v1::Decision d;
  ASSERT_TRUE(Ask(Request("churn", 1.0, -1), &d).ok());
  EXPECT_EQ(d.verdict(), v1::DEFER) << d.reason();
  EXPECT_EQ(d.decided_by(), "gain_evidence");
  EXPECT_EQ(d.gain().method(), "none");
}

TEST_F(GatekeeperTest, CooldownDefersUntilItHasPassed) {
  Ready("churn");
  v1::SetPolicyRequest policy;
  policy.mutable_policy()->set_model("models/churn");
  policy.mutable_policy()->set_cooldown_s(3600 * 6);
  v1::Policy stored;
  ASSERT_TRUE(stub_->SetPolicy(Context().get(), policy, &stored).ok());
  EXPECT_EQ(stored.version(), 1);

  v1::Decision first, second, third;
  ASSERT_TRUE(Ask(Request("churn", 1.0, 700), &first).ok());
  ASSERT_EQ(first.verdict(), v1::APPROVE) << first.reason();
  EXPECT_EQ(first.policy_version(), 1);
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(Ask(Request("churn", 1.0, 700), &second).ok());
  EXPECT_EQ(second.verdict(), v1::DEFER);
  EXPECT_EQ(second.decided_by(), "cooldown");
  EXPECT_EQ(second.retry_after().seconds(), first.create_time().seconds() + 6 * 3600);
  clock_.Advance(absl::Hours(6));
  ASSERT_TRUE(Ask(Request("churn", 1.0, 700), &third).ok());
  EXPECT_EQ(third.verdict(), v1::APPROVE) << third.reason();
}

TEST_F(GatekeeperTest, IdempotencyKeyReturnsTheStoredDecision) {
  Ready("churn");
  v1::ShouldRetrainRequest req = Request("churn", 1.0, 700);
  req.set_idempotency_key("airflow-run-2026-11-23");
  v1::Decision first, again;
  ASSERT_TRUE(Ask(req, &first).ok());
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(Ask(req, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.verdict(), first.verdict());
  EXPECT_EQ(CountDecisions(), 1);
}

TEST_F(GatekeeperTest, BadInputIsRejectedNamingTheFieldAndWritesNothing) {
  Ready("churn");
  struct Case {
    std::string name;
    std::function<void(v1::ShouldRetrainRequest*)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"bad model name", [](auto* r) { r->set_model("churn"); }, "model"},
      {"no profile", [](auto* r) { r->clear_current(); }, "current"},
      {"no plan", [](auto* r) { r->clear_plan(); }, "plan"},
      {"negative count",
       [](auto* r) {
         r->mutable_current()->mutable_features(0)->mutable_numeric()->set_bin_counts(0, -3);
       },
       "current.features[0]"},
      {"NaN count",
       [](auto* r) {
         r->mutable_current()->mutable_features(1)->mutable_numeric()->set_bin_counts(2, NAN);
       },
       "current.features[1]"},
      {"edges differ from the reference",
       [](auto* r) {
         r->mutable_current()->mutable_features(0)->mutable_numeric()->set_bin_edges(0, -1.6);
       },
       "current.features[0]"},
      {"bin count mismatch",
       [](auto* r) {
         r->mutable_current()->mutable_features(0)->mutable_numeric()->add_bin_counts(0);
       },
       "current.features[0]"},
      {"unknown feature",
       [](auto* r) { r->mutable_current()->mutable_features(2)->set_name("colour"); }, "current"},
      {"empty profile", [](auto* r) { r->mutable_current()->clear_features(); }, "current"},
      {"absurd hours", [](auto* r) { r->mutable_plan()->set_hours(1e9); }, "plan.hours"},
      {"negative hours", [](auto* r) { r->mutable_plan()->set_hours(-2); }, "plan.hours"},
      {"unknown accelerator", [](auto* r) { r->mutable_plan()->set_accelerator("quantum-9000"); },
       "plan.accelerator"},
      {"correct > rows", [](auto* r) { r->mutable_labeled()->set_correct(5000); }, "labeled"},
  };
  for (const Case& c : cases) {
    v1::ShouldRetrainRequest req = Request("churn", 1.0, 700);
    c.mutate(&req);
    v1::Decision d;
    grpc::Status s = Ask(req, &d);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.name << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.field)) << c.name;
  }
  EXPECT_EQ(CountDecisions(), 0);
}

TEST_F(GatekeeperTest, ListDecisionsPaginatesWithTokensBoundToFilters) {
  Ready("churn");
  Ready("fraud");
  for (int i = 0; i < 7; ++i) {
    v1::Decision d;
    ASSERT_TRUE(Ask(Request(i % 2 ? "churn" : "fraud", 0, 900), &d).ok());
    clock_.Advance(absl::Minutes(1));
  }
  v1::ListDecisionsRequest req;
  req.set_page_size(3);
  std::set<std::string> seen;
  int pages = 0;
  do {
    v1::ListDecisionsResponse resp;
    ASSERT_TRUE(stub_->ListDecisions(Context().get(), req, &resp).ok());
    for (const auto& d : resp.decisions()) EXPECT_TRUE(seen.insert(d.name()).second);
    req.set_page_token(resp.next_page_token());
    ++pages;
  } while (!req.page_token().empty());
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);

  // Filter by model and verdict.
  v1::ListDecisionsRequest churn;
  churn.set_model("models/churn");
  churn.set_verdict(v1::REJECT);
  v1::ListDecisionsResponse resp;
  ASSERT_TRUE(stub_->ListDecisions(Context().get(), churn, &resp).ok());
  EXPECT_EQ(resp.decisions_size(), 3);

  // A token of one filter set is refused for another; garbage is refused.
  req.set_page_size(2);
  req.clear_page_token();
  ASSERT_TRUE(stub_->ListDecisions(Context().get(), req, &resp).ok());
  churn.set_page_token(resp.next_page_token());
  grpc::Status s = stub_->ListDecisions(Context().get(), churn, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  churn.set_page_token("!!!");
  EXPECT_EQ(stub_->ListDecisions(Context().get(), churn, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GatekeeperTest, DecisionsSurviveARestart) {
  Ready("churn");
  v1::Decision d;
  ASSERT_TRUE(Ask(Request("churn", 1.0, 700), &d).ok());
  StopServer();
  StartServer();
  v1::GetDecisionRequest get;
  get.set_name(d.name());
  v1::Decision stored;
  ASSERT_TRUE(stub_->GetDecision(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.verdict(), d.verdict());
  EXPECT_EQ(stored.reason(), d.reason());
}

// The server keeps each model's latest policy and reference in memory (it is the database's
// only writer): every decision must still use the latest ones set, before and after a restart.
TEST_F(GatekeeperTest, EachDecisionUsesTheLatestPolicyAndReference) {
  Ready("churn");
  const auto set_policy = [&](double min_gain) {
    v1::SetPolicyRequest req;
    req.mutable_policy()->set_model("models/churn");
    req.mutable_policy()->set_cooldown_s(0);
    req.mutable_policy()->set_min_gain(min_gain);
    v1::Policy stored;
    EXPECT_TRUE(stub_->SetPolicy(Context().get(), req, &stored).ok());
  };
  const auto ask = [&] {
    v1::Decision d;
    EXPECT_TRUE(Ask(Request("churn", 1.0, 700), &d).ok());
    return d;
  };
  set_policy(0.01);
  v1::Decision d = ask();
  EXPECT_EQ(d.policy_version(), 1);
  EXPECT_DOUBLE_EQ(d.gain().reference_accuracy(), 0.9);
  set_policy(0.02);
  ASSERT_TRUE(SetReference("churn", 0.95).ok());
  d = ask();
  EXPECT_EQ(d.policy_version(), 2);
  EXPECT_DOUBLE_EQ(d.gain().reference_accuracy(), 0.95);
  StopServer();
  StartServer();
  d = ask();
  EXPECT_EQ(d.policy_version(), 2);
  EXPECT_DOUBLE_EQ(d.gain().reference_accuracy(), 0.95);
}

TEST_F(GatekeeperTest, PolicyValidationNamesTheField) {
  Ready("churn");
  v1::SetPolicyRequest req;
  req.mutable_policy()->set_model("models/churn");
  req.mutable_policy()->set_drift_share_threshold(7);
  v1::Policy out;
  grpc::Status s = stub_->SetPolicy(Context().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("policy.drift_share_threshold"));

  v1::GetPolicyRequest get;
  get.set_model("models/churn");
  ASSERT_TRUE(stub_->GetPolicy(Context().get(), get, &out).ok());
  EXPECT_EQ(out.version(), 0);  // the defaults, explicit
  EXPECT_DOUBLE_EQ(out.min_gain(), 0.005);
  EXPECT_EQ(out.cooldown_s(), 86400);
}

}  // namespace
}  // namespace greengate::service

namespace greengate::service {
namespace {

// A model's decisions are evaluated one at a time but share commits: each counts for the next
// from the moment it is queued, before its commit ends. Under concurrent calls a cooldown must
// still admit exactly one approval, an energy budget exactly the jobs it holds, and retries
// with one idempotency key make one decision.
class ConcurrentGatekeeperTest : public GatekeeperTest {
 protected:
  static constexpr int kThreads = 12;
  static constexpr int kCallsPerThread = 3;

  // Every thread asks kCallsPerThread times with `request`; returns every answer.
  std::vector<v1::Decision> AskConcurrently(const v1::ShouldRetrainRequest& request) {
    std::vector<std::vector<v1::Decision>> answers(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kCallsPerThread; ++i) {
          v1::Decision d;
          const grpc::Status s = Ask(request, &d);
          EXPECT_TRUE(s.ok()) << s.error_message();
          answers[t].push_back(d);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    std::vector<v1::Decision> all;
    for (const auto& a : answers) all.insert(all.end(), a.begin(), a.end());
    return all;
  }

  void SetPolicy(const std::string& id, const std::function<void(v1::Policy*)>& edit) {
    v1::SetPolicyRequest req;
    req.mutable_policy()->set_model("models/" + id);
    edit(req.mutable_policy());
    v1::Policy stored;
    ASSERT_TRUE(stub_->SetPolicy(Context().get(), req, &stored).ok());
  }

  static int Count(const std::vector<v1::Decision>& decisions, v1::Verdict verdict) {
    int n = 0;
    for (const v1::Decision& d : decisions) n += d.verdict() == verdict ? 1 : 0;
    return n;
  }
};

TEST_F(ConcurrentGatekeeperTest, ACooldownAdmitsOneApproval) {
  Ready("churn");
  SetPolicy("churn", [](v1::Policy* p) { p->set_cooldown_s(3600 * 6); });
  const std::vector<v1::Decision> all = AskConcurrently(Request("churn", 1.0, 700));
  EXPECT_EQ(Count(all, v1::APPROVE), 1);
  for (const v1::Decision& d : all) {
    if (d.verdict() != v1::APPROVE) {
      EXPECT_EQ(d.decided_by(), "cooldown") << d.reason();
    }
  }
  EXPECT_EQ(CountDecisions(), kThreads * kCallsPerThread);
}

TEST_F(ConcurrentGatekeeperTest, AnEnergyBudgetAdmitsTheJobsItHolds) {
  Ready("probe");
  v1::Decision probe;
  ASSERT_TRUE(Ask(Request("probe", 1.0, 700), &probe).ok());
  const double job_kwh = probe.cost().energy_kwh();
  ASSERT_GT(job_kwh, 0);
  Ready("churn");
  SetPolicy("churn", [&](v1::Policy* p) {
    p->set_cooldown_s(0);  // the default cooldown would admit only one
    p->set_energy_budget_kwh(3.5 * job_kwh);
  });
  const std::vector<v1::Decision> all = AskConcurrently(Request("churn", 1.0, 700));
  EXPECT_EQ(Count(all, v1::APPROVE), 3);
  for (const v1::Decision& d : all) {
    if (d.verdict() != v1::APPROVE) {
      EXPECT_EQ(d.decided_by(), "energy_budget") << d.reason();
    }
  }
}

TEST_F(ConcurrentGatekeeperTest, RetriesWithOneIdempotencyKeyMakeOneDecision) {
  Ready("churn");
  v1::ShouldRetrainRequest req = Request("churn", 1.0, 700);
  req.set_idempotency_key("airflow-run-42");
  const std::vector<v1::Decision> all = AskConcurrently(req);
  for (const v1::Decision& d : all) EXPECT_EQ(d.name(), all.front().name());
  EXPECT_EQ(CountDecisions(), 1);
}

// A decision counts for the next ones from the moment it is queued; if its commit then fails
// (here: another connection holds the write lock past the busy timeout), the caller gets
// UNAVAILABLE and the approval must stop counting: the next call is approved, not held back by
// the cooldown of a decision that is not in the log.
TEST_F(ConcurrentGatekeeperTest, AnApprovalWhoseCommitFailedDoesNotCount) {
  StopServer();
  store::StoreOptions quick_busy;
  quick_busy.busy_timeout_ms = 1;
  ASSERT_TRUE(loop_.Start(&clock_, {}, nullptr, quick_busy).ok());
  stub_ = loop_.stub();
  Ready("churn");
  SetPolicy("churn", [](v1::Policy* p) { p->set_cooldown_s(3600 * 6); });
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((loop_.dir() + "/gg.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  v1::Decision lost;
  EXPECT_EQ(Ask(Request("churn", 1.0, 700), &lost).error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  v1::Decision next;
  ASSERT_TRUE(Ask(Request("churn", 1.0, 700), &next).ok());
  EXPECT_EQ(next.verdict(), v1::APPROVE) << next.reason();
  EXPECT_EQ(CountDecisions(), 1);
}

// With a fleet budget the models' decisions queue one at a time on the fleet's ledger and then
// share commits: across models asking at once, the budget admits exactly the jobs it holds.
TEST_F(ConcurrentGatekeeperTest, AFleetBudgetAdmitsTheJobsItHoldsAcrossModels) {
  Ready("probe");
  v1::Decision probe;
  ASSERT_TRUE(Ask(Request("probe", 1.0, 700), &probe).ok());
  const double job_kwh = probe.cost().energy_kwh();
  StopServer();
  ServerOptions options;
  options.fleet_budget.energy_budget_kwh = 4.5 * job_kwh;  // the probe's approval counts too
  options.fleet_budget.window = absl::Hours(24);
  ASSERT_TRUE(loop_.Start(&clock_, options).ok());
  stub_ = loop_.stub();
  for (int m = 0; m < kThreads; ++m) Ready(absl::StrCat("m", m));
  std::vector<v1::Decision> all(kThreads);
  std::vector<std::thread> threads;
  for (int m = 0; m < kThreads; ++m) {
    threads.emplace_back([&, m] {
      const grpc::Status s = Ask(Request(absl::StrCat("m", m), 1.0, 700), &all[m]);
      EXPECT_TRUE(s.ok()) << s.error_message();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(Count(all, v1::APPROVE), 3);
  for (const v1::Decision& d : all) {
    if (d.verdict() != v1::APPROVE) {
      EXPECT_EQ(d.decided_by(), "fleet_energy_budget") << d.reason();
    }
  }
}

}  // namespace
}  // namespace greengate::service
