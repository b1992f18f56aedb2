#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/core/policy/policy.h"

namespace greengate::policy {
namespace {

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2024, 3, 1, 12, 0, 0), absl::UTCTimeZone());

// `drifted` of `total` features drifted; dataset drift when the share reaches `threshold`.
drift::DriftReport Drift(int drifted, int total, double threshold = 0.5) {
  drift::DriftReport d;
  d.features.resize(total);
  for (int i = 0; i < drifted; ++i) d.features[i].drifted = true;
  d.drifted_features = drifted;
  d.drifted_share = static_cast<double>(drifted) / total;
  d.share_threshold = threshold;
  d.dataset_drift = d.drifted_share >= threshold;
  return d;
}

// A labeled-window estimate as gain::EstimateGain builds it, from the degradation and its
// lower bound (recovery ratio 0.8, 95%). Values of the "degraded" case of gain_test.cc:
// reference 0.9, 812/1000 correct, d = 0.088, d - z se = 0.06651239371865475.
gain::GainEstimate Labeled(double reference, int64_t correct, int64_t rows,
                           double degradation_lower_bound) {
  gain::GainEstimate g;
  g.has_evidence = true;
  g.has_labels = true;
  g.method = "labeled_window";
  g.labeled_rows = rows;
  g.labeled_correct = correct;
  g.reference_accuracy = reference;
  g.current_accuracy = static_cast<double>(correct) / static_cast<double>(rows);
  g.degradation = reference - g.current_accuracy;
  g.degradation_lower_bound = degradation_lower_bound;
  g.recovery_ratio = 0.8;
  g.confidence = 0.95;
  g.expected = 0.8 * std::max(0.0, g.degradation);
  g.lower_bound = 0.8 * std::max(0.0, degradation_lower_bound);
  g.evidence = "labeled window";
  return g;
}

gain::GainEstimate NoLabels() {
  gain::GainEstimate g;
  g.method = "none";
  g.evidence = "no labeled window: send labeled rows (rows, correct) to estimate the gain";
  return g;
}

energy::CostEstimate Cost(double energy_kwh, double co2e_kg) {
  energy::CostEstimate c;
  c.energy_kwh = energy_kwh;
  c.co2e_kg = co2e_kg;
  c.method = "green_algorithms";
  return c;
}

// Everything a decision needs; the default approves (3 of 5 features drifted, gain lower
// bound 5.32 points, 12.3 kWh: 0.433 points/kWh, default policy).
struct Scenario {
  Policy policy;
  drift::DriftReport drift = Drift(3, 5);
  gain::GainEstimate gain = Labeled(0.9, 812, 1000, 0.06651239371865475);
  energy::CostEstimate cost = Cost(12.3, 4.1);
  History history;
  absl::Time now = kNow;

  PolicyDecision Run() const {
    PolicyInputs in;
    in.policy = &policy;
    in.drift = &drift;
    in.gain = &gain;
    in.cost = &cost;
    in.history = history;
    in.now = now;
    return Decide(in);
  }
};

constexpr bool T = true;
constexpr bool F = false;
using Flags = std::array<bool, 7>;

struct PathCase {
  const char* name;
  std::function<void(Scenario&)> setup;
  Verdict verdict;
  const char* decided_by;
  Flags evaluated;
  Flags passed;  // of the evaluated checks
};

