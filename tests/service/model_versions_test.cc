// Model versions and the decision that produced one, on a real server (127.0.0.1:0), a temp
// SQLite file and a FakeClock: every version field follows one rule (at most 256 bytes, no
// control characters), so any registered version can be named again in SetReference, and
// Reference.approved_by's errors name the field.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

using greengate::testing::MakeProfile;
using ::testing::HasSubstr;

class ModelVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = loop_.Start(&clock_);
    ASSERT_TRUE(started.ok()) << started;
    stub_ = loop_.stub();
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  grpc::Status Register(const std::string& id, const std::string& version) {
    v1::RegisterModelRequest req;
    req.set_model_id(id);
    req.mutable_model()->set_deployed_version(version);
    v1::Model out;
    return stub_->RegisterModel(Context().get(), req, &out);
  }

  grpc::Status SetReference(const std::string& id, const std::string& version,
                            const std::string& approved_by = "") {
    v1::SetReferenceRequest req;
    req.mutable_reference()->set_model("models/" + id);
    req.mutable_reference()->set_model_version(version);
    req.mutable_reference()->set_approved_by(approved_by);
    *req.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
    v1::Reference out;
    return stub_->SetReference(Context().get(), req, &out);
  }

  std::string DeployedVersion(const std::string& id) {
    v1::GetModelRequest get;
    get.set_name("models/" + id);
    v1::Model model;
    EXPECT_TRUE(stub_->GetModel(Context().get(), get, &model).ok());
    return model.deployed_version();
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop_{"versions"};  // after clock_: stops before it goes
  v1::RetrainGatekeeper::Stub* stub_ = nullptr;          // owned by loop_
};

// A version RegisterModel accepts can be named in SetReference: one limit for both.
TEST_F(ModelVersionsTest, EveryVersionFieldTakesTheSameLongestVersion) {
  const std::string longest(256, 'v');
  ASSERT_TRUE(Register("churn", longest).ok());
  grpc::Status s = SetReference("churn", longest);  // the deployed version, named
  ASSERT_TRUE(s.ok()) << s.error_message();

  const std::string deployed(200, 'w');  // a retrain landing with a long version
  s = SetReference("churn", deployed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(DeployedVersion("churn"), deployed);
  s = SetReference("churn", longest);  // and back: a rollback
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(DeployedVersion("churn"), longest);
}

TEST_F(ModelVersionsTest, TooLongOrControlCharactersAreRefusedNamingTheField) {
  const std::string too_long(257, 'v');
  grpc::Status s = Register("churn", too_long);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "model.deployed_version: 257 bytes; at most 256");
  s = Register("churn", "v1\n");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("model.deployed_version: control characters"));
  s = Register("churn", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "model.deployed_version: required");

  ASSERT_TRUE(Register("churn", "v1").ok());
  s = SetReference("churn", too_long);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "reference.model_version: 257 bytes; at most 256");
  s = SetReference("churn", "v2\x7f");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("reference.model_version: control characters"));
  EXPECT_EQ(DeployedVersion("churn"), "v1");
}

TEST_F(ModelVersionsTest, UnknownApprovingDecisionIsNotFoundNamingTheField) {
  ASSERT_TRUE(Register("churn", "v1").ok());
  ASSERT_TRUE(SetReference("churn", "").ok());
  const std::string unknown = "decisions/0123456789abcdef0123456789abcdef";
  grpc::Status s = SetReference("churn", "v2", unknown);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "reference.approved_by: decision " + unknown + " not found");
  s = SetReference("churn", "v2", "decisions/not-hex");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("reference.approved_by"));
  EXPECT_EQ(DeployedVersion("churn"), "v1");  // nothing landed
}

}  // namespace
}  // namespace greengate::service
