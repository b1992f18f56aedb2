// Governance report aggregation: verdict counts, approved and avoided energy (with the
// deferral rules of report.h), outcomes, budget share, drifted features and weekly series.
// Expected values are worked out by hand in the comments.

#include "server/core/governance/report.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::governance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Monday 2026-11-16 00:00 UTC (ISO week 2026-W47).
const absl::Time kMonday = absl::FromCivil(absl::CivilDay(2026, 11, 16), absl::UTCTimeZone());

DecisionInput D(int64_t seq, const std::string& model, Verdict v, double day, double kwh,
                std::vector<std::string> drifted = {}, bool override_floor = false) {
  DecisionInput d;
  d.seq = seq;
  d.model = model;
  d.verdict = v;
  d.time = kMonday + absl::Hours(24 * day);
  d.energy_kwh = kwh;
  d.co2e_kg = kwh / 10;
  d.expected_gain = 0.01 * seq;
  d.accuracy_floor_override = override_floor;
  d.drifted_features = std::move(drifted);
  return d;
}

ReportInput Week(std::vector<DecisionInput> decisions) {
  ReportInput in;
  in.start = kMonday;
  in.end = kMonday + absl::Hours(24 * 7);
  in.decisions = std::move(decisions);
  return in;
}

const Summary& ModelSummary(const Report& r, const std::string& model) {
  for (const Summary& s : r.models) {
    if (s.model == model) return s;
  }
  static const Summary kNone;
  ADD_FAILURE() << "no summary for " << model;
  return kNone;
}

TEST(BuildReportTest, RejectsEmptyOrInvertedPeriods) {
  ReportInput in = Week({});
  in.end = in.start;
  EXPECT_EQ(BuildReport(in).status().code(), absl::StatusCode::kInvalidArgument);
  in.end = in.start - absl::Seconds(1);
  EXPECT_THAT(BuildReport(in).status().message(), HasSubstr("end_time"));
}

TEST(BuildReportTest, EmptyPeriodSaysSo) {
  const Report r = *BuildReport(Week({}));
  EXPECT_EQ(r.overall.decisions.total, 0);
  EXPECT_TRUE(r.models.empty());
  ASSERT_EQ(r.overall.weeks.size(), 1u);
  EXPECT_EQ(r.overall.weeks[0].week, "2026-W47");
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("No decisions")));
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("No outcomes")));
}

// Per model, in time order; the avoided column is what each case must add up to.
TEST(BuildReportTest, AvoidedEnergyFollowsTheDeferralRules) {
  struct Case {
    std::string name;
    std::vector<DecisionInput> decisions;
    double approved_kwh;
    double avoided_kwh;
    int64_t avoided_jobs;
    int64_t later_approved;
    int64_t pending;
  };
  const std::string m = "models/a";
  const std::vector<Case> cases = {
      {"each rejection avoids its job",
       {D(1, m, Verdict::kReject, 0, 10), D(2, m, Verdict::kReject, 1, 20)},
       0,
       30,
       2,
       0,
       0},
      {"deferrals then approval: counted once, as approved",
       {D(1, m, Verdict::kDefer, 0, 10), D(2, m, Verdict::kDefer, 1, 11),
        D(3, m, Verdict::kApprove, 2, 12)},
       12,
       0,
       0,
       1,
       0},
      {"deferrals still open at the end: one job at its latest estimate",
       {D(1, m, Verdict::kDefer, 0, 10), D(2, m, Verdict::kDefer, 1, 11)},
       0,
       11,
       1,
       0,
       1},
      {"deferrals then rejection: the rejection counts the job",
       {D(1, m, Verdict::kDefer, 0, 10), D(2, m, Verdict::kReject, 1, 7)},
       0,
       7,
       1,
       0,
       0},
      {"approve, defer, approve, defer",
       {D(1, m, Verdict::kApprove, 0, 5), D(2, m, Verdict::kDefer, 1, 6),
        D(3, m, Verdict::kApprove, 2, 6), D(4, m, Verdict::kDefer, 3, 8)},
       11,
       8,
       1,
       1,
       1},
      {"input order does not matter (sorted by time)",
       {D(3, m, Verdict::kApprove, 2, 12), D(1, m, Verdict::kDefer, 0, 10)},
       12,
       0,
       0,
       1,
       0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Report r = *BuildReport(Week(c.decisions));
    ASSERT_EQ(r.models.size(), 1u);
    const Summary& s = r.models[0];
    EXPECT_DOUBLE_EQ(s.approved_energy_kwh, c.approved_kwh);
    EXPECT_DOUBLE_EQ(s.avoided_energy_kwh, c.avoided_kwh);
    EXPECT_DOUBLE_EQ(s.avoided_co2e_kg, c.avoided_kwh / 10);
    EXPECT_EQ(s.avoided_jobs, c.avoided_jobs);
    EXPECT_EQ(s.deferrals_later_approved, c.later_approved);
    EXPECT_EQ(s.deferrals_pending, c.pending);
    EXPECT_DOUBLE_EQ(r.overall.avoided_energy_kwh, c.avoided_kwh);
  }
}

// A deferral of one model is not closed by another model's approval.
TEST(BuildReportTest, DeferralRunsArePerModel) {
  const Report r = *BuildReport(
      Week({D(1, "models/a", Verdict::kDefer, 0, 10), D(2, "models/b", Verdict::kApprove, 1, 4)}));
  EXPECT_DOUBLE_EQ(ModelSummary(r, "models/a").avoided_energy_kwh, 10);
  EXPECT_DOUBLE_EQ(ModelSummary(r, "models/b").approved_energy_kwh, 4);
  EXPECT_EQ(r.overall.deferrals_pending, 1);
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("1 deferred job(s)")));
}

