// Integration tests of ReportOutcome and what the gate learns from outcomes, on a
// real server (127.0.0.1:0), a temp SQLite file and a FakeClock, as gatekeeper_test.cc.

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
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
#include "tests/service/loopback_server.h"
#include "tests/service/test_profiles.h"

namespace greengate::service {
namespace {

using google::protobuf::util::TimeUtil;
using greengate::testing::MakeProfile;
using greengate::testing::SmallPlan;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class OutcomesTest : public ::testing::Test {
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

  // A registered model with a reference (accuracy 0.9 on 5000 rows, optional scores) and a
  // policy without cooldown, so retrains can follow each other.
  void Ready(const std::string& id, const v1::NumericProfile* scores = nullptr,
             v1::Reference* reference_out = nullptr) {
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
    if (scores != nullptr) *ref.mutable_reference()->mutable_scores() = *scores;
    v1::Reference stored;
    grpc::Status status = stub_->SetReference(Context().get(), ref, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (reference_out != nullptr) *reference_out = stored;
    v1::SetPolicyRequest policy;
    policy.mutable_policy()->set_model("models/" + id);
    policy.mutable_policy()->set_cooldown_s(0);
    v1::Policy out;
    ASSERT_TRUE(stub_->SetPolicy(Context().get(), policy, &out).ok());
  }

  // Drifted data; `correct` of 1000 labeled rows (-1: no labels).
  v1::ShouldRetrainRequest Request(const std::string& id, int64_t correct) {
    v1::ShouldRetrainRequest req;
    req.set_model("models/" + id);
    *req.mutable_current() = MakeProfile(600, 1.0, 100);
    if (correct >= 0) {
      req.mutable_labeled()->set_rows(1000);
      req.mutable_labeled()->set_correct(correct);
    }
    *req.mutable_plan() = SmallPlan();
    req.mutable_plan()->set_training_rows(1'000'000);
    return req;
  }

  v1::Decision Ask(const v1::ShouldRetrainRequest& req) {
    v1::Decision d;
    grpc::Status status = stub_->ShouldRetrain(Context().get(), req, &d);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return d;
  }

  grpc::Status Report(const v1::Outcome& outcome, v1::Outcome* out = nullptr) {
    v1::ReportOutcomeRequest req;
    *req.mutable_outcome() = outcome;
    v1::Outcome ignored;
    return stub_->ReportOutcome(Context().get(), req, out != nullptr ? out : &ignored);
  }

  static v1::Outcome Measured(const std::string& decision, double kwh, double before,
                              double after) {
    v1::Outcome o;
    o.set_decision(decision);
    o.set_energy_kwh(kwh);
    o.set_source("codecarbon");
    o.set_accuracy_before(before);
    o.set_accuracy_after(after);
    o.set_evaluation_set("holdout");
    o.set_evaluation_rows(5000);
    o.set_training_rows(1'000'000);
    return o;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  greengate::testing::LoopbackServer loop_{"outcomes"};  // after clock_: stops before it goes
  v1::RetrainGatekeeper::Stub* stub_ = nullptr;          // owned by loop_
};

TEST_F(OutcomesTest, ReportOnceForAnApprovalAndGetDecisionShowsIt) {
  Ready("churn");
  const v1::Decision approved = Ask(Request("churn", 850));
  ASSERT_EQ(approved.verdict(), v1::APPROVE) << approved.reason();
  EXPECT_FALSE(approved.has_outcome());

  v1::Outcome out;
  grpc::Status status = Report(Measured(approved.name(), 0.4, 0.85, 0.88), &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.decision(), approved.name());
  EXPECT_DOUBLE_EQ(out.estimated_energy_kwh(), approved.cost().energy_kwh());
  EXPECT_DOUBLE_EQ(out.expected_gain(), approved.gain().expected());
  // No measured CO2e: the measured energy at the decision's intensity.
  EXPECT_NEAR(out.co2e_kg(), 0.4 * approved.cost().carbon_intensity_g_per_kwh() / 1000, 1e-12);
  EXPECT_TRUE(out.has_create_time());

  v1::GetDecisionRequest get;
  get.set_name(approved.name());
  v1::Decision stored;
  ASSERT_TRUE(stub_->GetDecision(Context().get(), get, &stored).ok());
  ASSERT_TRUE(stored.has_outcome());
  EXPECT_EQ(stored.outcome().SerializeAsString(), out.SerializeAsString());
  // The decision itself is unchanged.
  stored.clear_outcome();
  EXPECT_EQ(stored.SerializeAsString(), approved.SerializeAsString());

  status = Report(Measured(approved.name(), 0.5, 0.85, 0.88));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
}

TEST_F(OutcomesTest, OnlyApprovalsHaveOutcomesAndBadInputNamesTheField) {
  Ready("churn");
  v1::ShouldRetrainRequest undrifted = Request("churn", 900);
  *undrifted.mutable_current() = MakeProfile(600, 0, 100);
  const v1::Decision rejected = Ask(undrifted);
  ASSERT_EQ(rejected.verdict(), v1::REJECT) << rejected.reason();
  grpc::Status status = Report(Measured(rejected.name(), 1, 0.9, 0.9));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("only for APPROVE"));

  status = Report(Measured("decisions/00000000000000000000000000000000", 1, 0.9, 0.9));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  const v1::Decision approved = Ask(Request("churn", 850));
  ASSERT_EQ(approved.verdict(), v1::APPROVE);
  struct Bad {
    std::function<void(v1::Outcome*)> mutate;
    const char* field;
  };
  const Bad kBad[] = {
      {[](v1::Outcome* o) { o->set_energy_kwh(-1); }, "outcome.energy_kwh"},
      {[](v1::Outcome* o) { o->set_energy_kwh(NAN); }, "outcome.energy_kwh"},
      {[](v1::Outcome* o) { o->set_co2e_kg(-0.1); }, "outcome.co2e_kg"},
      {[](v1::Outcome* o) { o->set_duration_s(-5); }, "outcome.duration_s"},
      {[](v1::Outcome* o) { o->clear_source(); }, "outcome.source"},
      {[](v1::Outcome* o) { o->set_accuracy_before(1.5); }, "outcome.accuracy_before"},
      {[](v1::Outcome* o) { o->set_accuracy_after(-0.1); }, "outcome.accuracy_after"},
      {[](v1::Outcome* o) { o->set_evaluation_rows(-1); }, "outcome.evaluation_rows"},
      {[](v1::Outcome* o) { o->set_training_rows(-1); }, "outcome.training_rows"},
      {[](v1::Outcome* o) { o->set_decision("models/churn"); }, "outcome.decision"},
  };
  for (const Bad& b : kBad) {
    v1::Outcome o = Measured(approved.name(), 1, 0.85, 0.88);
    b.mutate(&o);
    status = Report(o);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.field;
    EXPECT_THAT(status.error_message(), StartsWith(b.field)) << status.error_message();
  }
  // Nothing was stored by the rejected reports: a valid one still succeeds.
  EXPECT_TRUE(Report(Measured(approved.name(), 1, 0.85, 0.88)).ok());
}

// The loop closes: each approved retrain reports what it measured (half the Green Algorithms
// estimate, same training rows) and what it recovered (0.02 of an expected 0.05: a realised
// recovery ratio of 0.4 against the policy prior 0.8). The next decisions' energy moves to
// the measured value and their recovery ratio converges to 0.4 as
// (n 0.4 + 3 x 0.8) / (n + 3) (learned.h, k = 3).
TEST_F(OutcomesTest, EstimatesConvergeToWhatOutcomesMeasured) {
  Ready("churn");
  v1::Decision first = Ask(Request("churn", 850));
  ASSERT_EQ(first.verdict(), v1::APPROVE) << first.reason();
  EXPECT_EQ(first.cost().method(), "green_algorithms");
  EXPECT_EQ(first.gain().recovery_ratio(), 0.8);
  const double formula_kwh = first.cost().energy_kwh();
  const double measured_kwh = 0.5 * formula_kwh;
  EXPECT_NEAR(first.gain().degradation(), 0.05, 1e-12);

  v1::Decision previous = first;
  double previous_energy_error = std::abs(formula_kwh - measured_kwh);
  double previous_ratio_error = std::abs(0.8 - 0.4);
  for (int n = 1; n <= 6; ++n) {
    ASSERT_TRUE(Report(Measured(previous.name(), measured_kwh, 0.85, 0.87)).ok());
    clock_.Advance(absl::Hours(1));
    const v1::Decision next = Ask(Request("churn", 850));
    ASSERT_EQ(next.verdict(), v1::APPROVE) << next.reason();

    EXPECT_EQ(next.cost().method(), "measured_history");
    EXPECT_EQ(next.cost().outcomes_used(), n);
    EXPECT_DOUBLE_EQ(next.cost().green_algorithms_energy_kwh(), formula_kwh);
    const double energy_error = std::abs(next.cost().energy_kwh() - measured_kwh);
    EXPECT_LE(energy_error, previous_energy_error);
    EXPECT_NEAR(next.cost().energy_kwh(), measured_kwh, 1e-9 * measured_kwh);
    EXPECT_LE(next.cost().energy_kwh_lower(), measured_kwh);
    EXPECT_GE(next.cost().energy_kwh_upper(), measured_kwh);
    previous_energy_error = energy_error;

    const double expected_ratio = (n * 0.4 + 3 * 0.8) / (n + 3);
    EXPECT_NEAR(next.gain().recovery_ratio(), expected_ratio, 1e-12) << n;
    EXPECT_EQ(next.gain().outcomes_used(), n);
    EXPECT_THAT(next.gain().recovery_ratio_source(), StartsWith("learned: "));
    const double ratio_error = std::abs(next.gain().recovery_ratio() - 0.4);
    EXPECT_LT(ratio_error, previous_ratio_error);
    previous_ratio_error = ratio_error;
    EXPECT_NEAR(next.gain().expected(), expected_ratio * 0.05, 1e-12);
    previous = next;
  }
}

v1::NumericProfile Scores(int64_t rows, double mean, double variance) {
  v1::NumericProfile p;
  p.set_sample_seen(rows);
  p.set_mean(mean);
  p.set_m2(variance * static_cast<double>(rows));
  return p;
}

TEST_F(OutcomesTest, CalibratedReferenceScoresEnableCbpeWithoutLabels) {
  const v1::NumericProfile reference_scores = Scores(5000, 0.905, 0.01);
  v1::Reference reference;
  Ready("churn", &reference_scores, &reference);
  EXPECT_TRUE(reference.scores_calibrated()) << reference.calibration_detail();

  v1::GetReferenceRequest get;
  get.set_model("models/churn");
  v1::Reference fetched;
  ASSERT_TRUE(stub_->GetReference(Context().get(), get, &fetched).ok());
  EXPECT_TRUE(fetched.scores_calibrated());
  EXPECT_DOUBLE_EQ(fetched.scores().mean(), 0.905);

  v1::ShouldRetrainRequest req = Request("churn", -1);
  *req.mutable_scores() = Scores(2000, 0.84, 0.02);
  const v1::Decision d = Ask(req);
  EXPECT_EQ(d.gain().method(), "cbpe") << d.gain().evidence();
  EXPECT_NEAR(d.gain().current_accuracy(), 0.84, 1e-12);
  EXPECT_NEAR(d.gain().degradation(), 0.06, 1e-12);
  EXPECT_EQ(d.verdict(), v1::APPROVE) << d.reason();
}

TEST_F(OutcomesTest, UncalibratedReferenceScoresDeferSayingWhy) {
  const v1::NumericProfile overconfident = Scores(5000, 0.98, 0.001);
  v1::Reference reference;
  Ready("churn", &overconfident, &reference);
  EXPECT_FALSE(reference.scores_calibrated());
  EXPECT_THAT(reference.calibration_detail(), HasSubstr("not calibrated"));

  v1::ShouldRetrainRequest req = Request("churn", -1);
  *req.mutable_scores() = Scores(2000, 0.84, 0.02);
  const v1::Decision d = Ask(req);
  EXPECT_EQ(d.verdict(), v1::DEFER);
  EXPECT_EQ(d.decided_by(), "gain_evidence");
  EXPECT_THAT(d.gain().evidence(), HasSubstr("not calibrated"));
}

TEST_F(OutcomesTest, SeveralPlansChooseTheCheapestAndSayWhy) {
  Ready("churn");
  v1::ShouldRetrainRequest req = Request("churn", 850);
  req.clear_plan();
  v1::TrainingPlan full = SmallPlan();
  v1::TrainingPlan recent = SmallPlan();
  recent.set_name("recent-4-weeks");
  recent.set_hours(0.5);
  *req.add_plans() = full;
  *req.add_plans() = recent;
  const v1::Decision d = Ask(req);
  ASSERT_EQ(d.alternatives_size(), 2);
  EXPECT_EQ(d.cost().plan(), "recent-4-weeks");
  EXPECT_NEAR(d.cost().energy_kwh(), d.alternatives(0).energy_kwh() / 4, 1e-12);
  EXPECT_THAT(d.plan_choice(), HasSubstr("chose 'recent-4-weeks' of 2 plans"));

  req.mutable_plans(1)->set_hours(-1);
  v1::Decision bad;
  grpc::Status status = stub_->ShouldRetrain(Context().get(), req, &bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), StartsWith("plans[1].hours"));
}

// A plan's own recovery ratio changes its gain: the degradation (0.9 - 0.85 = 5 points) is
// the data's; a quarter-energy fine-tune recovering 0.3 of it instead of the policy's 0.8 is
// still 1.5x as efficient, unless its gain falls below min_gain.
TEST_F(OutcomesTest, EachPlanHasItsOwnGainAndTheMostEfficientEligiblePlanWins) {
  Ready("churn");
  v1::ShouldRetrainRequest req = Request("churn", 850);
  req.clear_plan();
  v1::TrainingPlan recent = SmallPlan();
  recent.set_name("recent-4-weeks");
  recent.set_hours(0.5);
  recent.set_recovery_ratio(0.3);
  *req.add_plans() = SmallPlan();
  *req.add_plans() = recent;
  v1::Decision d = Ask(req);
  ASSERT_EQ(d.alternative_gains_size(), 2);
  const v1::GainEstimate& full_gain = d.alternative_gains(0);
  const v1::GainEstimate& recent_gain = d.alternative_gains(1);
  EXPECT_DOUBLE_EQ(full_gain.recovery_ratio(), 0.8);
  EXPECT_DOUBLE_EQ(recent_gain.recovery_ratio(), 0.3);
  EXPECT_NEAR(full_gain.degradation(), 0.05, 1e-12);
  EXPECT_NEAR(recent_gain.expected(), 0.3 * 0.05, 1e-12);
  EXPECT_NEAR(recent_gain.lower_bound(), full_gain.lower_bound() * 0.3 / 0.8, 1e-12);
  EXPECT_EQ(d.cost().plan(), "recent-4-weeks");
  EXPECT_NEAR(d.gain().expected(), recent_gain.expected(), 1e-15);  // the chosen plan's gain
  EXPECT_THAT(d.plan_choice(), HasSubstr("most accuracy points per kWh"));
  EXPECT_EQ(d.verdict(), v1::APPROVE);

  // Recovering a tenth, the fine-tune's lower bound (< 0.5 points) misses min_gain: the full
  // retrain is the only eligible plan, however cheap the other is.
  req.mutable_plans(1)->set_recovery_ratio(0.1);
  d = Ask(req);
  ASSERT_EQ(d.alternative_gains_size(), 2);
  EXPECT_LT(d.alternative_gains(1).lower_bound(), 0.005);
  EXPECT_GE(d.alternative_gains(0).lower_bound(), 0.005);
  EXPECT_EQ(d.cost().plan(), "full");
  EXPECT_EQ(d.verdict(), v1::APPROVE);

  req.mutable_plans(1)->set_recovery_ratio(1.5);
  v1::Decision bad;
  const grpc::Status status = stub_->ShouldRetrain(Context().get(), req, &bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), StartsWith("plans[1].recovery_ratio"));
}

// Outcomes teach each plan name its own recovery: three fine-tunes that won back 1 point of 5
// (0.2) pull that plan's ratio half-way from the 0.8 prior (k = 3: 3/6 x 0.2 + 3/6 x 0.8 =
// 0.5); the full retrain, never measured, keeps the prior.
TEST_F(OutcomesTest, RecoveryIsLearnedPerPlanName) {
  Ready("churn");
  v1::ShouldRetrainRequest fine_tune = Request("churn", 850);
  fine_tune.mutable_plan()->set_name("recent-4-weeks");
  for (int i = 0; i < 3; ++i) {
    const v1::Decision d = Ask(fine_tune);
    ASSERT_EQ(d.verdict(), v1::APPROVE) << d.reason();
    ASSERT_TRUE(Report(Measured(d.name(), 1.0, 0.85, 0.86)).ok());
  }
  v1::ShouldRetrainRequest both = Request("churn", 850);
  both.clear_plan();
  *both.add_plans() = SmallPlan();
  *both.add_plans() = fine_tune.plan();
  const v1::Decision d = Ask(both);
  ASSERT_EQ(d.alternative_gains_size(), 2);
  EXPECT_DOUBLE_EQ(d.alternative_gains(0).recovery_ratio(), 0.8);
  EXPECT_NEAR(d.alternative_gains(1).recovery_ratio(), 0.5, 1e-9);
  EXPECT_THAT(d.alternative_gains(1).recovery_ratio_source(), HasSubstr("3"));
}

// The operator's fleet budget counts every model's approvals: model a's retrain leaves too
// little of 1.5 jobs' worth of kWh for model b's, which is deferred by that check alone.
TEST_F(OutcomesTest, FleetEnergyBudgetDefersAcrossModels) {
  Ready("a");
  Ready("b");
  const v1::Decision first = Ask(Request("a", 850));
  ASSERT_EQ(first.verdict(), v1::APPROVE);
  const double job_kwh = first.cost().energy_kwh();
  ASSERT_GT(job_kwh, 0);

  loop_.Stop();
  service::ServerOptions options;
  options.fleet_budget.energy_budget_kwh = 1.5 * job_kwh;
  options.fleet_budget.window = absl::Hours(24);
  const absl::Status restarted = loop_.Start(&clock_, options);
  ASSERT_TRUE(restarted.ok()) << restarted;
  stub_ = loop_.stub();

  const v1::Decision second = Ask(Request("b", 850));
  EXPECT_EQ(second.verdict(), v1::DEFER);
  EXPECT_EQ(second.decided_by(), "fleet_energy_budget");
  const v1::PolicyCheck* fleet = nullptr;
  for (const v1::PolicyCheck& c : second.checks()) {
    if (c.name() == "fleet_energy_budget") fleet = &c;
    if (c.name() == "energy_budget") {
      EXPECT_TRUE(c.passed());  // b's own budget: unlimited
    }
  }
  ASSERT_NE(fleet, nullptr);
  EXPECT_NEAR(fleet->observed(), 2 * job_kwh, 1e-9);
  EXPECT_NEAR(fleet->limit(), 1.5 * job_kwh, 1e-12);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(second.retry_after()),
            absl::ToUnixSeconds(clock_.Now() + absl::Hours(24)));

