#include <string>

#include "client/names.h"
#include "client/plan_flags.h"
#include "client/policy_flags.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;

TEST(NamesTest, AcceptIdsAndFullNames) {
  EXPECT_EQ(ModelName("churn"), "models/churn");
  EXPECT_EQ(ModelName("models/churn"), "models/churn");
  EXPECT_EQ(ModelId("models/churn"), "churn");
  EXPECT_EQ(ModelId("churn"), "churn");
  EXPECT_EQ(DecisionName("abc"), "decisions/abc");
  EXPECT_EQ(DecisionName("decisions/abc"), "decisions/abc");
}

TEST(NamesTest, VerdictsParseCaseInsensitivelyAndMapToExitCodes) {
  EXPECT_EQ(*ParseVerdict("approve", "--verdict"), v1::APPROVE);
  EXPECT_EQ(*ParseVerdict("REJECT", "--verdict"), v1::REJECT);
  EXPECT_EQ(*ParseVerdict("Defer", "--verdict"), v1::DEFER);
  absl::StatusOr<v1::Verdict> bad = ParseVerdict("maybe", "--verdict");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("--verdict: must be APPROVE"));
  EXPECT_EQ(VerdictExitCode(v1::APPROVE), 0);
  EXPECT_EQ(VerdictExitCode(v1::REJECT), 10);
  EXPECT_EQ(VerdictExitCode(v1::DEFER), 11);
  EXPECT_EQ(VerdictExitCode(v1::VERDICT_UNSPECIFIED), 1);
}

TEST(PolicyFlagsTest, SetFlagsOverrideOnlyTheirFields) {
  v1::Policy policy;
  policy.set_energy_budget_kwh(500);  // from the current policy: kept
  policy.set_min_gain(0.005);
  PolicyFlags flags;
  EXPECT_TRUE(flags.empty());
  flags.min_gain = 0.01;
  flags.cooldown_hours = 1.5;
  flags.budget_window_days = 7;
  flags.correction = "Bonferroni";
  flags.accuracy_floor = 0;  // an explicit zero floor is set, not ignored
  EXPECT_FALSE(flags.empty());
  ASSERT_TRUE(ApplyPolicyFlags(flags, &policy).ok());
  EXPECT_EQ(policy.min_gain(), 0.01);
  EXPECT_EQ(policy.cooldown_s(), 5400);
  EXPECT_EQ(policy.budget_window_s(), 7 * 86400);
  EXPECT_EQ(policy.correction(), v1::BONFERRONI);
  EXPECT_TRUE(policy.has_accuracy_floor());
  EXPECT_EQ(policy.accuracy_floor(), 0);
  EXPECT_EQ(policy.energy_budget_kwh(), 500);
  EXPECT_FALSE(policy.has_min_gain_points_per_kwh());
}

TEST(PolicyFlagsTest, CorrectionNames) {
  for (const auto& [name, expected] : std::initializer_list<std::pair<std::string, v1::Correction>>{
           {"bh", v1::BENJAMINI_HOCHBERG},
           {"benjamini-hochberg", v1::BENJAMINI_HOCHBERG},
           {"none", v1::NO_CORRECTION},
           {"BONFERRONI", v1::BONFERRONI}}) {
    PolicyFlags flags;
    flags.correction = name;
    v1::Policy policy;
    ASSERT_TRUE(ApplyPolicyFlags(flags, &policy).ok()) << name;
    EXPECT_EQ(policy.correction(), expected) << name;
  }
  PolicyFlags flags;
  flags.correction = "holm";
  v1::Policy policy;
  const absl::Status status = ApplyPolicyFlags(flags, &policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--correction"));
}

// A budget flag takes a number (0 freezes) or "unlimited", which clears the field.
TEST(PolicyFlagsTest, BudgetsTakeZeroOrUnlimited) {
  v1::Policy policy;
  policy.set_energy_budget_kwh(500);
  PolicyFlags flags;
  flags.energy_budget_kwh = "0";
  flags.carbon_budget_kg = "12.5";
  ASSERT_TRUE(ApplyPolicyFlags(flags, &policy).ok());
  EXPECT_TRUE(policy.has_energy_budget_kwh());
  EXPECT_EQ(policy.energy_budget_kwh(), 0);
  EXPECT_EQ(policy.carbon_budget_kg(), 12.5);

  flags.energy_budget_kwh = "Unlimited";
  flags.carbon_budget_kg = "unlimited";
  ASSERT_TRUE(ApplyPolicyFlags(flags, &policy).ok());
  EXPECT_FALSE(policy.has_energy_budget_kwh());
  EXPECT_FALSE(policy.has_carbon_budget_kg());

  for (const char* bad : {"-1", "lots", "inf", "nan", ""}) {
    flags.energy_budget_kwh = bad;
    const absl::Status status = ApplyPolicyFlags(flags, &policy);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(status.message()), HasSubstr("--energy-budget-kwh: must be a number"))
        << bad;
  }
}

TEST(PlanFlagsTest, OnlySetFlagsAreSet) {
  PlanFlags flags;
  EXPECT_TRUE(flags.empty());
  flags.hours = 10;
  flags.accelerator = "nvidia-a100-40gb";
  flags.accelerator_count = 8;
  flags.region = "FR";
  flags.pue = 1.2;
  EXPECT_FALSE(flags.empty());
  const v1::TrainingPlan plan = PlanFromFlags(flags);
  EXPECT_EQ(plan.hours(), 10);
  EXPECT_EQ(plan.accelerator(), "nvidia-a100-40gb");
  EXPECT_EQ(plan.accelerator_count(), 8);
  EXPECT_EQ(plan.region(), "FR");
  EXPECT_TRUE(plan.has_pue());
  EXPECT_EQ(plan.pue(), 1.2);
  EXPECT_FALSE(plan.has_carbon_intensity_g_per_kwh());
  EXPECT_FALSE(plan.has_accelerator_utilization());
  EXPECT_EQ(plan.cpu_cores(), 0);
}

}  // namespace
}  // namespace greengate::client
