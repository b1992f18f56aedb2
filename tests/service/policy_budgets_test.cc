// A policy's energy and carbon budgets end to end, on a real server (127.0.0.1:0), a temp
// SQLite file and a FakeClock: unset is unlimited and 0 is a freeze, through SetPolicy, the
// stored policy, the decision and the governance report; policies stored when 0 meant
// unlimited still are.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/service/server.h"
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"
#include "tests/store/test_util.h"

namespace greengate::service {
namespace {

using google::protobuf::util::TimeUtil;
using greengate::testing::MakeProfile;
using greengate::testing::SmallPlan;

class PolicyBudgetsTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    const absl::Status started = loop_.Start(&clock_);
    ASSERT_TRUE(started.ok()) << started;
    stub_ = loop_.stub();
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  // A registered model with a reference (accuracy 0.9 on 5000 rows).
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
    v1::Reference stored;
    const grpc::Status status = stub_->SetReference(Context().get(), ref, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Sets a policy without cooldown, edited by `edit`; returns what the server stored.
  v1::Policy SetPolicy(const std::string& id, void (*edit)(v1::Policy*) = nullptr) {
    v1::SetPolicyRequest req;
    req.mutable_policy()->set_model("models/" + id);
    req.mutable_policy()->set_cooldown_s(0);
    if (edit != nullptr) edit(req.mutable_policy());
    v1::Policy out;
    const grpc::Status status = stub_->SetPolicy(Context().get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::Policy GetPolicy(const std::string& id) {
    v1::GetPolicyRequest req;
    req.set_model("models/" + id);
    v1::Policy out;
    EXPECT_TRUE(stub_->GetPolicy(Context().get(), req, &out).ok());
    return out;
  }

  // Drifted, degraded data (700 of 1000 labeled rows right) and a 2-hour job: a retrain any
  // default policy approves.
  v1::Decision Ask(const std::string& id) {
    v1::ShouldRetrainRequest req;
    req.set_model("models/" + id);
    *req.mutable_current() = MakeProfile(600, 1.0, 100);
    req.mutable_labeled()->set_rows(1000);
    req.mutable_labeled()->set_correct(700);
    *req.mutable_plan() = SmallPlan();
    v1::Decision d;
    const grpc::Status status = stub_->ShouldRetrain(Context().get(), req, &d);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return d;
  }

  v1::GovernanceSummary Summary(const std::string& id) {
    v1::GetGovernanceReportRequest req;
    *req.mutable_start_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(clock_.Now() - absl::Hours(24)));
    *req.mutable_end_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(clock_.Now() + absl::Hours(1)));
    req.set_model("models/" + id);
    v1::GovernanceReport report;
    const grpc::Status status = stub_->GetGovernanceReport(Context().get(), req, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report.models_size() == 1 ? report.models(0) : v1::GovernanceSummary();
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop_{"budgets"};  // after clock_: stops before it goes
  v1::RetrainGatekeeper::Stub* stub_ = nullptr;         // owned by loop_
};

TEST_F(PolicyBudgetsTest, ZeroEnergyBudgetDefersWhatAnUnsetBudgetApproves) {
  ASSERT_NO_FATAL_FAILURE(Ready("churn"));
  const v1::Policy unlimited = SetPolicy("churn");
  EXPECT_FALSE(unlimited.has_energy_budget_kwh());
  const v1::Decision approved = Ask("churn");
  EXPECT_EQ(approved.verdict(), v1::APPROVE) << approved.reason();

  const v1::Policy frozen = SetPolicy("churn", [](v1::Policy* p) { p->set_energy_budget_kwh(0); });
  ASSERT_TRUE(frozen.has_energy_budget_kwh());
  EXPECT_EQ(frozen.energy_budget_kwh(), 0);
  for (const bool restarted : {false, true}) {
    SCOPED_TRACE(restarted ? "after a restart" : "as set");
    if (restarted) {
      loop_.Stop();
      ASSERT_NO_FATAL_FAILURE(Start());
    }
    EXPECT_TRUE(GetPolicy("churn").has_energy_budget_kwh());
    const v1::Decision deferred = Ask("churn");
    EXPECT_EQ(deferred.verdict(), v1::DEFER) << deferred.reason();
    EXPECT_EQ(deferred.decided_by(), "energy_budget");
    EXPECT_FALSE(deferred.has_retry_after());
  }
  const v1::GovernanceSummary summary = Summary("churn");
  ASSERT_TRUE(summary.has_energy_budget_kwh());
  EXPECT_EQ(summary.energy_budget_kwh(), 0);
  EXPECT_EQ(summary.budget_used_kwh(), approved.cost().energy_kwh());
  EXPECT_EQ(summary.budget_used_share(), 0);
  EXPECT_FALSE(summary.has_carbon_budget_kg());
}

TEST_F(PolicyBudgetsTest, ZeroCarbonBudgetDefersWhatAnUnsetBudgetApproves) {
  ASSERT_NO_FATAL_FAILURE(Ready("churn"));
  SetPolicy("churn");
  v1::Decision d = Ask("churn");
  EXPECT_EQ(d.verdict(), v1::APPROVE) << d.reason();
  for (const v1::PolicyCheck& check : d.checks()) EXPECT_NE(check.name(), "carbon_budget");

  SetPolicy("churn", [](v1::Policy* p) { p->set_carbon_budget_kg(0); });
  d = Ask("churn");
  EXPECT_EQ(d.verdict(), v1::DEFER) << d.reason();
  EXPECT_EQ(d.decided_by(), "carbon_budget");
}

// Before schema version 10 a policy stored both budgets, 0 meaning unlimited: such rows keep
// deciding as they did, and a real budget stays.
TEST_F(PolicyBudgetsTest, PoliciesStoredWhenZeroMeantUnlimitedStayUnlimited) {
  ASSERT_NO_FATAL_FAILURE(Ready("churn"));
  ASSERT_NO_FATAL_FAILURE(Ready("fraud"));
  SetPolicy("churn");
  SetPolicy("fraud");
  loop_.Stop();
  {
    store::testing::RawDb raw(loop_.dir() + "/gg.db");
    const std::string by_model = "WHERE model_id = (SELECT id FROM models WHERE model_id = '";
    ASSERT_EQ(raw.Exec(absl::StrCat("UPDATE policies SET policy = json_set(policy, "
                                    "'$.energy_budget_kwh', 0, '$.carbon_budget_kg', 0) ",
                                    by_model, "churn')")),
              "");
    ASSERT_EQ(raw.Exec(absl::StrCat("UPDATE policies SET policy = json_set(policy, "
                                    "'$.energy_budget_kwh', 5000.0, '$.carbon_budget_kg', 0.0) ",
                                    by_model, "fraud')")),
              "");
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 9"), "");
  }
  ASSERT_NO_FATAL_FAILURE(Start());

  const v1::Policy churn = GetPolicy("churn");
  EXPECT_FALSE(churn.has_energy_budget_kwh());
  EXPECT_FALSE(churn.has_carbon_budget_kg());
  const v1::Decision d = Ask("churn");
  EXPECT_EQ(d.verdict(), v1::APPROVE) << d.reason();

  const v1::Policy fraud = GetPolicy("fraud");
  ASSERT_TRUE(fraud.has_energy_budget_kwh());
  EXPECT_EQ(fraud.energy_budget_kwh(), 5000);
  EXPECT_FALSE(fraud.has_carbon_budget_kg());
  EXPECT_EQ(Ask("fraud").verdict(), v1::APPROVE);
}

}  // namespace
}  // namespace greengate::service