  // Once a's approval leaves the window, b may retrain.
  clock_.Advance(absl::Hours(25));
  EXPECT_EQ(Ask(Request("b", 850)).verdict(), v1::APPROVE);
}

TEST_F(OutcomesTest, CarbonForecastDefersToACleanerWindow) {
  Ready("churn");
  v1::SetPolicyRequest policy;
  policy.mutable_policy()->set_model("models/churn");
  policy.mutable_policy()->set_cooldown_s(0);
  policy.mutable_policy()->set_max_deferral_s(12 * 3600);
  v1::Policy stored;
  ASSERT_TRUE(stub_->SetPolicy(Context().get(), policy, &stored).ok());
  EXPECT_DOUBLE_EQ(stored.min_deferral_saving(), 0.2);  // the default, filled in

  v1::ShouldRetrainRequest req = Request("churn", 850);  // a 2 h job
  const absl::Time now = clock_.Now();
  for (auto [hours, intensity] : std::vector<std::pair<int, double>>{{0, 300}, {4, 40}, {8, 300}}) {
    v1::CarbonForecastPoint* p = req.add_forecast();
    *p->mutable_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(now + absl::Hours(hours)));
    p->set_carbon_intensity_g_per_kwh(intensity);
  }
  const v1::Decision d = Ask(req);
  EXPECT_EQ(d.verdict(), v1::DEFER) << d.reason();
  EXPECT_EQ(d.decided_by(), "carbon_window");
  EXPECT_EQ(TimeUtil::TimestampToSeconds(d.suggested_start()),
            absl::ToUnixSeconds(now + absl::Hours(4)));
  // 300 -> 40 g/kWh for the same kWh.
  EXPECT_NEAR(d.co2e_saved_kg(), d.cost().energy_kwh() * (300 - 40) / 1000, 1e-9);
}

}  // namespace
}  // namespace greengate::service
