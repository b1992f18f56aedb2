#include "server/core/energy/energy.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::energy {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr double kTolerance = 1e-9;

// Small tables with round numbers so the hand computations below stay readable.
const Tables& TestTables() {
  static const Tables* const tables = [] {
    absl::StatusOr<Tables> parsed = Tables::Parse(
        "key,label,value,source,year,licence\n"
        "any,Any,200,GA TDP_gpu.csv,2024,CC BY 4.0\n"
        "gpu-x,GPU X,300,\"vendor datasheet, rev 2\",2023,fact\n",
        "key,label,value,source,year,licence\n"
        "any,Any core,12,GA TDP_cpu.csv,2024,CC BY 4.0\n"
        "cpu-y,CPU Y,5,CodeCarbon cpu_power.csv,2021,MIT\n",
        "key,label,value,source,year,licence\n"
        "unknown,Unknown,1.56,Green Algorithms defaults_PUE.csv,2024,CC BY 4.0\n"
        "gcp,Google,1.12,Green Algorithms defaults_PUE.csv,2023,CC BY 4.0\n",
        "key,label,value,source,year,licence\n"
        "world,World,475,IEA 2019,2019,MIT\n"
        "fr,France,56,OWID,2023,CC BY 4.0\n");
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new Tables(*std::move(parsed));
  }();
  return *tables;
}

double Sum(const CostEstimate& estimate) {
  double kwh = 0;
  for (const CostComponent& c : estimate.breakdown) kwh += c.energy_kwh;
  return kwh;
}

const CostComponent& Part(const CostEstimate& estimate, std::string_view name) {
  for (const CostComponent& c : estimate.breakdown) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "no component " << name;
  static const CostComponent kNone;
  return kNone;
}

// The example from the brief, on the shipped tables.
//   accelerator: 8 x nvidia-a100-40gb 250 W x u 1      = 2000   W -> 10 h -> 20      kWh
//   cpu:         32 cores x 'any' 12 W/core x u 1      =  384   W         ->  3.84   kWh
//   memory:      256 GB x 0.3725 W/GB                  =   95.36 W        ->  0.9536 kWh
//   IT total                                           = 2479.36 W        -> 24.7936 kWh
//   x PUE 1.12 (gcp)   = 27.768832 kWh; overhead 0.12 x 24.7936 = 2.975232 kWh (297.5232 W)
//   x 56 g/kWh (FR, OWID 2023 56.03859 rounded to 56.0) / 1000 = 1.555054592 kg CO2e
TEST(EstimateCostTest, BriefExampleOnShippedTables) {
  TrainingPlan plan;
  plan.name = "nightly";
  plan.accelerator = "nvidia-a100-40gb";
  plan.accelerator_count = 8;
  plan.cpu_cores = 32;
  plan.memory_gb = 256;
  plan.hours = 10;
  plan.provider = "gcp";
  plan.region = "FR";
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, Tables::Shipped());
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  EXPECT_NEAR(estimate->energy_kwh, 27.768832, kTolerance);
  EXPECT_NEAR(estimate->co2e_kg, 1.555054592, kTolerance);
  EXPECT_EQ(estimate->method, "green_algorithms");
  EXPECT_EQ(estimate->plan, "nightly");
  EXPECT_DOUBLE_EQ(estimate->pue, 1.12);
  EXPECT_THAT(estimate->pue_source,
              HasSubstr("pue.csv row 'gcp': Green Algorithms defaults_PUE.csv, 2023, CC BY 4.0"));
  EXPECT_DOUBLE_EQ(estimate->carbon_intensity_g_per_kwh, 56.0);
  EXPECT_THAT(estimate->carbon_intensity_source, HasSubstr("carbon_intensity.csv row 'fr'"));
  EXPECT_THAT(estimate->carbon_intensity_source, HasSubstr("2023"));

  ASSERT_EQ(estimate->breakdown.size(), 4u);
  EXPECT_EQ(estimate->breakdown[0].name, "accelerator");
  EXPECT_EQ(estimate->breakdown[1].name, "cpu");
  EXPECT_EQ(estimate->breakdown[2].name, "memory");
  EXPECT_EQ(estimate->breakdown[3].name, "pue_overhead");
  EXPECT_NEAR(Part(*estimate, "accelerator").energy_kwh, 20, kTolerance);
  EXPECT_NEAR(Part(*estimate, "accelerator").power_w, 2000, kTolerance);
  EXPECT_THAT(Part(*estimate, "accelerator").source,
              HasSubstr("accelerators.csv row 'nvidia-a100-40gb'"));
  EXPECT_NEAR(Part(*estimate, "cpu").energy_kwh, 3.84, kTolerance);
  EXPECT_NEAR(Part(*estimate, "cpu").power_w, 384, kTolerance);
  EXPECT_THAT(Part(*estimate, "cpu").source, HasSubstr("cpus.csv row 'any'"));
  EXPECT_NEAR(Part(*estimate, "memory").energy_kwh, 0.9536, kTolerance);
  EXPECT_NEAR(Part(*estimate, "memory").power_w, 95.36, kTolerance);
  EXPECT_THAT(Part(*estimate, "memory").source, HasSubstr("0.3725 W/GB"));
  EXPECT_NEAR(Part(*estimate, "pue_overhead").energy_kwh, 2.975232, kTolerance);
  EXPECT_NEAR(Part(*estimate, "pue_overhead").power_w, 297.5232, kTolerance);
  EXPECT_NEAR(Sum(*estimate), estimate->energy_kwh, kTolerance);
}

