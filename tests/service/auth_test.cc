// Bearer tokens, roles and TLS end to end: a real server on 127.0.0.1:0 (LoopbackServer) with a
// token file, real gRPC channels (plaintext, TLS, mutual TLS with certificates made by the
// `openssl` CLI at test time).

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/auth/authenticator.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_certs.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

using greengate::testing::MakeProfile;
using greengate::testing::SmallPlan;
using ::testing::HasSubstr;

constexpr char kPipelineToken[] = "pipeline-secret-0123456789";
constexpr char kReviewerToken[] = "reviewer-secret-0123456789";
constexpr char kAdminToken[] = "admin-secret-0123456789abc";

void SetDeadline(grpc::ClientContext* ctx, int seconds) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// A context carrying `token` (none when empty), with a deadline.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  SetDeadline(ctx.get(), 30);
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

class AuthTest : public ::testing::Test {
 protected:
  // Starts the server with the three tokens; `options` may add TLS.
  void StartServer(ServerOptions options = {},
                   std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr) {
    const std::string path = loop_.dir() + "/tokens";
    std::ofstream(path) << "# test tokens\nci pipeline " << kPipelineToken << "\nalice reviewer "
                        << kReviewerToken << "\nops admin " << kAdminToken << "\n";
    chmod(path.c_str(), 0600);
    auto authenticator = auth::Authenticator::FromFile(path);
    ASSERT_TRUE(authenticator.ok()) << authenticator.status();
    authenticator_ = std::move(*authenticator);
    options.authenticator = authenticator_.get();
    const absl::Status started = loop_.Start(&clock_, options, std::move(credentials));
    ASSERT_TRUE(started.ok()) << started;
  }

  // Registers model `id` with a reference, as admin.
  void Ready(v1::RetrainGatekeeper::Stub* stub, const std::string& id) {
    v1::RegisterModelRequest reg;
    reg.set_model_id(id);
    reg.mutable_model()->set_deployed_version("v1");
    v1::Model model;
    const grpc::Status registered = stub->RegisterModel(Context(kAdminToken).get(), reg, &model);
    ASSERT_TRUE(registered.ok()) << registered.error_message();
    v1::SetReferenceRequest ref;
    ref.mutable_reference()->set_model("models/" + id);
    *ref.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
    ref.mutable_reference()->set_accuracy(0.9);
    ref.mutable_reference()->set_evaluation_rows(5000);
    v1::Reference out;
    const grpc::Status set = stub->SetReference(Context(kAdminToken).get(), ref, &out);
    ASSERT_TRUE(set.ok()) << set.error_message();
  }

  static v1::ShouldRetrainRequest Ask(const std::string& id) {
    v1::ShouldRetrainRequest req;
    req.set_model("models/" + id);
    *req.mutable_current() = MakeProfile(600, 1.0, 100);
    req.mutable_labeled()->set_rows(1000);
    req.mutable_labeled()->set_correct(700);
    *req.mutable_plan() = SmallPlan();
    return req;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<auth::Authenticator> authenticator_;
  greengate::testing::LoopbackServer loop_{"auth"};  // after what the server uses
};

TEST_F(AuthTest, MissingOrUnknownTokenIsUnauthenticated) {
  StartServer();
  v1::ListModelsResponse models;
  grpc::Status status = loop_.stub()->ListModels(Context("").get(), {}, &models);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("authorization: Bearer <token>"));

