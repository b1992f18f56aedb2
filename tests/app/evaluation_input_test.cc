// BuildEvaluationInput() and MakeDecisionRecord(): the request and the model's state into the
// core's input, and the evaluation into the decision's message and log row.

#include "server/app/evaluation_input.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/app/decision_record.h"
#include "server/mapping/stored_json.h"

namespace greengate::app {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'795'000'000);

energy::TrainingPlan Plan(const std::string& name) {
  energy::TrainingPlan plan;
  plan.name = name;
  return plan;
}

class EvaluationInputTest : public ::testing::Test {
 protected:
  EvaluationInputTest() {
    reference_.accuracy = 0.9;
    reference_.evaluation_rows = 5000;
    reference_.profile.rows = 7;
    request_.current.rows = 3;
    request_.plan = Plan("full");
    request_.labeled = gain::LabeledWindow{1000, 812};
    request_.forecast = {{kNow + absl::Hours(1), 120}};
    snapshot_.reference = &reference_;
    snapshot_.policy = &policy_;
    snapshot_.tables = &energy::Tables::Shipped();
    snapshot_.now = kNow;
    snapshot_.outcomes = &outcomes_;
  }

  LoadedReference reference_;
  policy::Policy policy_;
  std::vector<store::OutcomeRow> outcomes_;
  RetrainRequest request_;
  ModelSnapshot snapshot_;
};

TEST_F(EvaluationInputTest, TheRequestAndTheReferenceArePassedThrough) {
  const EvaluationInput input = BuildEvaluationInput(request_, snapshot_);
  EXPECT_EQ(input.reference, &reference_.profile);
  EXPECT_EQ(input.current, &request_.current);
  EXPECT_EQ(input.plan, &request_.plan);
  EXPECT_TRUE(input.alternatives.empty());
  ASSERT_TRUE(input.reference_accuracy.has_value());
  EXPECT_EQ(input.reference_accuracy->accuracy, 0.9);
  EXPECT_EQ(input.reference_accuracy->evaluation_rows, 5000);
  ASSERT_TRUE(input.labeled.has_value());
  EXPECT_EQ(input.labeled->correct, 812);
  ASSERT_EQ(input.forecast.size(), 1u);
  EXPECT_EQ(input.forecast[0].carbon_intensity_g_per_kwh, 120);
  EXPECT_EQ(input.policy, &policy_);
  EXPECT_EQ(input.now, kNow);
  EXPECT_FALSE(input.scores.has_value());
  EXPECT_EQ(input.reference_calibration_detail, "");
}

TEST_F(EvaluationInputTest, WithoutAReferenceAccuracyThereIsNone) {
  reference_.accuracy.reset();
  reference_.scores = LoadedReference::ScoresCalibration{true, "calibrated: ECE 0.01", {}};
  const EvaluationInput input = BuildEvaluationInput(request_, snapshot_);
  EXPECT_FALSE(input.reference_accuracy.has_value());
  EXPECT_TRUE(input.reference_scores_calibrated);
  EXPECT_EQ(input.reference_calibration_detail, "calibrated: ECE 0.01");
}

TEST_F(EvaluationInputTest, ApprovalsBecomeTheHistoryAndTheFleetCountsOnlyWithABudget) {
  snapshot_.approvals.last_approval_ms = 1'000;
  snapshot_.approvals.oldest_approval_ms = 500;
  snapshot_.approvals.approved_energy_kwh = 12.5;
  snapshot_.approvals.approved_co2e_kg = 3.25;
  snapshot_.fleet.energy_budget_kwh = 100;
  {
    const EvaluationInput input = BuildEvaluationInput(request_, snapshot_);
    EXPECT_EQ(input.history.last_approval, absl::FromUnixMillis(1'000));
    EXPECT_EQ(input.history.oldest_approval_in_window, absl::FromUnixMillis(500));
    EXPECT_EQ(input.history.approved_energy_kwh_in_window, 12.5);
    EXPECT_EQ(input.history.approved_co2e_kg_in_window, 3.25);
    // No fleet summary: no fleet budget in the input.
    EXPECT_FALSE(input.fleet.enabled());
    EXPECT_EQ(input.history.fleet_approved_energy_kwh_in_window, 0);
  }
  ApprovalSummary fleet;
  fleet.approved_energy_kwh = 40;
  fleet.approved_co2e_kg = 9;
  fleet.oldest_approval_ms = 200;
  snapshot_.fleet_approvals = fleet;
  const EvaluationInput input = BuildEvaluationInput(request_, snapshot_);
  EXPECT_EQ(input.fleet.energy_budget_kwh, 100);
  EXPECT_EQ(input.history.fleet_approved_energy_kwh_in_window, 40);
  EXPECT_EQ(input.history.fleet_approved_co2e_kg_in_window, 9);
  EXPECT_EQ(input.history.fleet_oldest_approval_in_window, absl::FromUnixMillis(200));
}

TEST_F(EvaluationInputTest, AlternativesAndOutcomesKeepTheirOrder) {
  request_.alternatives = {Plan("full"), Plan("recent")};
  store::OutcomeRow first;
  first.energy_kwh = 10;
  first.green_algorithms_energy_kwh = 8;
  first.training_rows = 1000;
  first.accuracy_before = 0.8;
  first.accuracy_after = 0.88;
  first.plan = "full";
  store::OutcomeRow second = first;
  second.energy_kwh = 2;
  second.plan = "recent";
  outcomes_ = {first, second};
  const EvaluationInput input = BuildEvaluationInput(request_, snapshot_);
  ASSERT_EQ(input.alternatives.size(), 2u);
  EXPECT_EQ(input.alternatives[1].name, "recent");
  ASSERT_EQ(input.outcomes.size(), 2u);
  EXPECT_EQ(input.outcomes[0].energy.measured_kwh, 10);
  EXPECT_EQ(input.outcomes[0].energy.estimated_kwh, 8);
  EXPECT_EQ(input.outcomes[0].energy.training_rows, 1000);
  EXPECT_EQ(input.outcomes[0].gain.accuracy_after, 0.88);
  EXPECT_EQ(input.outcomes[1].gain.plan, "recent");
}

TEST(DecisionRecordTest, TheMessageAndTheRowSayTheSame) {
  Evaluation evaluation;
  evaluation.decision.verdict = policy::Verdict::kApprove;
  evaluation.decision.decided_by = "efficiency";
  evaluation.cost.energy_kwh = 3;
  evaluation.cost.co2e_kg = 0.6;
  evaluation.gain.expected = 0.07;
  evaluation.gain.lower_bound = 0.05;
  evaluation.drift.dataset_drift = true;
  DecisionFacts facts;
  facts.decision_id = NewDecisionId();
  facts.model_id = "churn";
  facts.model_row_id = 4;
  facts.model_version = "v7";
  facts.policy_version = 2;
  facts.idempotency_key = "run-1";
  facts.caller.name = "ci";
  facts.caller.role = auth::Role::kPipeline;
  facts.now = kNow;

  const DecisionRecord record = MakeDecisionRecord(facts, evaluation);
  EXPECT_EQ(facts.decision_id.size(), 32u);
  EXPECT_EQ(record.decision.name(), "decisions/" + facts.decision_id);
  EXPECT_EQ(record.decision.model(), "models/churn");
  EXPECT_EQ(record.decision.model_version(), "v7");
  EXPECT_EQ(record.decision.policy_version(), 2);
  EXPECT_EQ(record.decision.caller(), "ci");
  EXPECT_EQ(record.decision.caller_role(), auth::RoleName(auth::Role::kPipeline));
  EXPECT_EQ(record.decision.verdict(), v1::APPROVE);
  EXPECT_EQ(record.row.decision_id, facts.decision_id);
  EXPECT_EQ(record.row.model_id, 4);
  EXPECT_EQ(record.row.verdict, "APPROVE");
  EXPECT_EQ(record.row.decided_by, "efficiency");
  EXPECT_EQ(record.row.energy_kwh, 3);
  EXPECT_EQ(record.row.co2e_kg, 0.6);
  EXPECT_EQ(record.row.gain_lower_bound, 0.05);
  EXPECT_TRUE(record.row.dataset_drift);
  EXPECT_EQ(record.row.idempotency_key, "run-1");
  EXPECT_EQ(record.row.create_time_ms, absl::ToUnixMillis(kNow));
  v1::Decision stored;
  ASSERT_TRUE(mapping::FromStoredJson(record.row.payload, &stored).ok());
  EXPECT_EQ(stored.name(), record.decision.name());
  ASSERT_TRUE(record.approval().has_value());
  EXPECT_EQ(record.approval()->create_time_ms, absl::ToUnixMillis(kNow));
  EXPECT_EQ(record.approval()->energy_kwh, 3);
  EXPECT_EQ(record.approval()->co2e_kg, 0.6);
}

TEST(DecisionRecordTest, OnlyAnApprovalSpendsTheBudgets) {
  Evaluation evaluation;
  evaluation.decision.verdict = policy::Verdict::kDefer;
  evaluation.cost.energy_kwh = 3;
  DecisionFacts facts;
  facts.decision_id = NewDecisionId();
  facts.model_id = "churn";
  facts.now = kNow;
  const DecisionRecord record = MakeDecisionRecord(facts, evaluation);
  EXPECT_EQ(record.row.verdict, "DEFER");
  EXPECT_FALSE(record.approved());
  EXPECT_FALSE(record.approval().has_value());
  EXPECT_NE(NewDecisionId(), facts.decision_id);
}

}  // namespace
}  // namespace greengate::app