// Utilisation and table rows, with PUE and carbon intensity overridden:
//   accelerator: 4 x 300 W x 0.5  = 600    W
//   cpu:         16 x 5 W x 0.25  =  20    W
//   memory:      64 GB x 0.3725   =  23.84 W
//   IT 643.84 W x 2.5 h = 1.6096 kWh; x PUE 1.5 = 2.4144 kWh; x 100 g/kWh = 0.24144 kg
TEST(EstimateCostTest, UtilisationAndOverrides) {
  TrainingPlan plan;
  plan.accelerator = "GPU-X";  // case-insensitive
  plan.accelerator_count = 4;
  plan.accelerator_utilization = 0.5;
  plan.cpu = "cpu-y";
  plan.cpu_cores = 16;
  plan.cpu_utilization = 0.25;
  plan.memory_gb = 64;
  plan.hours = 2.5;
  plan.provider = "gcp";
  plan.region = "fr";
  plan.pue = 1.5;
  plan.carbon_intensity_g_per_kwh = 100;
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, TestTables());
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  EXPECT_NEAR(estimate->energy_kwh, 2.4144, kTolerance);
  EXPECT_NEAR(estimate->co2e_kg, 0.24144, kTolerance);
  EXPECT_NEAR(Part(*estimate, "accelerator").power_w, 600, kTolerance);
  EXPECT_NEAR(Part(*estimate, "cpu").power_w, 20, kTolerance);
  EXPECT_NEAR(Part(*estimate, "memory").power_w, 23.84, kTolerance);
  EXPECT_NEAR(Part(*estimate, "pue_overhead").energy_kwh, 0.8048, kTolerance);
  EXPECT_THAT(Part(*estimate, "accelerator").source,
              HasSubstr("accelerators.csv row 'gpu-x': vendor datasheet, rev 2, 2023, fact"));
  EXPECT_THAT(Part(*estimate, "cpu").source, HasSubstr("cpus.csv row 'cpu-y'"));
  EXPECT_EQ(estimate->pue_source, "request override");
  EXPECT_EQ(estimate->carbon_intensity_source, "request override");
  EXPECT_NEAR(Sum(*estimate), estimate->energy_kwh, kTolerance);
}

// Power overrides make unknown models usable:
//   2 x 1000 W + 10 cores x 3 W = 2030 W; x 1 h = 2.03 kWh; x 1.12 = 2.2736 kWh;
//   x 56 g/kWh = 0.1273216 kg
TEST(EstimateCostTest, PowerOverridesAcceptUnknownModels) {
  TrainingPlan plan;
  plan.accelerator = "custom-asic";
  plan.accelerator_count = 2;
  plan.accelerator_power_w = 1000;
  plan.cpu = "exotic-cpu";
  plan.cpu_cores = 10;
  plan.cpu_power_per_core_w = 3;
  plan.hours = 1;
  plan.provider = "gcp";
  plan.region = "fr";
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, TestTables());
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  EXPECT_NEAR(estimate->energy_kwh, 2.2736, kTolerance);
  EXPECT_NEAR(estimate->co2e_kg, 0.1273216, kTolerance);
  EXPECT_THAT(Part(*estimate, "accelerator").source,
              HasSubstr("request override (plan.accelerator_power_w)"));
  EXPECT_THAT(Part(*estimate, "cpu").source,
              HasSubstr("request override (plan.cpu_power_per_core_w)"));
  EXPECT_EQ(Part(*estimate, "memory").energy_kwh, 0);
}

