// Value rule, carbon and fleet budgets, carbon-aware deferral (policy.h checks 6', 8, 8', 9).

#include <limits>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/core/policy/deferral.h"
#include "server/core/policy/policy.h"

namespace greengate::policy {
namespace {

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2024, 3, 1, 12, 0, 0), absl::UTCTimeZone());

drift::DriftReport Drifted() {
  drift::DriftReport d;
  d.features.resize(2);
  d.features[0].drifted = d.features[1].drifted = true;
  d.drifted_features = 2;
  d.drifted_share = 1;
  d.share_threshold = 0.5;
  d.dataset_drift = true;
  return d;
}

gain::GainEstimate Gain(double lower_bound) {
  gain::GainEstimate g;
  g.has_evidence = true;
  g.method = "labeled_window";
  g.lower_bound = lower_bound;
  g.expected = lower_bound;
  g.degradation_lower_bound = lower_bound;
  g.confidence = 0.95;
  return g;
}

energy::CostEstimate Cost(double kwh, double kg) {
  energy::CostEstimate c;
  c.energy_kwh = kwh;
  c.co2e_kg = kg;
  return c;
}

const Check* Find(const PolicyDecision& d, const std::string& name) {
  for (const Check& c : d.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

struct Scenario {
  Policy policy;
  drift::DriftReport drift = Drifted();
  gain::GainEstimate gain = Gain(0.02);
  energy::CostEstimate cost = Cost(10, 2);
  History history;
  std::vector<ForecastPoint> forecast;
  absl::Duration duration = absl::Hours(2);
  FleetBudget fleet;

  PolicyDecision Run() {
    PolicyInputs in;
    in.policy = &policy;
    in.drift = &drift;
    in.gain = &gain;
    in.cost = &cost;
    in.history = history;
    in.now = kNow;
    in.forecast = forecast;
    in.job_duration = duration;
    in.fleet = fleet;
    return Decide(in);
  }
};

// Value: 2 points x 50 = 100 vs 10 kWh x 4 + 2 kg x 25 = 90 -> approve; price 6/kWh: 110 ->
// reject. Hand arithmetic.
TEST(ValueRuleTest, ApprovesWhenGainIsWorthTheEnergyAndCarbon) {
  Scenario s;
  s.policy.value_per_accuracy_point = 50;
  s.policy.energy_price_per_kwh = 4;
  s.policy.carbon_price_per_kg = 25;
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  EXPECT_EQ(d.decided_by, "value");
  const Check* value = Find(d, "value");
  ASSERT_NE(value, nullptr);
  EXPECT_DOUBLE_EQ(value->observed, 100);
  EXPECT_DOUBLE_EQ(value->limit, 90);
  EXPECT_EQ(Find(d, "efficiency"), nullptr);
  EXPECT_EQ(d.checks.size(), 7u);

  s.policy.energy_price_per_kwh = 6;
  d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_EQ(d.decided_by, "value");
  EXPECT_DOUBLE_EQ(Find(d, "value")->limit, 110);
}

TEST(CarbonBudgetTest, DefersWhenTheWindowsCarbonWouldExceedTheBudget) {
  Scenario s;
  s.policy.carbon_budget_kg = 5;
  s.history.approved_co2e_kg_in_window = 2.5;
  s.history.oldest_approval_in_window = kNow - absl::Hours(24);
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);  // 2.5 + 2 <= 5
  ASSERT_NE(Find(d, "carbon_budget"), nullptr);
  EXPECT_TRUE(Find(d, "carbon_budget")->passed);
  EXPECT_EQ(d.checks.size(), 8u);

  s.history.approved_co2e_kg_in_window = 3.5;  // 5.5 > 5
  d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.decided_by, "carbon_budget");
  EXPECT_DOUBLE_EQ(Find(d, "carbon_budget")->observed, 5.5);
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(*d.retry_after, kNow - absl::Hours(24) + s.policy.budget_window);
}

// A carbon budget of 0 is listed and allows no emission; unset is not listed at all.
TEST(CarbonBudgetTest, ZeroAllowsNoEmissionUnsetIsNotListed) {
  Scenario s;
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  EXPECT_EQ(Find(d, "carbon_budget"), nullptr);

  s.policy.carbon_budget_kg = 0;
  d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.decided_by, "carbon_budget");
  ASSERT_NE(Find(d, "carbon_budget"), nullptr);
  EXPECT_EQ(Find(d, "carbon_budget")->limit, 0);
  EXPECT_FALSE(d.retry_after.has_value());
}