TEST(BuildReportTest, CountsVerdictsOverridesAndDriftedFeatures) {
  const Report r = *BuildReport(Week({
      D(1, "models/a", Verdict::kApprove, 0, 10, {"age", "income"}, true),
      D(2, "models/a", Verdict::kReject, 1, 10, {"age"}),
      D(3, "models/b", Verdict::kDefer, 2, 10, {"city", "age"}),
      D(4, "models/b", Verdict::kApprove, 3, 10, {"city"}, true),
      D(5, "models/b", Verdict::kApprove, 4, 10, {}),
  }));
  ASSERT_EQ(r.models.size(), 2u);
  EXPECT_EQ(r.models[0].model, "models/a");
  const Summary& a = r.models[0];
  EXPECT_EQ(a.decisions.approved, 1);
  EXPECT_EQ(a.decisions.rejected, 1);
  EXPECT_EQ(a.decisions.total, 2);
  EXPECT_EQ(a.accuracy_floor_overrides, 1);
  ASSERT_EQ(a.most_drifted_features.size(), 2u);
  EXPECT_EQ(a.most_drifted_features[0].feature, "age");
  EXPECT_EQ(a.most_drifted_features[0].drifted_decisions, 2);
  const Summary& all = r.overall;
  EXPECT_EQ(all.decisions.approved, 3);
  EXPECT_EQ(all.decisions.deferred, 1);
  EXPECT_EQ(all.decisions.total, 5);
  EXPECT_EQ(all.accuracy_floor_overrides, 2);
  // age 3, city 2, income 1.
  ASSERT_EQ(all.most_drifted_features.size(), 3u);
  EXPECT_EQ(all.most_drifted_features[0].feature, "age");
  EXPECT_EQ(all.most_drifted_features[1].feature, "city");
  EXPECT_EQ(all.most_drifted_features[1].drifted_decisions, 2);
  EXPECT_EQ(all.most_drifted_features[2].feature, "income");
  EXPECT_DOUBLE_EQ(all.approved_energy_kwh, 30);
  EXPECT_DOUBLE_EQ(all.approved_co2e_kg, 3);
  EXPECT_DOUBLE_EQ(all.avoided_energy_kwh, 10);  // the rejection; b's deferral was approved
}

TEST(BuildReportTest, KeepsTheTenMostDriftedFeatures) {
  std::vector<DecisionInput> decisions;
  for (int i = 0; i < 12; ++i) {
    std::vector<std::string> features;
    for (int f = 0; f <= i; ++f) features.push_back("f" + std::to_string(100 + f));
    decisions.push_back(D(i + 1, "models/a", Verdict::kReject, 0, 1, features));
  }
  const Report r = *BuildReport(Week(decisions));
  ASSERT_EQ(r.overall.most_drifted_features.size(), 10u);
  EXPECT_EQ(r.overall.most_drifted_features[0].feature, "f100");  // in all 12
  EXPECT_EQ(r.overall.most_drifted_features[0].drifted_decisions, 12);
  EXPECT_EQ(r.overall.most_drifted_features[9].feature, "f109");  // in 3
}

TEST(BuildReportTest, WeeklySeriesCoversEveryWeekOfThePeriod) {
  ReportInput in;
  // Thursday 2026-11-12 to Tuesday 2026-11-24 (exclusive): W46, W47, W48.
  in.start = kMonday - absl::Hours(24 * 4);
  in.end = kMonday + absl::Hours(24 * 8);
  in.decisions = {D(1, "models/a", Verdict::kApprove, -3, 5),
                  D(2, "models/a", Verdict::kReject, 0.5, 7),
                  D(3, "models/a", Verdict::kApprove, 7.5, 2),
                  D(4, "models/a", Verdict::kApprove, 9, 100)};  // after the end: ignored
  const Report r = *BuildReport(in);
  const auto& w = r.overall.weeks;
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].week, "2026-W46");
  EXPECT_DOUBLE_EQ(w[0].approved_energy_kwh, 5);
  EXPECT_EQ(w[1].week, "2026-W47");
  EXPECT_DOUBLE_EQ(w[1].avoided_energy_kwh, 7);
  EXPECT_EQ(w[2].week, "2026-W48");
  EXPECT_DOUBLE_EQ(w[2].approved_energy_kwh, 2);
  EXPECT_EQ(r.overall.decisions.total, 3);
  EXPECT_EQ(r.models[0].weeks.size(), 3u);
}