// Defaults: no provider -> 'unknown' PUE 1.56; no region -> world 475 g/kWh.
//   memory only: 100 GB x 0.3725 = 37.25 W x 4 h = 0.149 kWh; x 1.56 = 0.23244 kWh;
//   x 475 / 1000 = 0.110409 kg
TEST(EstimateCostTest, FallbacksForProviderAndRegion) {
  TrainingPlan plan;
  plan.memory_gb = 100;
  plan.hours = 4;
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, TestTables());
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  EXPECT_NEAR(estimate->energy_kwh, 0.23244, kTolerance);
  EXPECT_NEAR(estimate->co2e_kg, 0.110409, kTolerance);
  EXPECT_DOUBLE_EQ(estimate->pue, 1.56);
  EXPECT_THAT(estimate->pue_source, HasSubstr("no provider given"));
  EXPECT_THAT(estimate->pue_source,
              HasSubstr("pue.csv row 'unknown': Green Algorithms defaults_PUE.csv, 2024, "
                        "CC BY 4.0"));
  EXPECT_DOUBLE_EQ(estimate->carbon_intensity_g_per_kwh, 475);
  EXPECT_THAT(estimate->carbon_intensity_source, HasSubstr("world average fallback"));
  EXPECT_THAT(estimate->carbon_intensity_source, HasSubstr("row 'world'"));
  EXPECT_EQ(Part(*estimate, "accelerator").energy_kwh, 0);
  EXPECT_EQ(Part(*estimate, "cpu").energy_kwh, 0);
  EXPECT_NEAR(Sum(*estimate), estimate->energy_kwh, kTolerance);
}

// An accelerator count with no model uses the 'any' row (200 W) and says so:
//   3 x 200 W x 2 h = 1.2 kWh; x 1.56 = 1.872 kWh
TEST(EstimateCostTest, CountWithoutModelUsesAnyRow) {
  TrainingPlan plan;
  plan.accelerator_count = 3;
  plan.hours = 2;
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, TestTables());
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  EXPECT_NEAR(estimate->energy_kwh, 1.872, kTolerance);
  EXPECT_THAT(Part(*estimate, "accelerator").source, HasSubstr("no model named"));
  EXPECT_THAT(Part(*estimate, "accelerator").source, HasSubstr("accelerators.csv row 'any'"));
}

// PUE 1 (personal computer): no overhead at all.
TEST(EstimateCostTest, PueOfOneHasNoOverhead) {
  TrainingPlan plan;
  plan.cpu_cores = 8;
  plan.hours = 1;
  plan.provider = "personal";
  plan.region = "world";
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, Tables::Shipped());
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  // 8 x 12 W x 1 h = 0.096 kWh; x 475 g/kWh = 0.0456 kg
  EXPECT_NEAR(estimate->energy_kwh, 0.096, kTolerance);
  EXPECT_NEAR(estimate->co2e_kg, 0.0456, kTolerance);
  EXPECT_EQ(Part(*estimate, "pue_overhead").energy_kwh, 0);
}

TEST(EstimateCostTest, BreakdownSumsToTotalAcrossPlans) {
  for (double pue : {1.0, 1.09, 1.56, 2.9}) {
    for (int32_t gpus : {0, 1, 7, 4096}) {
      TrainingPlan plan;
      plan.accelerator_count = gpus;
      plan.cpu_cores = 13;
      plan.memory_gb = 1.5;
      plan.hours = 9999.5;
      plan.pue = pue;
      absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, Tables::Shipped());
      ASSERT_TRUE(estimate.ok()) << estimate.status();
      EXPECT_NEAR(Sum(*estimate), estimate->energy_kwh, 1e-12 * estimate->energy_kwh)
          << "pue " << pue << " gpus " << gpus;
      EXPECT_NEAR(estimate->co2e_kg,
                  estimate->energy_kwh * estimate->carbon_intensity_g_per_kwh / 1000,
                  1e-12 * estimate->co2e_kg);
    }
  }
}

TEST(EstimateCostTest, DefaultConstructedTablesFailWithoutCrashing) {
  TrainingPlan plan;
  plan.memory_gb = 1;
  plan.hours = 1;
  absl::StatusOr<CostEstimate> estimate = EstimateCost(plan, Tables());
  ASSERT_FALSE(estimate.ok());
  EXPECT_EQ(estimate.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(estimate.status().message()), HasSubstr("pue.csv has no 'unknown' row"));
}

// ---------------------------------------------------------------------------- validation

TrainingPlan ValidPlan() {
  TrainingPlan plan;
  plan.accelerator = "gpu-x";
  plan.accelerator_count = 1;
  plan.cpu_cores = 4;
  plan.memory_gb = 16;
  plan.hours = 1;
  plan.provider = "gcp";
  plan.region = "fr";
  return plan;
}