const std::vector<PathCase>& PathCases() {
  static const auto* cases = new std::vector<PathCase>{
      {"all_pass",
       [](Scenario&) {},
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"no_drift_no_labels",
       [](Scenario& s) {
         s.drift = Drift(1, 5);
         s.gain = NoLabels();
       },
       Verdict::kReject,
       "evidence_of_need",
       {T, T, F, F, F, F, F},
       {F, T, F, F, F, F, F}},
      {"no_drift_insignificant_degradation",
       [](Scenario& s) {
         s.drift = Drift(1, 5);
         s.gain = Labeled(0.9, 880, 1000, -0.00018551074872192458);
       },
       Verdict::kReject,
       "evidence_of_need",
       {T, T, F, F, F, F, F},
       {F, T, F, F, F, F, F}},
      {"no_drift_significant_degradation",
       [](Scenario& s) { s.drift = Drift(0, 5); },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"floor_breach_beats_failing_evidence",
       [](Scenario& s) {
         s.drift = Drift(0, 5);
         s.gain = Labeled(0.9, 880, 1000, -0.00018551074872192458);
         s.policy.accuracy_floor = 0.89;
       },
       Verdict::kApprove,
       "accuracy_floor",
       {T, T, F, F, F, F, F},
       {F, F, F, F, F, F, F}},
      {"floor_breach_skips_cooldown",
       [](Scenario& s) {
         s.policy.accuracy_floor = 0.85;
         s.history.last_approval = kNow - absl::Hours(1);
       },
       Verdict::kApprove,
       "accuracy_floor",
       {T, T, F, F, F, F, F},
       {T, F, F, F, F, F, F}},
      {"floor_held",
       [](Scenario& s) { s.policy.accuracy_floor = 0.8; },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"cooldown",
       [](Scenario& s) { s.history.last_approval = kNow - absl::Hours(5); },
       Verdict::kDefer,
       "cooldown",
       {T, T, T, F, F, F, F},
       {T, T, F, F, F, F, F}},
      {"cooldown_elapsed_exactly",
       [](Scenario& s) { s.history.last_approval = kNow - absl::Hours(24); },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"no_gain_evidence",
       [](Scenario& s) { s.gain = NoLabels(); },
       Verdict::kDefer,
       "gain_evidence",
       {T, T, T, T, F, F, F},
       {T, T, T, F, F, F, F}},
      {"min_gain",
       [](Scenario& s) { s.gain = Labeled(0.9, 880, 1000, 0.005); },
       Verdict::kReject,
       "min_gain",
       {T, T, T, T, T, F, F},
       {T, T, T, T, F, F, F}},
      {"efficiency",
       [](Scenario& s) { s.cost = Cost(200, 66); },
       Verdict::kReject,
       "efficiency",
       {T, T, T, T, T, T, F},
       {T, T, T, T, T, F, F}},
      {"zero_energy_job",
       [](Scenario& s) { s.cost = Cost(0, 0); },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"energy_budget",
       [](Scenario& s) {
         s.policy.energy_budget_kwh = 100;
         s.history.approved_energy_kwh_in_window = 90;
       },
       Verdict::kDefer,
       "energy_budget",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, F}},
      {"energy_budget_room_left",
       [](Scenario& s) {
         s.policy.energy_budget_kwh = 100;
         s.history.approved_energy_kwh_in_window = 87.7;  // 87.7 + 12.3 = 100 <= 100
       },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"unlimited_budget",
       [](Scenario& s) { s.history.approved_energy_kwh_in_window = 1e6; },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
      {"zero_budget_freezes",
       [](Scenario& s) { s.policy.energy_budget_kwh = 0; },
       Verdict::kDefer,
       "energy_budget",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, F}},
      {"zero_budget_zero_energy_job",
       [](Scenario& s) {
         s.policy.energy_budget_kwh = 0;
         s.cost = Cost(0, 0);
       },
       Verdict::kApprove,
       "efficiency",
       {T, T, T, T, T, T, T},
       {T, T, T, T, T, T, T}},
  };
  return *cases;
}

TEST(DecideTest, EachCheckDecidesItsPath) {
  for (const PathCase& c : PathCases()) {
    SCOPED_TRACE(c.name);
    Scenario s;
    c.setup(s);
    const PolicyDecision d = s.Run();
    EXPECT_EQ(VerdictName(d.verdict), std::string(VerdictName(c.verdict)));
    EXPECT_EQ(d.decided_by, c.decided_by);
    ASSERT_EQ(d.checks.size(), 7u);
    int decisive = 0;
    for (int i = 0; i < 7; ++i) {
      const Check& check = d.checks[i];
      SCOPED_TRACE(check.name);
      EXPECT_EQ(check.evaluated, c.evaluated[i]);
      EXPECT_EQ(check.passed, c.passed[i]);
      EXPECT_EQ(check.decisive, check.name == c.decided_by);
      EXPECT_EQ(check.detail.empty(), !check.evaluated) << check.detail;
      decisive += check.decisive;
    }
    EXPECT_EQ(decisive, 1);
    EXPECT_EQ(d.accuracy_floor_override, std::string(c.decided_by) == "accuracy_floor");
    EXPECT_EQ(d.reason.rfind(VerdictName(c.verdict), 0), 0u) << d.reason;
    if (d.verdict != Verdict::kDefer) {
      EXPECT_FALSE(d.retry_after.has_value());
    }
  }
}

