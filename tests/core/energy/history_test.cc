#include "server/core/energy/history.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::energy {
namespace {

// z = scipy.stats.norm.ppf(0.95).
constexpr double kZ95 = 1.6448536269514722;

CostEstimate Formula(double kwh) {
  CostEstimate c;
  c.energy_kwh = kwh;
  c.energy_kwh_lower = kwh;
  c.energy_kwh_upper = kwh;
  c.green_algorithms_energy_kwh = kwh;
  c.carbon_intensity_g_per_kwh = 50;
  c.co2e_kg = kwh * 50 / 1000;
  c.method = "green_algorithms";
  c.breakdown = {{"accelerator", 0.75 * kwh, 0, "a"}, {"cpu", 0.25 * kwh, 0, "c"}};
  return c;
}

TrainingPlan Rows(int64_t rows) {
  TrainingPlan p;
  p.training_rows = rows;
  return p;
}

const std::vector<MeasuredRun> kRuns = {
    {12.0, 10.0, 1'000'000}, {15.0, 10.0, 1'200'000}, {9.0, 10.0, 800'000}};

TEST(MeasuredHistoryTest, NoUsableRunKeepsTheFormula) {
  auto out = ApplyMeasuredHistory(Formula(20), Rows(10), {{0, 10, 5}, {5, 0, 5}}, kZ95);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->method, "green_algorithms");
  EXPECT_EQ(out->energy_kwh, 20);
  EXPECT_EQ(out->outcomes_used, 0);
}

// kWh per row: mean(12/1e6, 15/1.2e6, 9/8e5) x 1.5e6 = 17.875; s = sample std of
// ln([1.2, 1.5, 0.9]) = 0.25609140204205166; band 17.875 exp(-/+ z s sqrt(1 + 1/3)) =
// [10.990214270641516, 29.072738450016534] (numpy, /usr/bin/python3).
TEST(MeasuredHistoryTest, ExtrapolatesKwhPerTrainingRow) {
  auto out = ApplyMeasuredHistory(Formula(20), Rows(1'500'000), kRuns, kZ95);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->method, "measured_history");
  EXPECT_EQ(out->outcomes_used, 3);
  EXPECT_NEAR(out->energy_kwh, 17.875, 1e-9);
  EXPECT_NEAR(out->energy_kwh_lower, 10.990214270641516, 1e-9);
  EXPECT_NEAR(out->energy_kwh_upper, 29.072738450016534, 1e-9);
  EXPECT_NEAR(out->co2e_kg, 17.875 * 50 / 1000, 1e-12);
  EXPECT_EQ(out->green_algorithms_energy_kwh, 20);
  // The breakdown keeps its shares and sums to the new total.
  ASSERT_EQ(out->breakdown.size(), 2u);
  EXPECT_NEAR(out->breakdown[0].energy_kwh, 0.75 * 17.875, 1e-9);
  EXPECT_NEAR(out->breakdown[0].energy_kwh + out->breakdown[1].energy_kwh, 17.875, 1e-9);
}

// Rows unknown: 20 x median(1.2, 1.5, 0.9) = 24, band [14.756091887854344, 39.03472575107115].
TEST(MeasuredHistoryTest, ScalesTheFormulaByTheMedianRatioWithoutRows) {
  auto out = ApplyMeasuredHistory(Formula(20), Rows(0), kRuns, kZ95);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(out->energy_kwh, 24, 1e-9);
  EXPECT_NEAR(out->energy_kwh_lower, 14.756091887854344, 1e-9);
  EXPECT_NEAR(out->energy_kwh_upper, 39.03472575107115, 1e-9);
}

// One run: s = ln(1.4) / z = 0.2045605950024997; 5 x 1.2 = 6 with band
// 6 exp(-/+ z s sqrt(2)) = [3.7281639312685635, 9.656227747407678].
TEST(MeasuredHistoryTest, OneRunUsesTheAssumedSpread) {
  auto out = ApplyMeasuredHistory(Formula(5), Rows(0), {{12, 10, 0}}, kZ95);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(out->energy_kwh, 6, 1e-12);
  EXPECT_NEAR(out->energy_kwh_lower, 3.7281639312685635, 1e-8);
  EXPECT_NEAR(out->energy_kwh_upper, 9.656227747407678, 1e-8);
}

TEST(MeasuredHistoryTest, RejectsANegativeZ) {
  EXPECT_EQ(ApplyMeasuredHistory(Formula(5), Rows(0), kRuns, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace greengate::energy
