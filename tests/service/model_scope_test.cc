// Tokens limited to some models (token file `models=`), end to end: a real server on
// 127.0.0.1:0 (LoopbackServer) with a token file, real gRPC channels. A limited token acts on
// its models only, whether the request names the model, names a decision of it, or lists.

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/auth/authenticator.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

using google::protobuf::util::TimeUtil;
using greengate::testing::MakeProfile;
using greengate::testing::SmallPlan;
using ::testing::HasSubstr;

constexpr char kAdminToken[] = "admin-secret-0123456789abc";        // every model
constexpr char kPipelineToken[] = "scoped-pipeline-0123456789";     // churn, fraud-*
constexpr char kReviewerToken[] = "scoped-reviewer-0123456789";     // fraud-*
constexpr char kScopedAdminToken[] = "scoped-admin-0123456789abc";  // churn

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

class ModelScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = loop_.dir() + "/tokens";
    std::ofstream(path) << "ops admin " << kAdminToken << "\n"
                        << "ci-churn pipeline " << kPipelineToken << " models=churn,fraud-*\n"
                        << "fraud-team reviewer " << kReviewerToken << " models=fraud-*\n"
                        << "churn-owner admin " << kScopedAdminToken << " models=churn\n";
    chmod(path.c_str(), 0600);
    auto authenticator = auth::Authenticator::FromFile(path);
    ASSERT_TRUE(authenticator.ok()) << authenticator.status();
    authenticator_ = std::move(*authenticator);
    ServerOptions options;
    options.authenticator = authenticator_.get();
    const absl::Status started = loop_.Start(&clock_, options);
    ASSERT_TRUE(started.ok()) << started;
    stub_ = loop_.stub();
    // churn-eu is outside the pipeline token's scope: "churn" is exact, not a prefix.
    for (const char* id : {"churn", "churn-eu", "fraud-eu", "ads"}) {
      ASSERT_NO_FATAL_FAILURE(Ready(id));
    }
  }

  // Registers model `id` with a reference, as the unlimited admin.
  void Ready(const std::string& id) {
    v1::RegisterModelRequest reg;
    reg.set_model_id(id);
    reg.mutable_model()->set_deployed_version("v1");
    v1::Model model;
    grpc::Status status = stub_->RegisterModel(Context(kAdminToken).get(), reg, &model);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::SetReferenceRequest ref;
    ref.mutable_reference()->set_model("models/" + id);
    *ref.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
    ref.mutable_reference()->set_accuracy(0.9);
    ref.mutable_reference()->set_evaluation_rows(5000);
    v1::Reference out;
    status = stub_->SetReference(Context(kAdminToken).get(), ref, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Drifted, degraded data: the first ShouldRetrain of a model approves.
  grpc::Status Ask(const std::string& token, const std::string& id, v1::Decision* out) {
    v1::ShouldRetrainRequest req;
    req.set_model("models/" + id);
    *req.mutable_current() = MakeProfile(600, 1.0, 100);
    req.mutable_labeled()->set_rows(1000);
    req.mutable_labeled()->set_correct(700);
    *req.mutable_plan() = SmallPlan();
    return stub_->ShouldRetrain(Context(token).get(), req, out);
  }

  grpc::Status Report(const std::string& token, const std::string& decision) {
    v1::ReportOutcomeRequest req;
    req.mutable_outcome()->set_decision(decision);
    req.mutable_outcome()->set_energy_kwh(1.5);
    req.mutable_outcome()->set_source("codecarbon");
    v1::Outcome out;
    return stub_->ReportOutcome(Context(token).get(), req, &out);
  }

  grpc::Status Get(const std::string& token, const std::string& decision) {
    v1::GetDecisionRequest req;
    req.set_name(decision);
    v1::Decision out;
    return stub_->GetDecision(Context(token).get(), req, &out);
  }

  grpc::Status ListDecisions(const std::string& token, const std::string& model) {
    v1::ListDecisionsRequest req;
    req.set_model(model);
    v1::ListDecisionsResponse out;
    return stub_->ListDecisions(Context(token).get(), req, &out);
  }

  // The status a WatchDecisions stream ends with; a permitted one is cut by a short deadline.
  grpc::Status Watch(const std::string& token, const std::string& model) {
    auto ctx = Context(token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    v1::WatchDecisionsRequest req;
    req.set_model(model);
    std::unique_ptr<grpc::ClientReader<v1::Decision>> reader =
        stub_->WatchDecisions(ctx.get(), req);
    v1::Decision ignored;
    while (reader->Read(&ignored)) {
    }
    return reader->Finish();
  }

  grpc::Status GovernanceReport(const std::string& token, const std::string& model) {
    v1::GetGovernanceReportRequest req;
    *req.mutable_start_time() = TimeUtil::SecondsToTimestamp(1'789'000'000);
    *req.mutable_end_time() = TimeUtil::SecondsToTimestamp(1'791'000'000);
    req.set_model(model);
    v1::GovernanceReport out;
    return stub_->GetGovernanceReport(Context(token).get(), req, &out);
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<auth::Authenticator> authenticator_;
  greengate::testing::LoopbackServer loop_{"scope"};  // after what the server uses
  v1::RetrainGatekeeper::Stub* stub_ = nullptr;       // owned by loop_
};

void ExpectDenied(const grpc::Status& status, const std::string& what) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(what));
}

TEST_F(ModelScopeTest, ScopedPipelineDecidesOnItsModelsOnly) {
  v1::Decision own, by_prefix, outside;
  grpc::Status status = Ask(kPipelineToken, "churn", &own);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(own.caller(), "ci-churn");
  status = Ask(kPipelineToken, "fraud-eu", &by_prefix);  // fraud-* is a prefix
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectDenied(Ask(kPipelineToken, "churn-eu", &outside),
               "caller 'ci-churn' may not act on 'models/churn-eu'; its token is limited to "
               "models churn,fraud-*");
  ExpectDenied(Ask(kPipelineToken, "ads", &outside), "'models/ads'");
  v1::ListDecisionsResponse logged;
  ASSERT_TRUE(stub_->ListDecisions(Context(kAdminToken).get(), {}, &logged).ok());
  EXPECT_EQ(logged.decisions_size(), 2);  // nothing logged when refused

  // Reading: its models' decisions, models, references and policies, and no one else's.
  EXPECT_TRUE(Get(kPipelineToken, own.name()).ok());
  v1::GetModelRequest get_model;
  get_model.set_name("models/ads");
  v1::Model model;
  ExpectDenied(stub_->GetModel(Context(kPipelineToken).get(), get_model, &model), "'models/ads'");
  v1::GetReferenceRequest get_reference;
  get_reference.set_model("models/churn-eu");
  v1::Reference reference;
  ExpectDenied(stub_->GetReference(Context(kPipelineToken).get(), get_reference, &reference),
               "'models/churn-eu'");
}

TEST_F(ModelScopeTest, DecisionsOfAnotherModelAreRefusedThroughTheirIds) {
  v1::Decision own, other;
  ASSERT_TRUE(Ask(kPipelineToken, "churn", &own).ok());
  ASSERT_EQ(own.verdict(), v1::APPROVE) << own.reason();
  ASSERT_TRUE(Ask(kAdminToken, "ads", &other).ok());
  ASSERT_EQ(other.verdict(), v1::APPROVE) << other.reason();

  ExpectDenied(Get(kPipelineToken, other.name()), "'models/ads'");
  ExpectDenied(Get(kReviewerToken, other.name()), "'models/ads'");
  ExpectDenied(Get(kReviewerToken, own.name()), "'models/churn'");
  // The bare id is a decision name too, and is refused alike.
  ExpectDenied(Get(kPipelineToken, other.name().substr(std::string("decisions/").size())),
               "'models/ads'");

  ExpectDenied(Report(kPipelineToken, other.name()), "'models/ads'");
  v1::GetDecisionRequest get;
  get.set_name(other.name());
  v1::Decision unchanged;
  ASSERT_TRUE(stub_->GetDecision(Context(kAdminToken).get(), get, &unchanged).ok());
  EXPECT_FALSE(unchanged.has_outcome());  // nothing was recorded
  const grpc::Status reported = Report(kPipelineToken, own.name());
  EXPECT_TRUE(reported.ok()) << reported.error_message();
}

TEST_F(ModelScopeTest, ScopedReviewerListsItsModelsAndNeedsAModelFilter) {
  v1::ListModelsResponse models;
  ASSERT_TRUE(stub_->ListModels(Context(kReviewerToken).get(), {}, &models).ok());
  std::set<std::string> names;
  for (const v1::Model& m : models.models()) names.insert(m.name());
  EXPECT_EQ(names, std::set<std::string>{"models/fraud-eu"});
  ASSERT_TRUE(stub_->ListModels(Context(kScopedAdminToken).get(), {}, &models).ok());
  ASSERT_EQ(models.models_size(), 1);
  EXPECT_EQ(models.models(0).name(), "models/churn");
  ASSERT_TRUE(stub_->ListModels(Context(kAdminToken).get(), {}, &models).ok());
  EXPECT_EQ(models.models_size(), 4);

  for (const char* token : {kReviewerToken, kScopedAdminToken}) {
    SCOPED_TRACE(token);
    ExpectDenied(ListDecisions(token, ""), "ListDecisions needs a `model` filter among them");
    ExpectDenied(Watch(token, ""), "WatchDecisions needs a `model` filter among them");
    ExpectDenied(GovernanceReport(token, ""),
                 "GetGovernanceReport needs a `model` filter among them");
    ExpectDenied(ListDecisions(token, "models/ads"), "'models/ads'");
    ExpectDenied(Watch(token, "models/ads"), "'models/ads'");
    ExpectDenied(GovernanceReport(token, "models/ads"), "'models/ads'");
  }
  EXPECT_TRUE(ListDecisions(kReviewerToken, "models/fraud-eu").ok());
  EXPECT_TRUE(GovernanceReport(kReviewerToken, "models/fraud-eu").ok());
  EXPECT_EQ(Watch(kReviewerToken, "models/fraud-eu").error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);  // served until the deadline
  EXPECT_TRUE(ListDecisions(kScopedAdminToken, "models/churn").ok());
  EXPECT_TRUE(ListDecisions(kAdminToken, "").ok());  // an unlimited token needs no filter
}

TEST_F(ModelScopeTest, ScopedAdminWritesItsModelsOnly) {
  v1::SetPolicyRequest policy;
  policy.mutable_policy()->set_model("models/churn");
  v1::Policy stored;
  grpc::Status status = stub_->SetPolicy(Context(kScopedAdminToken).get(), policy, &stored);
  EXPECT_TRUE(status.ok()) << status.error_message();
  policy.mutable_policy()->set_model("models/ads");
  ExpectDenied(stub_->SetPolicy(Context(kScopedAdminToken).get(), policy, &stored),
               "caller 'churn-owner' may not act on 'models/ads'");
  v1::RegisterModelRequest reg;
  reg.set_model_id("newcomer");
  reg.mutable_model()->set_deployed_version("v1");
  v1::Model model;
  ExpectDenied(stub_->RegisterModel(Context(kScopedAdminToken).get(), reg, &model),
               "'models/newcomer'");
}

}  // namespace
}  // namespace greengate::service