TEST(DecideTest, ChecksAreInTheDocumentedOrder) {
  const PolicyDecision d = Scenario().Run();
  const std::vector<std::string> names = {"evidence_of_need", "accuracy_floor", "cooldown",
                                          "gain_evidence",    "min_gain",       "efficiency",
                                          "energy_budget"};
  ASSERT_EQ(d.checks.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(d.checks[i].name, names[i]);
}

TEST(DecideTest, ApproveReasonStatesTheKeyNumbers) {
  const PolicyDecision d = Scenario().Run();
  // expected 0.8 * 0.088 = 7.04 points, lower bound 0.8 * 0.0665 = 5.32 points,
  // 5.32 / 12.3 kWh = 0.433 points/kWh.
  EXPECT_EQ(d.reason,
            "APPROVE: 3 of 5 features drifted; expected gain 7.04 points (lower bound 5.32) for "
            "12.3 kWh / 4.1 kg CO2e = 0.433 points/kWh >= 0.05");
  const Check& efficiency = d.checks[5];
  EXPECT_NEAR(efficiency.observed, 100 * 0.8 * 0.06651239371865475 / 12.3, 1e-15);
  EXPECT_EQ(efficiency.limit, 0.05);
}

TEST(DecideTest, EvidenceOfNeedRecordsTheSignalThatDecided) {
  Scenario drifted;  // 3 of 5 drifted: the share decides
  Check c = drifted.Run().checks[0];
  EXPECT_DOUBLE_EQ(c.observed, 0.6);
  EXPECT_EQ(c.limit, 0.5);
  EXPECT_NE(c.detail.find("dataset drift: 3 of 5 features drifted"), std::string::npos);
  EXPECT_NE(c.detail.find("degradation 8.8 points"), std::string::npos) << c.detail;

  Scenario labeled;  // no drift: the labeled degradation decides
  labeled.drift = Drift(1, 5);
  c = labeled.Run().checks[0];
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(c.observed, 0.06651239371865475);
  EXPECT_EQ(c.limit, 0);
  EXPECT_NE(c.detail.find("no dataset drift: 1 of 5 features drifted"), std::string::npos);

  Scenario none;
  none.drift = Drift(1, 5);
  none.gain = NoLabels();
  const PolicyDecision d = none.Run();
  EXPECT_EQ(d.checks[0].observed, 0.2);
  EXPECT_EQ(d.reason, "REJECT: no drift (1 of 5 features) and no significant degradation");
}

TEST(DecideTest, FloorOverrideIsFlaggedAndExplained) {
  Scenario s;
  s.drift = Drift(0, 5);
  s.gain = Labeled(0.9, 812, 1000, -0.01);  // failing evidence too
  s.policy.accuracy_floor = 0.85;
  const PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  EXPECT_TRUE(d.accuracy_floor_override);
  EXPECT_FALSE(d.checks[0].passed);
  EXPECT_FALSE(d.checks[0].decisive);
  EXPECT_EQ(d.checks[1].observed, 0.812);
  EXPECT_EQ(d.checks[1].limit, 0.85);
  EXPECT_EQ(d.reason,
            "APPROVE (accuracy floor override): current accuracy 0.812 (812/1000 labeled rows) "
            "< floor 0.850");
}

TEST(DecideTest, FloorNeedsLabels) {
  Scenario s;
  s.gain = NoLabels();
  s.policy.accuracy_floor = 0.99;
  const PolicyDecision d = s.Run();
  EXPECT_TRUE(d.checks[1].passed);
  EXPECT_FALSE(d.accuracy_floor_override);
  EXPECT_NE(d.checks[1].detail.find("no labeled window"), std::string::npos);
  EXPECT_EQ(d.decided_by, "gain_evidence");  // drift, but no labels
}

TEST(DecideTest, FloorWorksWithoutReferenceAccuracy) {
  Scenario s;
  s.gain = NoLabels();
  s.gain.has_labels = true;  // labels, but the reference has no accuracy
  s.gain.labeled_rows = 1000;
  s.gain.labeled_correct = 700;
  s.gain.current_accuracy = 0.7;
  s.policy.accuracy_floor = 0.75;
  const PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  EXPECT_EQ(d.decided_by, "accuracy_floor");
}

TEST(DecideTest, CooldownRetryAfter) {
  Scenario s;
  const absl::Time last = kNow - absl::Hours(5);
  s.history.last_approval = last;
  const PolicyDecision d = s.Run();
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(*d.retry_after, last + absl::Hours(24));
  EXPECT_EQ(d.checks[2].observed, 5.0);
  EXPECT_EQ(d.checks[2].limit, 24.0);
  EXPECT_EQ(d.reason,
            "DEFER: last approval 5 h ago, within the 24 h cooldown; retry after "
            "2024-03-02T07:00:00Z");

  Scenario first;  // no previous approval
  const Check c = first.Run().checks[2];
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(c.observed, -1);
  EXPECT_EQ(c.detail, "no previous approval");
}

TEST(DecideTest, GainEvidenceDeferTellsWhatToSend) {
  Scenario s;
  s.gain = NoLabels();
  const PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_FALSE(d.retry_after.has_value());
  EXPECT_NE(d.reason.find("send labeled rows (rows, correct)"), std::string::npos) << d.reason;
}

TEST(DecideTest, BudgetRetryAfterWhenTheOldestApprovalAgesOut) {
  Scenario s;
  s.policy.energy_budget_kwh = 100;
  s.history.approved_energy_kwh_in_window = 90;
  const absl::Time oldest = kNow - absl::Hours(24 * 20);
  s.history.oldest_approval_in_window = oldest;
  const PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(*d.retry_after, oldest + absl::Hours(24 * 30));
  EXPECT_DOUBLE_EQ(d.checks[6].observed, 102.3);
  EXPECT_EQ(d.checks[6].limit, 100);
  EXPECT_EQ(d.reason,
            "DEFER: energy budget: 90 kWh approved in the last 720 h + 12.3 kWh for this job = "
            "102 kWh > 100 kWh; retry after 2024-03-11T12:00:00Z when the oldest approval "
            "leaves the window");
}

TEST(DecideTest, BudgetNoRetryWhenTheJobAloneExceedsIt) {
  Scenario s;
  s.policy.energy_budget_kwh = 10;
  s.history.oldest_approval_in_window = kNow - absl::Hours(1);
  const PolicyDecision d = s.Run();
  EXPECT_EQ(d.decided_by, "energy_budget");
  EXPECT_FALSE(d.retry_after.has_value());
  EXPECT_NE(d.reason.find("this job alone exceeds the budget"), std::string::npos);
}

// Unset is unlimited and 0 spends nothing: the same retrain, approved without a budget, is
// deferred by a budget of 0 with no retry time (no approval leaving the window frees any).
TEST(DecideTest, ZeroBudgetIsAFreezeUnsetIsUnlimited) {
  Scenario s;
  s.history.approved_energy_kwh_in_window = 0;
  PolicyDecision d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kApprove);
  EXPECT_EQ(d.checks[6].limit, 0);
  EXPECT_NE(d.checks[6].detail.find("unlimited (no energy budget)"), std::string::npos)
      << d.checks[6].detail;

  s.policy.energy_budget_kwh = 0;
  s.history.oldest_approval_in_window = kNow - absl::Hours(1);
  d = s.Run();
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.decided_by, "energy_budget");
  EXPECT_FALSE(d.checks[6].passed);
  EXPECT_EQ(d.checks[6].limit, 0);
  EXPECT_FALSE(d.retry_after.has_value());
  EXPECT_EQ(d.reason,
            "DEFER: energy budget: 0 kWh approved in the last 720 h + 12.3 kWh for this job = "
            "12.3 kWh > 0 kWh; this job alone exceeds the budget");
}