// Fleet budgets count every model's approvals over the operator's window (hand arithmetic:
// 10 kWh / 2 kg for this job).
TEST(FleetBudgetTest, DefersWhenAllModelsTogetherWouldExceedTheFleetBudget) {
  Scenario s;
  s.fleet.energy_budget_kwh = 100;
  s.fleet.window = absl::Hours(24 * 7);
  s.history.approved_energy_kwh_in_window = 5;  // this model alone is far from any limit
  s.history.fleet_approved_energy_kwh_in_window = 85;
  s.history.fleet_oldest_approval_in_window = kNow - absl::Hours(30);
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);  // 85 + 10 <= 100
  ASSERT_NE(Find(d, "fleet_energy_budget"), nullptr);
  EXPECT_TRUE(Find(d, "fleet_energy_budget")->passed);
  EXPECT_EQ(Find(d, "fleet_carbon_budget"), nullptr);  // not set: not listed
  EXPECT_EQ(d.checks.size(), 8u);

  s.history.fleet_approved_energy_kwh_in_window = 95;  // 105 > 100
  d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.decided_by, "fleet_energy_budget");
  const Check* fleet = Find(d, "fleet_energy_budget");
  EXPECT_DOUBLE_EQ(fleet->observed, 105);
  EXPECT_DOUBLE_EQ(fleet->limit, 100);
  EXPECT_NE(fleet->detail.find("across all models"), std::string::npos) << fleet->detail;
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(*d.retry_after, kNow - absl::Hours(30) + absl::Hours(24 * 7));
  EXPECT_TRUE(Find(d, "energy_budget")->passed);  // the model's own budget was fine
}

TEST(FleetBudgetTest, CarbonBudgetIsCheckedAfterTheModelsOwnBudgets) {
  Scenario s;
  s.fleet.carbon_budget_kg = 10;
  s.history.fleet_approved_co2e_kg_in_window = 9;  // 9 + 2 > 10
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.decided_by, "fleet_carbon_budget");
  EXPECT_FALSE(d.retry_after.has_value());  // no approval known to age out

  // The model's own carbon budget fails first and decides.
  s.policy.carbon_budget_kg = 1;
  d = s.Run();
  EXPECT_EQ(d.decided_by, "carbon_budget");
  EXPECT_FALSE(Find(d, "fleet_carbon_budget")->evaluated);

  // A job larger than the whole fleet budget says so and gives no retry time.
  s.policy.carbon_budget_kg.reset();
  s.cost = Cost(10, 12);
  s.history.fleet_approved_co2e_kg_in_window = 0;
  s.history.fleet_oldest_approval_in_window = kNow;
  d = s.Run();
  EXPECT_EQ(d.decided_by, "fleet_carbon_budget");
  EXPECT_NE(d.reason.find("this job alone exceeds the budget"), std::string::npos) << d.reason;
  EXPECT_FALSE(d.retry_after.has_value());
}

TEST(FleetBudgetTest, ValidationNamesTheServerFlag) {
  FleetBudget fleet;
  EXPECT_TRUE(ValidateFleetBudget(fleet).ok());
  fleet.energy_budget_kwh = -1;
  EXPECT_EQ(ValidateFleetBudget(fleet).message(),
            "fleet_energy_budget_kwh: must be >= 0 and finite (0 = unlimited), got -1");
  fleet.energy_budget_kwh = 0;
  fleet.carbon_budget_kg = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(ValidateFleetBudget(fleet).message().find("fleet_carbon_budget_kg"), std::string::npos);
  fleet.carbon_budget_kg = 0;
  fleet.window = absl::ZeroDuration();
  EXPECT_NE(ValidateFleetBudget(fleet).message().find("fleet_budget_window_s"), std::string::npos);
}

TEST(DeferralTest, MeanIntensityOfAStepFunction) {
  const std::vector<ForecastPoint> f = {
      {kNow, 400}, {kNow + absl::Hours(1), 100}, {kNow + absl::Hours(3), 300}};
  // [now, now+2h): 1 h at 400, 1 h at 100 -> 250.
  EXPECT_DOUBLE_EQ(MeanIntensity(f, kNow, absl::Hours(2)), 250);
  // [now+2h, now+6h): 1 h at 100, 3 h at 300 (the last point holds) -> 250.
  EXPECT_DOUBLE_EQ(MeanIntensity(f, kNow + absl::Hours(2), absl::Hours(4)), 250);
  // Before the first point, the first point's intensity holds.
  EXPECT_DOUBLE_EQ(MeanIntensity(f, kNow - absl::Hours(1), absl::Hours(1)), 400);
}

