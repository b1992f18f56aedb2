// Evaluate(): one ShouldRetrain evaluation composed from the core modules. The modules have
// their own tests; these check the composition: validation names the request's fields, the
// cost is the plan's Green Algorithms figure, the gain is the labeled-window estimate, the
// history reaches the policy, and several plans are chosen between as documented.

#include "server/core/evaluate.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/core/energy/tables.h"

namespace greengate {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'795'000'000);

// One categorical feature "region" with the given counts of "a" and "b".
profile::DataProfile Profile(int64_t a, int64_t b) {
  profile::CategoricalProfile categorical;
  categorical.counts = {{"a", a}, {"b", b}};
  profile::FeatureProfile feature;
  feature.name = "region";
  feature.count = a + b;
  feature.kind = categorical;
  profile::DataProfile out;
  out.features.push_back(feature);
  out.rows = a + b;
  return out;
}

// 2 devices x 250 W x `hours`, PUE 1.5, 200 g/kWh: 0.75 kWh and 0.15 kg CO2e per hour
// (2 x 250 W = 500 W of IT power; x 1.5 = 750 W; x 0.2 kg/kWh).
energy::TrainingPlan Plan(const std::string& name, double hours) {
  energy::TrainingPlan plan;
  plan.name = name;
  plan.accelerator = "test-gpu";  // not in the tables: its power is given below
  plan.accelerator_count = 2;
  plan.accelerator_power_w = 250;
  plan.hours = hours;
  plan.pue = 1.5;
  plan.carbon_intensity_g_per_kwh = 200;
  return plan;
}

class EvaluateTest : public ::testing::Test {
 protected:
  EvaluationInput Input() {
    EvaluationInput input;
    input.reference = &reference_;
    input.reference_accuracy = gain::ReferenceAccuracy{0.9, 5000};
    input.current = &current_;
    input.plan = &plan_;
    input.policy = &policy_;
    input.tables = &energy::Tables::Shipped();
    input.now = kNow;
    return input;
  }

  profile::DataProfile reference_ = Profile(500, 500);
  profile::DataProfile current_ = Profile(500, 500);  // the reference's own distribution
  energy::TrainingPlan plan_ = Plan("full", 4);
  policy::Policy policy_;  // the defaults
};

TEST_F(EvaluateTest, UndriftedWithoutLabelsIsRejectedAndCostsThePlan) {
  absl::StatusOr<Evaluation> got = Evaluate(Input());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->drift.dataset_drift);
  EXPECT_EQ(got->gain.method, "none");
  EXPECT_DOUBLE_EQ(got->cost.energy_kwh, 3.0);  // 4 h x 750 W
  EXPECT_DOUBLE_EQ(got->cost.co2e_kg, 0.6);
  EXPECT_EQ(got->cost.plan, "full");
  EXPECT_EQ(got->decision.verdict, policy::Verdict::kReject);
  EXPECT_EQ(got->decision.decided_by, "evidence_of_need");
  EXPECT_TRUE(got->alternatives.empty());
  EXPECT_TRUE(got->plan_choice.empty());
}

TEST_F(EvaluateTest, DriftedAndDegradedIsApprovedWithTheLabeledGain) {
  current_ = Profile(900, 100);
  EvaluationInput input = Input();
  input.labeled = gain::LabeledWindow{1000, 812};
  absl::StatusOr<Evaluation> got = Evaluate(input);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->drift.dataset_drift);
  EXPECT_EQ(got->gain.method, "labeled_window");
  // The "degraded" case of gain_test.cc: reference 0.9 on 5000 rows, 812/1000 correct,
  // recovery 0.8, 95%: expected 0.0704, lower bound 0.053209914974923805.
  EXPECT_NEAR(got->gain.expected, 0.0704, 1e-12);
  EXPECT_NEAR(got->gain.lower_bound, 0.053209914974923805, 1e-12);
  EXPECT_EQ(got->decision.verdict, policy::Verdict::kApprove);
  EXPECT_EQ(got->decision.decided_by, "efficiency");
}

TEST_F(EvaluateTest, ARecentApprovalInTheHistoryDefersUntilTheCooldownEnds) {
  current_ = Profile(900, 100);
  EvaluationInput input = Input();
  input.labeled = gain::LabeledWindow{1000, 812};
  input.history.last_approval = kNow - absl::Hours(1);
  absl::StatusOr<Evaluation> got = Evaluate(input);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->decision.verdict, policy::Verdict::kDefer);
  EXPECT_EQ(got->decision.decided_by, "cooldown");
  ASSERT_TRUE(got->decision.retry_after.has_value());
  EXPECT_EQ(*got->decision.retry_after, kNow - absl::Hours(1) + policy_.cooldown);
}

TEST_F(EvaluateTest, OfSeveralPlansWithOneGainTheCheapestIsChosen) {
  current_ = Profile(900, 100);
  EvaluationInput input = Input();
  input.labeled = gain::LabeledWindow{1000, 812};
  input.plan = nullptr;
  input.alternatives = {Plan("full", 4), Plan("recent", 1)};
  absl::StatusOr<Evaluation> got = Evaluate(input);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->cost.plan, "recent");
  EXPECT_DOUBLE_EQ(got->cost.energy_kwh, 0.75);
  ASSERT_EQ(got->alternatives.size(), 2u);
  EXPECT_DOUBLE_EQ(got->alternatives[0].energy_kwh, 3.0);
  EXPECT_DOUBLE_EQ(got->alternatives[1].energy_kwh, 0.75);
  ASSERT_EQ(got->alternative_gains.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(
      got->plan_choice, "chose 'recent' of 2 plans: least energy for the same expected gain"))
      << got->plan_choice;
  EXPECT_TRUE(absl::EndsWith(got->decision.reason, " (plan 'recent', chosen of 2)"))
      << got->decision.reason;
}

TEST_F(EvaluateTest, BadInputIsRefusedNamingTheRequestField) {
  {
    EvaluationInput input = Input();
    input.alternatives = {Plan("full", 4), Plan("broken", 0)};
    absl::StatusOr<Evaluation> got = Evaluate(input);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(got.status().message(), "plans[1].hours")) << got.status();
  }
  {
    EvaluationInput input = Input();
    plan_.hours = 0;
    absl::StatusOr<Evaluation> got = Evaluate(input);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(got.status().message(), "plan.hours")) << got.status();
    plan_.hours = 4;
  }
  {
    EvaluationInput input = Input();
    input.forecast = {{kNow + absl::Hours(2), 100}, {kNow + absl::Hours(1), 100}};
    absl::StatusOr<Evaluation> got = Evaluate(input);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(got.status().message(), "forecast[1].time")) << got.status();
  }
  {
    current_.features[0].name = "country";  // not a feature of the reference
    absl::StatusOr<Evaluation> got = Evaluate(Input());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(got.status().message(), "current")) << got.status();
  }
}

}  // namespace
}  // namespace greengate