TEST(DecideTest, EfficiencyBoundary) {
  // 100 * 0.015625 / 31.25 = 0.05 exactly in binary floating point (1.5625 / 31.25, correctly
  // rounded, is the double nearest 0.05): the limit itself passes.
  Scenario at;
  at.gain.lower_bound = 0.015625;
  at.cost = Cost(31.25, 10);
  PolicyDecision d = at.Run();
  EXPECT_EQ(d.checks[5].observed, 0.05);
  EXPECT_TRUE(d.checks[5].passed);
  EXPECT_EQ(d.verdict, Verdict::kApprove);

  Scenario below = at;  // a hair more energy: just under the limit
  below.cost = Cost(31.25 * (1 + 1e-12), 10);
  d = below.Run();
  EXPECT_LT(d.checks[5].observed, 0.05);
  EXPECT_FALSE(d.checks[5].passed);
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_EQ(d.decided_by, "efficiency");
}

TEST(DecideTest, MinGainBoundaryPasses) {
  Scenario s;
  s.gain.lower_bound = s.policy.min_gain;
  EXPECT_TRUE(s.Run().checks[4].passed);
}

TEST(VerdictNameTest, Names) {
  EXPECT_STREQ(VerdictName(Verdict::kApprove), "APPROVE");
  EXPECT_STREQ(VerdictName(Verdict::kReject), "REJECT");
  EXPECT_STREQ(VerdictName(Verdict::kDefer), "DEFER");
}

}  // namespace
}  // namespace greengate::policy