TEST(DeferralTest, BestStartWithinTheDelay) {
  const std::vector<ForecastPoint> f = {
      {kNow, 400}, {kNow + absl::Hours(1), 100}, {kNow + absl::Hours(3), 300}};
  auto best = BestStart(f, kNow, absl::Hours(6), absl::Hours(2), 10);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->start, kNow + absl::Hours(1));  // 2 h entirely at 100
  EXPECT_DOUBLE_EQ(best->mean_intensity_g_per_kwh, 100);
  EXPECT_DOUBLE_EQ(best->co2e_kg, 1.0);  // 10 kWh x 100 g / 1000
  // A delay too short to reach the clean hour: only `now`.
  best = BestStart(f, kNow, absl::Minutes(30), absl::Hours(2), 10);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->start, kNow);
}

TEST(DeferralTest, ValidateForecastNamesThePoint) {
  std::vector<ForecastPoint> f = {{kNow, 100}, {kNow, 200}};
  EXPECT_EQ(ValidateForecast(f).message().substr(0, 16), "forecast[1].time");
  f = {{kNow, -1}};
  EXPECT_EQ(ValidateForecast(f).message().substr(0, 39), "forecast[0].carbon_intensity_g_per_kwh:");
}

// 10 kWh over 2 h: now 250 g/kWh (2.5 kg), best start now+1h at 100 (1 kg): saves 60%.
TEST(CarbonWindowTest, DefersToACleanerWindowSavingEnough) {
  Scenario s;
  s.policy.max_deferral = absl::Hours(6);
  s.forecast = {{kNow, 400}, {kNow + absl::Hours(1), 100}, {kNow + absl::Hours(3), 300}};
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.decided_by, "carbon_window");
  ASSERT_TRUE(d.suggested_start.has_value());
  EXPECT_EQ(*d.suggested_start, kNow + absl::Hours(1));
  EXPECT_DOUBLE_EQ(d.co2e_saved_kg, 1.5);
  EXPECT_EQ(d.retry_after, d.suggested_start);
  EXPECT_DOUBLE_EQ(Find(d, "carbon_window")->observed, 0.6);
  EXPECT_NE(d.reason.find("saves 1.5 kg CO2e"), std::string::npos) << d.reason;

  s.policy.min_deferral_saving = 0.7;  // 60% is not enough: start now
  d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  EXPECT_TRUE(Find(d, "carbon_window")->passed);
  EXPECT_FALSE(d.suggested_start.has_value());
}

TEST(CarbonWindowTest, WithoutAForecastItPassesAndSaysSo) {
  Scenario s;
  s.policy.max_deferral = absl::Hours(6);
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  const Check* w = Find(d, "carbon_window");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->passed);
  EXPECT_NE(w->detail.find("no carbon-intensity forecast"), std::string::npos);
}

TEST(CarbonWindowTest, ARejectIsNeverDeferredForCarbon) {
  Scenario s;
  s.policy.max_deferral = absl::Hours(6);
  s.policy.min_gain = 0.05;  // the gain lower bound 0.02 fails min_gain
  s.forecast = {{kNow, 400}, {kNow + absl::Hours(1), 100}};
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_FALSE(Find(d, "carbon_window")->evaluated);
}

TEST(ValidatePolicyTest, NewFieldsAreRangeChecked) {
  Policy p;
  p.energy_price_per_kwh = -1;
  EXPECT_EQ(ValidatePolicy(p).message().substr(0, 28), "policy.energy_price_per_kwh:");
  p = Policy{};
  p.min_deferral_saving = 0;
  EXPECT_EQ(ValidatePolicy(p).message().substr(0, 27), "policy.min_deferral_saving:");
  p = Policy{};
  p.max_deferral = -absl::Seconds(1);
  EXPECT_EQ(ValidatePolicy(p).message().substr(0, 22), "policy.max_deferral_s:");
}

}  // namespace
}  // namespace greengate::policy
