// `greengate watch` against a real in-process server: lines and JSON Lines, --count, errors.

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/service/server.h"
#include "tests/client/cli_test.h"
#include "tests/service/test_profiles.h"

namespace greengate::client {
namespace {

class WatchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/greengate-watchcli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = store::Store::Open(dir_ + "/gg.db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    service::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    auto server =
        service::RunningServer::Start(options, store_.get(), &clock_, &energy::Tables::Shipped());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
    stub_ = v1::RetrainGatekeeper::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
    grpc::ClientContext c1, c2;
    v1::RegisterModelRequest reg;
    reg.set_model_id("churn");
    reg.mutable_model()->set_deployed_version("v1");
    v1::Model model;
    ASSERT_TRUE(stub_->RegisterModel(&c1, reg, &model).ok());
    v1::SetReferenceRequest ref;
    ref.mutable_reference()->set_model("models/churn");
    *ref.mutable_reference()->mutable_profile() = greengate::testing::MakeProfile(800, 0, 1);
    v1::Reference out;
    ASSERT_TRUE(stub_->SetReference(&c2, ref, &out).ok());
  }
  void TearDown() override {
    stub_.reset();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs the CLI in a thread while making (rejected) decisions until it exits: the watch may
  // subscribe after the first decisions, so keep deciding instead of guessing when it is live.
  testing::CliResult WatchWhileDeciding(const std::vector<std::string>& args) {
    testing::CliResult result;
    std::atomic<bool> done{false};
    std::thread cli([&] {
      result = testing::RunInProcess(args, address_);
      done = true;
    });
    for (int i = 0; i < 300 && !done; ++i) {
      v1::ShouldRetrainRequest req;
      req.set_model("models/churn");
      *req.mutable_current() = greengate::testing::MakeProfile(600, 0, 100);
      *req.mutable_plan() = greengate::testing::SmallPlan();
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      v1::Decision d;
      EXPECT_TRUE(stub_->ShouldRetrain(&ctx, req, &d).ok());
      absl::SleepFor(absl::Milliseconds(100));
    }
    cli.join();
    return result;
  }

  std::string dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::RunningServer> server_;
  std::string address_;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub_;
};

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST_F(WatchCommandTest, OneLinePerDecisionUntilCount) {
  const testing::CliResult r =
      WatchWhileDeciding({"watch", "--model", "churn", "--verdict", "reject", "--count", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (const std::string& line : lines) {
    EXPECT_NE(line.find("REJECT  models/churn  decisions/"), std::string::npos) << line;
    EXPECT_NE(line.find(" kWh  "), std::string::npos) << line;
  }
}

TEST_F(WatchCommandTest, JsonLines) {
  const testing::CliResult r = WatchWhileDeciding({"--json", "watch", "--count", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const std::string& line : lines) {
    const nlohmann::json d = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(d.is_object()) << line;
    EXPECT_EQ(d["model"], "models/churn");
    EXPECT_EQ(d["verdict"], "REJECT");
  }
}

TEST_F(WatchCommandTest, UnknownModelIsNotFound) {
  const testing::CliResult r = testing::RunInProcess({"watch", "--model", "nope"}, address_);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace greengate::client
