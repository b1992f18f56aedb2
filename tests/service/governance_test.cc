// Integration tests of the governance RPCs: ListDecisions time filters with keyset
// pagination, GetGovernanceReport over a period, and VerifyAuditLog against a database file
// edited behind the server's back. Real server on 127.0.0.1:0, real SQLite, FakeClock.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/service/server.h"
#include "tests/service/test_profiles.h"
#include "tests/store/test_util.h"

namespace greengate::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::greengate::testing::MakeProfile;
using ::greengate::testing::SmallPlan;
using ::testing::Contains;
using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

class GovernanceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/greengate-governance-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = store::Store::Open(db_path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    auto server = RunningServer::Start(options, store_.get(), &clock_, &energy::Tables::Shipped());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::RetrainGatekeeper::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    stub_.reset();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string db_path() const { return dir_ + "/gg.db"; }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  void Ready(const std::string& id) {
    v1::RegisterModelRequest reg;
    reg.set_model_id(id);
    reg.mutable_model()->set_deployed_version("v1");
    v1::Model model;
    ASSERT_TRUE(stub_->RegisterModel(Context().get(), reg, &model).ok());
    v1::SetReferenceRequest ref;
    ref.mutable_reference()->set_model("models/" + id);
    *ref.mutable_reference()->mutable_profile() = MakeProfile(800, 0, 1);
    ref.mutable_reference()->set_accuracy(0.9);
    ref.mutable_reference()->set_evaluation_rows(5000);
    v1::Reference out;
    ASSERT_TRUE(stub_->SetReference(Context().get(), ref, &out).ok());
  }

  // shift 1 with 700/1000 correct: approve; shift 0: reject; correct < 0: no labels (defer).
  v1::Decision Ask(const std::string& id, double shift, int64_t correct) {
    v1::ShouldRetrainRequest req;
    req.set_model("models/" + id);
    *req.mutable_current() = MakeProfile(600, shift, 100);
    if (correct >= 0) {
      req.mutable_labeled()->set_rows(1000);
      req.mutable_labeled()->set_correct(correct);
    }
    *req.mutable_plan() = SmallPlan();
    v1::Decision out;
    grpc::Status status = stub_->ShouldRetrain(Context().get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Five decisions over three days (t0 = the clock's start):
  //   t0     churn APPROVE      t0+1h  churn DEFER (cooldown)   t0+2h fraud REJECT
  //   t0+48h churn APPROVE      t0+72h fraud DEFER (no labels)
  void MakeHistory() {
    Ready("churn");
    Ready("fraud");
    v1::SetPolicyRequest policy;
    policy.mutable_policy()->set_model("models/churn");
    policy.mutable_policy()->set_cooldown_s(6 * 3600);
    policy.mutable_policy()->set_energy_budget_kwh(1000);
    v1::Policy stored;
    ASSERT_TRUE(stub_->SetPolicy(Context().get(), policy, &stored).ok());
    decisions_[0] = Ask("churn", 1.0, 700);
    clock_.Advance(absl::Hours(1));
    decisions_[1] = Ask("churn", 1.0, 700);
    clock_.Advance(absl::Hours(1));
    decisions_[2] = Ask("fraud", 0, 900);
    clock_.Advance(absl::Hours(46));
    decisions_[3] = Ask("churn", 1.0, 700);
    clock_.Advance(absl::Hours(24));
    decisions_[4] = Ask("fraud", 1.0, -1);
    const v1::Verdict want[] = {v1::APPROVE, v1::DEFER, v1::REJECT, v1::APPROVE, v1::DEFER};
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(decisions_[i].verdict(), want[i]) << i << ": " << decisions_[i].reason();
    }
  }

  v1::ListDecisionsResponse List(const v1::ListDecisionsRequest& req, grpc::Status* status) {
    v1::ListDecisionsResponse resp;
    *status = stub_->ListDecisions(Context().get(), req, &resp);
    return resp;
  }

  std::string dir_;
  const absl::Time t0_ = absl::FromUnixSeconds(1'790'000'000);
  FakeClock clock_{t0_};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub_;
  v1::Decision decisions_[5];
};

TEST_F(GovernanceServiceTest, ListDecisionsFiltersByTimeWithPagination) {
  MakeHistory();
  v1::ListDecisionsRequest req;
  *req.mutable_start_time() = Ts(t0_ + absl::Hours(1));  // inclusive
  *req.mutable_end_time() = Ts(t0_ + absl::Hours(48));   // exclusive
  req.set_page_size(1);
  grpc::Status status;
  v1::ListDecisionsResponse page = List(req, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.decisions_size(), 1);
  EXPECT_EQ(page.decisions(0).name(), decisions_[2].name());  // newest first
  ASSERT_FALSE(page.next_page_token().empty());

  req.set_page_token(page.next_page_token());
  page = List(req, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.decisions_size(), 1);
  EXPECT_EQ(page.decisions(0).name(), decisions_[1].name());
  EXPECT_TRUE(page.next_page_token().empty());

  // The token is bound to the time range as well as to model and verdict.
  *req.mutable_end_time() = Ts(t0_ + absl::Hours(49));
  List(req, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));

  // Only a start, combined with model and verdict filters.
  v1::ListDecisionsRequest since;
  *since.mutable_start_time() = Ts(t0_ + absl::Minutes(1));
  since.set_model("models/churn");
  since.set_verdict(v1::APPROVE);
  page = List(since, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.decisions_size(), 1);
  EXPECT_EQ(page.decisions(0).name(), decisions_[3].name());
}

TEST_F(GovernanceServiceTest, ListDecisionsRejectsAnEmptyTimeRange) {
  v1::ListDecisionsRequest req;
  *req.mutable_start_time() = Ts(t0_);
  *req.mutable_end_time() = Ts(t0_);
  grpc::Status status;
  List(req, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("end_time: must be after start_time"));
  req.mutable_end_time()->set_nanos(-1);
  List(req, &status);
  EXPECT_THAT(status.error_message(), HasSubstr("end_time: not a valid timestamp"));
}

// With fleet budgets on the server, the overall summary reports their use: energy and carbon
// approved by every model in the fleet window ending at the period's end.
TEST_F(GovernanceServiceTest, OverallSummaryReportsTheFleetBudgets) {
  MakeHistory();
  stub_.reset();
  server_.reset();
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.fleet_budget.energy_budget_kwh = 100;
  options.fleet_budget.carbon_budget_kg = 4;
  options.fleet_budget.window = absl::Hours(24 * 7);
  auto server = RunningServer::Start(options, store_.get(), &clock_, &energy::Tables::Shipped());
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  stub_ = v1::RetrainGatekeeper::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));

  v1::GetGovernanceReportRequest req;
  *req.mutable_start_time() = Ts(t0_);
  *req.mutable_end_time() = Ts(t0_ + absl::Hours(96));
  v1::GovernanceReport report;
  const grpc::Status status = stub_->GetGovernanceReport(Context().get(), req, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::GovernanceSummary& all = report.overall();
  const double kwh = decisions_[0].cost().energy_kwh() + decisions_[3].cost().energy_kwh();
  const double kg = decisions_[0].cost().co2e_kg() + decisions_[3].cost().co2e_kg();
  EXPECT_DOUBLE_EQ(all.energy_budget_kwh(), 100);
  EXPECT_EQ(all.budget_window_s(), 7 * 86400);
  EXPECT_NEAR(all.budget_used_kwh(), kwh, 1e-9);
  EXPECT_NEAR(all.budget_used_share(), kwh / 100, 1e-12);
  EXPECT_DOUBLE_EQ(all.carbon_budget_kg(), 4);
  EXPECT_NEAR(all.budget_used_co2e_kg(), kg, 1e-9);
  EXPECT_NEAR(all.carbon_budget_used_share(), kg / 4, 1e-12);
  // A model's carbon budget is reported the same way (none set here: unlimited).
  EXPECT_DOUBLE_EQ(report.models(0).carbon_budget_kg(), 0);
  EXPECT_NEAR(report.models(0).budget_used_co2e_kg(), kg, 1e-9);  // churn made both approvals
}

TEST_F(GovernanceServiceTest, ReportAggregatesThePeriod) {
  MakeHistory();
  v1::GetGovernanceReportRequest req;
  *req.mutable_start_time() = Ts(t0_);
  *req.mutable_end_time() = Ts(t0_ + absl::Hours(96));
  v1::GovernanceReport report;
  grpc::Status status = stub_->GetGovernanceReport(Context().get(), req, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const v1::GovernanceSummary& all = report.overall();
  EXPECT_EQ(all.decisions().approved(), 2);
  EXPECT_EQ(all.decisions().rejected(), 1);
  EXPECT_EQ(all.decisions().deferred(), 2);
  EXPECT_EQ(all.decisions().total(), 5);
  const double approved = decisions_[0].cost().energy_kwh() + decisions_[3].cost().energy_kwh();
  EXPECT_NEAR(all.approved_energy_kwh(), approved, 1e-9);
  // churn's deferral was approved later: not avoided. fraud's rejection and its open deferral
  // are.
  const double avoided = decisions_[2].cost().energy_kwh() + decisions_[4].cost().energy_kwh();
  EXPECT_NEAR(all.avoided_energy_kwh(), avoided, 1e-9);
  EXPECT_NEAR(all.avoided_co2e_kg(),
              decisions_[2].cost().co2e_kg() + decisions_[4].cost().co2e_kg(), 1e-9);
  EXPECT_EQ(all.deferrals_later_approved(), 1);
  EXPECT_EQ(all.deferrals_pending(), 1);
  EXPECT_EQ(all.outcomes(), 0);
  EXPECT_THAT(report.notes(), Contains(HasSubstr("No outcomes")));
  ASSERT_GT(all.most_drifted_features_size(), 0);
  EXPECT_EQ(all.most_drifted_features(0).drifted_decisions(), 4);  // all but the rejection
  EXPECT_GE(all.weeks_size(), 1);
  EXPECT_TRUE(report.audit().intact());
  EXPECT_EQ(report.audit().head_seq(), 5);

  ASSERT_EQ(report.models_size(), 2);
  const v1::GovernanceSummary& churn = report.models(0);
  EXPECT_EQ(churn.model(), "models/churn");
  EXPECT_DOUBLE_EQ(churn.energy_budget_kwh(), 1000);
  EXPECT_NEAR(churn.budget_used_kwh(), approved, 1e-9);
  EXPECT_NEAR(churn.budget_used_share(), approved / 1000, 1e-12);
  EXPECT_EQ(churn.budget_window_s(), 30 * 86400);
  EXPECT_EQ(report.models(1).model(), "models/fraud");
  EXPECT_DOUBLE_EQ(report.models(1).energy_budget_kwh(), 0);  // defaults: unlimited

  // One model, and a later window in which churn's deferral is outside.
  req.set_model("models/churn");
  *req.mutable_start_time() = Ts(t0_ + absl::Hours(47));
  status = stub_->GetGovernanceReport(Context().get(), req, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(report.models_size(), 1);
  EXPECT_EQ(report.overall().decisions().total(), 1);
  EXPECT_EQ(report.overall().deferrals_later_approved(), 0);
}

TEST_F(GovernanceServiceTest, ReportValidatesThePeriod) {
  v1::GetGovernanceReportRequest req;
  v1::GovernanceReport report;
  grpc::Status status = stub_->GetGovernanceReport(Context().get(), req, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("start_time: required"));
  *req.mutable_start_time() = Ts(t0_);
  *req.mutable_end_time() = Ts(t0_ - absl::Hours(1));
  status = stub_->GetGovernanceReport(Context().get(), req, &report);
  EXPECT_THAT(status.error_message(), HasSubstr("end_time: must be after start_time"));
  *req.mutable_end_time() = Ts(t0_ + absl::Hours(24 * 800));
  status = stub_->GetGovernanceReport(Context().get(), req, &report);
  EXPECT_THAT(status.error_message(), HasSubstr("at most 731 days"));
  *req.mutable_end_time() = Ts(t0_ + absl::Hours(1));
  req.set_model("models/nope");
  status = stub_->GetGovernanceReport(Context().get(), req, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GovernanceServiceTest, VerifyAuditLogFindsARowEditedBehindTheServersBack) {
  MakeHistory();
  v1::VerifyAuditLogRequest req;
  v1::AuditLogVerification v;
  ASSERT_TRUE(stub_->VerifyAuditLog(Context().get(), req, &v).ok());
  EXPECT_TRUE(v.intact()) << v.detail();
  EXPECT_EQ(v.checked_rows(), 5);
  EXPECT_EQ(v.head_seq(), 5);
  EXPECT_EQ(v.head_hash().size(), 64u);
  const std::string head_hash = v.head_hash();

  // An intruder with file access: drop the trigger, turn the rejection into an approval.
  store::testing::RawDb raw(db_path());
  ASSERT_EQ(raw.Exec("DROP TRIGGER decisions_no_update; "
                     "UPDATE decisions SET verdict = 'APPROVE' WHERE seq = 3;"),
            "");
  ASSERT_TRUE(stub_->VerifyAuditLog(Context().get(), req, &v).ok());
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.problem(), v1::AuditLogVerification::ALTERED);
  EXPECT_EQ(v.problem_seq(), 3);
  EXPECT_EQ(v.checked_rows(), 2);
  EXPECT_THAT(v.detail(), HasSubstr("does not match its hash"));
  v1::GetGovernanceReportRequest report_req;
  *report_req.mutable_start_time() = Ts(t0_);
  *report_req.mutable_end_time() = Ts(t0_ + absl::Hours(96));
  v1::GovernanceReport report;
  ASSERT_TRUE(stub_->GetGovernanceReport(Context().get(), report_req, &report).ok());
  EXPECT_FALSE(report.audit().intact());
  EXPECT_EQ(report.audit().problem_seq(), 3);
  EXPECT_THAT(report.notes(), Contains(HasSubstr("NOT intact (decision seq 3")));

  // An anchor must be well formed; a matching one passes where the chain does.
  req.set_anchor_seq(5);
  req.set_anchor_hash("xyz");
  EXPECT_EQ(stub_->VerifyAuditLog(Context().get(), req, &v).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_anchor_hash(head_hash);
  req.set_anchor_seq(0);
  EXPECT_EQ(stub_->VerifyAuditLog(Context().get(), req, &v).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace greengate::service