struct InvalidCase {
  std::string name;
  std::function<void(TrainingPlan&)> mutate;
  std::string expected_prefix;  // the field path the message must start with
};

class ValidatePlanTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ValidatePlanTest, RejectsNamingTheField) {
  TrainingPlan plan = ValidPlan();
  GetParam().mutate(plan);
  const absl::Status status = ValidatePlan(plan, TestTables());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith(GetParam().expected_prefix));
  // EstimateCost validates too.
  EXPECT_EQ(EstimateCost(plan, TestTables()).status(), status);
}

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidatePlanTest,
    ::testing::Values(
        InvalidCase{"HoursZero", [](TrainingPlan& p) { p.hours = 0; }, "plan.hours: "},
        InvalidCase{"HoursNegative", [](TrainingPlan& p) { p.hours = -1; }, "plan.hours: "},
        InvalidCase{"HoursTooMany", [](TrainingPlan& p) { p.hours = 10000.5; }, "plan.hours: "},
        InvalidCase{"HoursNan", [](TrainingPlan& p) { p.hours = kNan; }, "plan.hours: "},
        InvalidCase{"HoursInf", [](TrainingPlan& p) { p.hours = kInf; }, "plan.hours: "},
        InvalidCase{"AcceleratorCountNegative", [](TrainingPlan& p) { p.accelerator_count = -1; },
                    "plan.accelerator_count: "},
        InvalidCase{"AcceleratorCountTooMany", [](TrainingPlan& p) { p.accelerator_count = 4097; },
                    "plan.accelerator_count: "},
        InvalidCase{"CpuCoresNegative", [](TrainingPlan& p) { p.cpu_cores = -4; },
                    "plan.cpu_cores: "},
        InvalidCase{"CpuCoresTooMany", [](TrainingPlan& p) { p.cpu_cores = 4097; },
                    "plan.cpu_cores: "},
        InvalidCase{"MemoryNegative", [](TrainingPlan& p) { p.memory_gb = -1; },
                    "plan.memory_gb: "},
        InvalidCase{"MemoryTooMuch", [](TrainingPlan& p) { p.memory_gb = 65536.5; },
                    "plan.memory_gb: "},
        InvalidCase{"MemoryNan", [](TrainingPlan& p) { p.memory_gb = kNan; }, "plan.memory_gb: "},
        InvalidCase{"AcceleratorUtilisationAboveOne",
                    [](TrainingPlan& p) { p.accelerator_utilization = 1.01; },
                    "plan.accelerator_utilization: "},
        InvalidCase{"AcceleratorUtilisationNegative",
                    [](TrainingPlan& p) { p.accelerator_utilization = -0.1; },
                    "plan.accelerator_utilization: "},
        InvalidCase{"CpuUtilisationNan", [](TrainingPlan& p) { p.cpu_utilization = kNan; },
                    "plan.cpu_utilization: "},
        InvalidCase{"PueBelowOne", [](TrainingPlan& p) { p.pue = 0.99; }, "plan.pue: "},
        InvalidCase{"PueAboveThree", [](TrainingPlan& p) { p.pue = 3.01; }, "plan.pue: "},
        InvalidCase{"PueInf", [](TrainingPlan& p) { p.pue = kInf; }, "plan.pue: "},
        InvalidCase{"CarbonNegative", [](TrainingPlan& p) { p.carbon_intensity_g_per_kwh = -1; },
                    "plan.carbon_intensity_g_per_kwh: "},
        InvalidCase{"CarbonTooHigh", [](TrainingPlan& p) { p.carbon_intensity_g_per_kwh = 2000.1; },
                    "plan.carbon_intensity_g_per_kwh: "},
        InvalidCase{"CarbonNan", [](TrainingPlan& p) { p.carbon_intensity_g_per_kwh = kNan; },
                    "plan.carbon_intensity_g_per_kwh: "},
        InvalidCase{"AcceleratorPowerZero", [](TrainingPlan& p) { p.accelerator_power_w = 0; },
                    "plan.accelerator_power_w: "},
        InvalidCase{"AcceleratorPowerTooHigh",
                    [](TrainingPlan& p) { p.accelerator_power_w = 5000.1; },
                    "plan.accelerator_power_w: "},
        InvalidCase{"AcceleratorPowerNan", [](TrainingPlan& p) { p.accelerator_power_w = kNan; },
                    "plan.accelerator_power_w: "},
        InvalidCase{"CpuPowerNegative", [](TrainingPlan& p) { p.cpu_power_per_core_w = -3; },
                    "plan.cpu_power_per_core_w: "},
        InvalidCase{"CpuPowerInf", [](TrainingPlan& p) { p.cpu_power_per_core_w = kInf; },
                    "plan.cpu_power_per_core_w: "},
        InvalidCase{"TrainingRowsNegative", [](TrainingPlan& p) { p.training_rows = -1; },
                    "plan.training_rows: "},
        InvalidCase{"NoHardware",
                    [](TrainingPlan& p) {
                      p.accelerator.clear();
                      p.accelerator_count = 0;
                      p.cpu_cores = 0;
                      p.memory_gb = 0;
                    },
                    "plan.accelerator_count, plan.cpu_cores, plan.memory_gb: no hardware"},
        InvalidCase{"AcceleratorNamedWithoutCount",
                    [](TrainingPlan& p) { p.accelerator_count = 0; },
                    "plan.accelerator_count: must be > 0 when plan.accelerator is 'gpu-x'"},
        InvalidCase{"CpuNamedWithoutCores",
                    [](TrainingPlan& p) {
                      p.cpu = "cpu-y";
                      p.cpu_cores = 0;
                    },
                    "plan.cpu_cores: must be > 0 when plan.cpu is 'cpu-y'"},
        InvalidCase{"UnknownAccelerator", [](TrainingPlan& p) { p.accelerator = "nvidia-a99"; },
                    "plan.accelerator: unknown accelerator 'nvidia-a99'; send "
                    "accelerator_power_w or use one of the keys in accelerators.csv "
                    "(ListEnergyTables): any, gpu-x"},
        InvalidCase{"UnknownCpu", [](TrainingPlan& p) { p.cpu = "pentium-4"; },
                    "plan.cpu: unknown cpu 'pentium-4'; send cpu_power_per_core_w"},
        InvalidCase{"UnknownProvider", [](TrainingPlan& p) { p.provider = "hetzner"; },
                    "plan.provider: unknown provider 'hetzner'; send pue or use one of the keys "
                    "in pue.csv: unknown, gcp"},
        InvalidCase{"UnknownRegion", [](TrainingPlan& p) { p.region = "xx"; },
                    "plan.region: unknown region 'xx'; send carbon_intensity_g_per_kwh or use "
                    "one of the keys in carbon_intensity.csv, listed by ListEnergyTables"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST(ValidatePlanBoundsTest, AcceptsInclusiveBounds) {
  TrainingPlan plan = ValidPlan();
  plan.hours = 10000;
  plan.accelerator_count = 4096;
  plan.cpu_cores = 4096;
  plan.memory_gb = 65536;
  plan.accelerator_utilization = 0;
  plan.cpu_utilization = 1;
  plan.pue = 3;
  plan.carbon_intensity_g_per_kwh = 2000;
  plan.accelerator_power_w = 5000;
  plan.cpu_power_per_core_w = 5000;
  EXPECT_TRUE(ValidatePlan(plan, TestTables()).ok());
  plan.pue = 1;
  plan.carbon_intensity_g_per_kwh = 0;
  plan.accelerator_utilization = 1;
  plan.cpu_utilization = 0;
  EXPECT_TRUE(ValidatePlan(plan, TestTables()).ok());
}

TEST(ValidatePlanBoundsTest, OverridesStandInForUnknownKeys) {
  TrainingPlan plan = ValidPlan();
  plan.provider = "hetzner";
  plan.pue = 1.3;
  plan.region = "xx";
  plan.carbon_intensity_g_per_kwh = 300;
  EXPECT_TRUE(ValidatePlan(plan, TestTables()).ok());
}

TEST(ValidatePlanBoundsTest, MemoryOnlyOrCoresOnlyIsHardware) {
  TrainingPlan plan;
  plan.hours = 1;
  plan.memory_gb = 0.5;
  EXPECT_TRUE(ValidatePlan(plan, TestTables()).ok());
  plan.memory_gb = 0;
  plan.cpu_cores = 1;
  EXPECT_TRUE(ValidatePlan(plan, TestTables()).ok());
}

TEST(ValidatePlanBoundsTest, LookupsAreCaseInsensitive) {
  TrainingPlan plan = ValidPlan();
  plan.accelerator = "NVIDIA-A100-40GB";
  plan.provider = "AWS";
  plan.region = "Europe-West9";
  EXPECT_TRUE(ValidatePlan(plan, Tables::Shipped()).ok());
}

}  // namespace
}  // namespace greengate::energy