  status = loop_.stub()->ListModels(Context("not-a-token-0123456789").get(), {}, &models);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "unknown bearer token");

  auto wrong_scheme = Context("");
  wrong_scheme->AddMetadata("authorization", std::string("Basic ") + kAdminToken);
  status = loop_.stub()->ListModels(wrong_scheme.get(), {}, &models);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  v1::Decision decision;
  status = loop_.stub()->ShouldRetrain(Context("").get(), Ask("churn"), &decision);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthTest, RoleDecidesWhatACallerMayDo) {
  StartServer();
  ASSERT_NO_FATAL_FAILURE(Ready(loop_.stub(), "churn"));

  v1::Decision denied;
  grpc::Status status =
      loop_.stub()->ShouldRetrain(Context(kReviewerToken).get(), Ask("churn"), &denied);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "caller 'alice' (role reviewer) may not call ShouldRetrain; it needs role pipeline "
            "or admin");

  v1::Decision decision;
  status = loop_.stub()->ShouldRetrain(Context(kPipelineToken).get(), Ask("churn"), &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(decision.caller(), "ci");
  EXPECT_EQ(decision.caller_role(), "pipeline");
  EXPECT_EQ(decision.caller_certificate(), "");

  // The caller is part of the stored decision: what the reviewer reads back, and the payload
  // that the audit chain hashes.
  v1::GetDecisionRequest get;
  get.set_name(decision.name());
  v1::Decision read;
  status = loop_.stub()->GetDecision(Context(kReviewerToken).get(), get, &read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read.caller(), "ci");
  EXPECT_EQ(read.caller_role(), "pipeline");
  auto row = loop_.store()->GetDecision(decision.name().substr(std::string("decisions/").size()));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_THAT(row->payload, HasSubstr("\"caller\":\"ci\""));

  // A pipeline may not change the policy; an admin may.
  v1::SetPolicyRequest policy;
  policy.mutable_policy()->set_model("models/churn");
  v1::Policy stored;
  status = loop_.stub()->SetPolicy(Context(kPipelineToken).get(), policy, &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = loop_.stub()->SetPolicy(Context(kAdminToken).get(), policy, &stored);
  EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
}

TEST_F(AuthTest, HealthNeedsNoToken) {
  StartServer();
  auto health = grpc::health::v1::Health::NewStub(loop_.channel());
  for (const std::string service : {"", "greengate.v1.RetrainGatekeeper"}) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    const grpc::Status status = health->Check(Context("").get(), req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

// Every method of the service, called as raw bytes (an empty request): without a token it is
// refused, and with a token exactly the roles of the table get past the check. A method added
// to the service without a check in its handler fails here.
TEST_F(AuthTest, EveryMethodIsChecked) {
  StartServer();
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::RetrainGatekeeper::service_full_name());
  ASSERT_NE(service, nullptr);
  grpc::GenericStub generic(loop_.channel());
  grpc::CompletionQueue cq;
  auto call = [&](const std::string& method, const std::string& token) {
    auto ctx = Context(token);
    SetDeadline(ctx.get(), 2);  // a permitted WatchDecisions would stream until then
    grpc::Slice empty("", 0);
    grpc::ByteBuffer request(&empty, 1);  // zero bytes: every request field at its default
    grpc::ByteBuffer response;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader =
        generic.PrepareUnaryCall(ctx.get(), method, request, &cq);
    reader->StartCall();
    reader->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    return status.error_code();
  };
  ASSERT_GE(service->method_count(), 14);
  const struct {
    auth::Role role;
    const char* token;
  } roles[] = {{auth::Role::kPipeline, kPipelineToken},
               {auth::Role::kReviewer, kReviewerToken},
               {auth::Role::kAdmin, kAdminToken}};
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string name = service->method(i)->name();
    const std::string path = absl::StrCat("/", service->full_name(), "/", name);
    EXPECT_EQ(call(path, ""), grpc::StatusCode::UNAUTHENTICATED) << name;
    EXPECT_EQ(call(path, "wrong-token-0123456789"), grpc::StatusCode::UNAUTHENTICATED) << name;
    for (const auto& r : roles) {
      const grpc::StatusCode code = call(path, r.token);
      if (auth::MayCall(r.role, name)) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED) << name << " as " << r.token;
        EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << name << " as " << r.token;
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << name << " as " << r.token;
      }
    }
  }
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