TEST(BuildReportTest, OutcomesCompareMeasuredWithEstimated) {
  ReportInput in =
      Week({D(1, "models/a", Verdict::kApprove, 0, 10), D(2, "models/a", Verdict::kApprove, 1, 20),
            D(3, "models/b", Verdict::kApprove, 2, 30)});
  OutcomeInput o1{1, "models/a", 12, 1.2, 10, 0.02, 0.80, 0.83};  // realised 0.03
  OutcomeInput o2{2, "models/a", 18, std::nullopt, 20, 0.04, std::nullopt, std::nullopt};
  OutcomeInput o3{3, "models/b", 33, 3.0, 30, 0.01, 0.90, 0.89};  // realised -0.01
  in.outcomes = {o3, o2, o1};
  const Report r = *BuildReport(in);
  const Summary& a = ModelSummary(r, "models/a");
  EXPECT_EQ(a.outcomes, 2);
  EXPECT_DOUBLE_EQ(a.measured_energy_kwh, 30);
  EXPECT_DOUBLE_EQ(a.estimated_energy_kwh, 30);
  EXPECT_DOUBLE_EQ(a.measured_co2e_kg, 1.2);
  EXPECT_EQ(a.outcomes_with_gain, 1);
  EXPECT_NEAR(a.mean_realised_gain, 0.03, 1e-12);
  const Summary& all = r.overall;
  EXPECT_EQ(all.outcomes, 3);
  EXPECT_DOUBLE_EQ(all.measured_energy_kwh, 63);
  EXPECT_DOUBLE_EQ(all.estimated_energy_kwh, 60);
  EXPECT_EQ(all.outcomes_with_gain, 2);
  EXPECT_NEAR(all.mean_expected_gain, 0.015, 1e-12);  // (0.02 + 0.01) / 2
  EXPECT_NEAR(all.mean_realised_gain, 0.01, 1e-12);   // (0.03 - 0.01) / 2
  ASSERT_EQ(all.gains.size(), 2u);
  EXPECT_EQ(all.gains[0].decision_seq, 1);
  EXPECT_EQ(all.gains[1].decision_seq, 3);
  EXPECT_THAT(r.notes, ::testing::Not(::testing::Contains(HasSubstr("No outcomes"))));
}

TEST(BuildReportTest, BudgetShareIsPerModel) {
  ReportInput in =
      Week({D(1, "models/a", Verdict::kApprove, 0, 10), D(2, "models/b", Verdict::kApprove, 0, 10),
            D(3, "models/c", Verdict::kApprove, 0, 10)});
  in.budgets["models/a"] = BudgetInput{200, absl::Hours(24 * 30), 50, std::nullopt, 0};
  in.budgets["models/b"] = BudgetInput{std::nullopt, absl::Hours(24 * 30), 10, std::nullopt, 0};
  in.budgets["models/c"] = BudgetInput{0, absl::Hours(24 * 30), 10, std::nullopt, 0};
  const Report r = *BuildReport(in);
  EXPECT_DOUBLE_EQ(ModelSummary(r, "models/a").budget_used_share, 0.25);
  ASSERT_TRUE(ModelSummary(r, "models/b").budget.has_value());
  EXPECT_DOUBLE_EQ(ModelSummary(r, "models/b").budget_used_share, 0);  // unlimited
  // A budget of 0 (a freeze) has no share of it used, and stays set.
  EXPECT_DOUBLE_EQ(ModelSummary(r, "models/c").budget_used_share, 0);
  EXPECT_EQ(ModelSummary(r, "models/c").budget->energy_budget_kwh, 0.0);
  EXPECT_FALSE(r.overall.budget.has_value());  // no fleet budget
}

TEST(BuildReportTest, CarbonBudgetsAndTheFleetBudgetAreReported) {
  ReportInput in = Week({D(1, "models/a", Verdict::kApprove, 0, 10)});
  // kWh budget, window, kWh used, kg budget, kg used.
  in.budgets["models/a"] = BudgetInput{std::nullopt, absl::Hours(24 * 30), 50, 8, 2};
  in.fleet_budget = BudgetInput{400, absl::Hours(24 * 7), 100, 40, 30};
  const Report r = *BuildReport(in);
  const Summary& a = ModelSummary(r, "models/a");
  EXPECT_DOUBLE_EQ(a.budget_used_share, 0);  // no energy budget
  EXPECT_DOUBLE_EQ(a.carbon_budget_used_share, 0.25);
  ASSERT_TRUE(r.overall.budget.has_value());
  EXPECT_DOUBLE_EQ(r.overall.budget->used_kwh, 100);
  EXPECT_EQ(r.overall.budget->window, absl::Hours(24 * 7));
  EXPECT_DOUBLE_EQ(r.overall.budget_used_share, 0.25);
  EXPECT_DOUBLE_EQ(r.overall.carbon_budget_used_share, 0.75);
}

}  // namespace
}  // namespace greengate::governance
