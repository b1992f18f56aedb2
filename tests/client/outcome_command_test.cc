// report-outcome and the CodeCarbon reader, on the sample files in tests/client/testdata/
// (CodeCarbon 2.x emissions.csv with two runs, the first saved twice; a 1.x file).

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/codecarbon.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/service/server.h"
#include "tests/client/cli_test.h"
#include "tests/client/test_files.h"
#include "tests/service/test_profiles.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string TestData(const std::string& name) {
  return std::string(GG_SOURCE_DIR) + "/tests/client/testdata/" + name;
}

// emissions.csv: run ...01 saved at 600 s (0.5 kWh) and 1500 s (1.25 kWh, 0.0625 kg), cumulative;
// run ...02: 2.0 kWh, 0.1 kg, 2400 s.
TEST(CodeCarbonTest, LastRunByDefault) {
  auto totals = ReadCodeCarbonFile(TestData("emissions.csv"), /*all_runs=*/false);
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_DOUBLE_EQ(totals->energy_kwh, 2.0);
  EXPECT_DOUBLE_EQ(totals->co2e_kg, 0.1);
  EXPECT_DOUBLE_EQ(totals->duration_s, 2400);
  EXPECT_EQ(totals->runs, 1);
  EXPECT_EQ(totals->rows, 3);
}

// All runs: the last row of each run, never the periodic saves twice: 1.25 + 2.0 kWh.
TEST(CodeCarbonTest, AllRunsSumsTheLastRowOfEachRun) {
  auto totals = ReadCodeCarbonFile(TestData("emissions.csv"), /*all_runs=*/true);
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_DOUBLE_EQ(totals->energy_kwh, 3.25);
  EXPECT_DOUBLE_EQ(totals->co2e_kg, 0.1625);
  EXPECT_DOUBLE_EQ(totals->duration_s, 3900);
  EXPECT_EQ(totals->runs, 2);
}

TEST(CodeCarbonTest, ReadsVersion1FilesWithExperimentId) {
  auto totals = ReadCodeCarbonFile(TestData("emissions_v1.csv"), false);
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_DOUBLE_EQ(totals->energy_kwh, 0.125);
  EXPECT_DOUBLE_EQ(totals->co2e_kg, 0.05);
  EXPECT_DOUBLE_EQ(totals->duration_s, 857.5);
}

TEST(CodeCarbonTest, RejectsFilesThatAreNotCodeCarbonOutput) {
  const struct {
    const char* text;
    const char* message;
  } kBad[] = {
      {"", "empty file"},
      {"a,b,c\n1,2,3\n", "not a CodeCarbon emissions.csv"},
      {"run_id,duration,emissions,energy_consumed\n", "no data rows"},
      {"run_id,duration,emissions,energy_consumed\nr,10,0.1,abc\n",
       "line 2: column energy_consumed"},
      {"run_id,duration,emissions,energy_consumed\nr,-10,0.1,1\n", "line 2: column duration"},
  };
  for (const auto& bad : kBad) {
    std::istringstream in(bad.text);
    auto totals = ParseCodeCarbon(&in, "x.csv", false);
    ASSERT_FALSE(totals.ok()) << bad.text;
    EXPECT_EQ(totals.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(totals.status().message()), HasSubstr(bad.message));
  }
  EXPECT_EQ(ReadCodeCarbonFile("/nonexistent/emissions.csv", false).status().code(),
            absl::StatusCode::kNotFound);
}

// The CLI against an in-process server: one approved decision, then report-outcome.
class ReportOutcomeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/greengate-outcome-cli-XXXXXX";
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
    auto stub = v1::RetrainGatekeeper::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));

    v1::RegisterModelRequest reg;
    reg.set_model_id("churn");
    reg.mutable_model()->set_deployed_version("v1");
    v1::Model model;
    grpc::ClientContext c1;
    ASSERT_TRUE(stub->RegisterModel(&c1, reg, &model).ok());
    v1::SetReferenceRequest ref;
    ref.mutable_reference()->set_model("models/churn");
    *ref.mutable_reference()->mutable_profile() = greengate::testing::MakeProfile(800, 0, 1);
    ref.mutable_reference()->set_accuracy(0.9);
    ref.mutable_reference()->set_evaluation_rows(5000);
    v1::Reference stored;
    grpc::ClientContext c2;
    ASSERT_TRUE(stub->SetReference(&c2, ref, &stored).ok());
    v1::ShouldRetrainRequest req;
    req.set_model("models/churn");
    *req.mutable_current() = greengate::testing::MakeProfile(600, 1.0, 100);
    req.mutable_labeled()->set_rows(1000);
    req.mutable_labeled()->set_correct(850);
    *req.mutable_plan() = greengate::testing::SmallPlan();
    grpc::ClientContext c3;
    ASSERT_TRUE(stub->ShouldRetrain(&c3, req, &decision_).ok());
    ASSERT_EQ(decision_.verdict(), v1::APPROVE) << decision_.reason();
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::RunningServer> server_;
  std::string address_;
  v1::Decision decision_;
};

TEST_F(ReportOutcomeCliTest, ReadsCodeCarbonAndReportsOnce) {
  const std::string id = decision_.name().substr(std::string("decisions/").size());
  testing::CliResult r = testing::RunInProcess(
      {"report-outcome", "--decision", id, "--codecarbon", TestData("emissions.csv"),
       "--accuracy-before", "0.85", "--accuracy-after", "0.88", "--evaluation-set", "holdout",
       "--evaluation-rows", "5000", "--training-rows", "1000000", "--json"},
      address_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"energy_kwh\": 2"));
  EXPECT_THAT(r.out, HasSubstr("\"source\": \"codecarbon\""));
  EXPECT_THAT(r.out, HasSubstr("\"duration_s\": 2400"));

  r = testing::RunInProcess({"report-outcome", "--decision", decision_.name(), "--energy-kwh", "3",
                             "--accuracy-after", "0.88"},
                            address_);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: ALREADY_EXISTS: "));

  r = testing::RunInProcess({"decision", decision_.name(), "--json"}, address_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"outcome\""));
}

TEST_F(ReportOutcomeCliTest, ManualNumbersAndUsageErrors) {
  testing::CliResult r = testing::RunInProcess(
      {"report-outcome", "--decision", decision_.name(), "--energy-kwh", "1.5", "--co2e-kg", "0.2",
       "--duration-s", "3600", "--accuracy-after", "0.9"},
      address_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("outcome of " + decision_.name() + " (manual)"));
  EXPECT_THAT(r.out, HasSubstr("1.5 kWh"));

  // Neither or both energy sources; --co2e-kg with a file; a missing accuracy.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"report-outcome", "--decision", "d", "--accuracy-after", "0.9"},
           {"report-outcome", "--decision", "d", "--energy-kwh", "1", "--codecarbon",
            TestData("emissions.csv"), "--accuracy-after", "0.9"},
           {"report-outcome", "--decision", "d", "--codecarbon", TestData("emissions.csv"),
            "--co2e-kg", "1", "--accuracy-after", "0.9"},
           {"report-outcome", "--decision", "d", "--energy-kwh", "1"},
           {"report-outcome", "--decision", "d", "--energy-kwh", "1", "--accuracy-after", "1.5"},
       }) {
    r = testing::RunInProcess(args, address_);
    EXPECT_EQ(r.code, 2) << args.back() << "\n" << r.err;
  }
}

}  // namespace
}  // namespace greengate::client