TEST(AuthOpenServerTest, WithoutTokensCallersAreAnonymous) {
  FakeClock clock{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop("auth-open");
  ASSERT_TRUE(loop.Start(&clock).ok());
  v1::RegisterModelRequest reg;
  reg.set_model_id("churn");
  reg.mutable_model()->set_deployed_version("v1");
  v1::Model model;
  ASSERT_TRUE(loop.stub()->RegisterModel(Context("").get(), reg, &model).ok());
  v1::SetReferenceRequest ref;
  ref.mutable_reference()->set_model("models/churn");
  *ref.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
  v1::Reference out;
  ASSERT_TRUE(loop.stub()->SetReference(Context("").get(), ref, &out).ok());
  v1::ShouldRetrainRequest req;
  req.set_model("models/churn");
  *req.mutable_current() = MakeProfile(600, 1.0, 100);
  *req.mutable_plan() = SmallPlan();
  v1::Decision decision;
  // A token sent to a server without tokens is ignored, not an error.
  const grpc::Status status =
      loop.stub()->ShouldRetrain(Context("some-token-0123456789").get(), req, &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(decision.caller(), "anonymous");
  EXPECT_EQ(decision.caller_role(), "");
}

// --- TLS ------------------------------------------------------------------------------------

class TlsTest : public AuthTest {
 protected:
  void SetUp() override {
    certs_ = greengate::testing::MakeTestCerts(loop_.dir());
    ASSERT_EQ(certs_.error, "") << "openssl failed (is the openssl CLI installed?)";
  }
  std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& ca, bool client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = greengate::testing::TestCerts::Read(ca);
    if (client_cert) {
      ssl.pem_cert_chain = greengate::testing::TestCerts::Read(certs_.client_cert);
      ssl.pem_private_key = greengate::testing::TestCerts::Read(certs_.client_key);
    }
    return grpc::SslCredentials(ssl);
  }
  ServerOptions TlsOptions(bool mutual) const {
    ServerOptions options;
    options.tls_cert_file = certs_.server_cert;
    options.tls_key_file = certs_.server_key;
    if (mutual) options.tls_client_ca_file = certs_.ca;
    return options;
  }
  // ListModels as the reviewer over a fresh channel with `credentials`.
  grpc::Status List(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub = v1::RetrainGatekeeper::NewStub(grpc::CreateChannel(loop_.address(), credentials));
    v1::ListModelsResponse models;
    return stub->ListModels(Context(kReviewerToken).get(), {}, &models);
  }

  greengate::testing::TestCerts certs_;
};

TEST_F(TlsTest, TlsServerServesTlsClientsOnly) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsOptions(false), Tls(certs_.ca, false)));
  const grpc::Status tls = List(Tls(certs_.ca, false));
  EXPECT_TRUE(tls.ok()) << tls.error_message();

  const grpc::Status plaintext = List(grpc::InsecureChannelCredentials());
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << plaintext.error_message();

  const grpc::Status untrusted = List(Tls(certs_.other_ca, false));
  EXPECT_EQ(untrusted.error_code(), grpc::StatusCode::UNAVAILABLE) << untrusted.error_message();
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateAndRecordsItsSubject) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsOptions(true), Tls(certs_.ca, true)));
  const grpc::Status without_cert = List(Tls(certs_.ca, false));
  EXPECT_EQ(without_cert.error_code(), grpc::StatusCode::UNAVAILABLE)
      << without_cert.error_message();
  const grpc::Status with_cert = List(Tls(certs_.ca, true));
  EXPECT_TRUE(with_cert.ok()) << with_cert.error_message();

  ASSERT_NO_FATAL_FAILURE(Ready(loop_.stub(), "churn"));
  v1::Decision decision;
  const grpc::Status status =
      loop_.stub()->ShouldRetrain(Context(kPipelineToken).get(), Ask("churn"), &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(decision.caller(), "ci");
  EXPECT_THAT(decision.caller_certificate(), HasSubstr("CN=ci-runner"));
  EXPECT_THAT(decision.caller_certificate(), HasSubstr("O=greengate-test"));
}

TEST(TlsOptionsTest, HalfAKeyPairIsAnError) {
  ServerOptions options;
  options.tls_cert_file = "/nonexistent/server.pem";
  EXPECT_EQ(MakeServerCredentials(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.tls_key_file = "/nonexistent/server.key";
  const auto missing = MakeServerCredentials(options);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/server.pem"));
  EXPECT_TRUE(MakeServerCredentials(ServerOptions()).ok());
}

}  // namespace
}  // namespace greengate::service
