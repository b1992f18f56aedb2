#include "client/output.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Decision ParseDecision(const std::string& text) {
  v1::Decision d;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &d));
  return d;
}

// A REJECT decided by min_gain: later checks skipped, one of two features drifted.
constexpr char kRejected[] = R"pb(
  name: "decisions/0001"
  model: "models/churn"
  model_version: "v3"
  verdict: REJECT
  reason: "gain lower bound 0.002 is below the minimum 0.005"
  decided_by: "min_gain"
  policy_version: 2
  create_time { seconds: 1714557600 }
  idempotency_key: "run-42"
  checks {
    name: "evidence_of_need"
    evaluated: true
    passed: true
    observed: 0.5
    limit: 0.5
    detail: "1 of 2 features drifted"
  }
  checks {
    name: "accuracy_floor"
    evaluated: true
    passed: true
    observed: 0.85
    limit: 0
    detail: "no floor"
  }
  checks {
    name: "min_gain"
    evaluated: true
    passed: false
    observed: 0.002
    limit: 0.005
    detail: "lower bound of the expected gain"
    decisive: true
  }
  checks { name: "efficiency" evaluated: false }
  drift {
    features {
      feature: "age"
      test: "ks"
      statistic: 0.31
      p_value: 0.000012
      adjusted_p_value: 0.000024
      threshold: 0.05
      drifted: true
      psi: 0.4123
      why: "numeric, n < 1000: KS"
    }
    features {
      feature: "city"
      test: "chi_square"
      statistic: 1.2
      p_value: 0.54
      adjusted_p_value: 0.54
      threshold: 0.05
      drifted: false
    }
    drifted_features: 1
    drifted_share: 0.5
    share_threshold: 0.5
    dataset_drift: true
    correction: BENJAMINI_HOCHBERG
  }
  gain {
    expected: 0.012
    lower_bound: 0.002
    upper_bound: 0.022
    method: "labeled_window"
    reference_accuracy: 0.91
    current_accuracy: 0.895
    degradation: 0.015
    recovery_ratio: 0.8
    evidence: "2000 labeled rows"
  }
  cost {
    energy_kwh: 39.6
    co2e_kg: 2.2176
    method: "green_algorithms"
    pue: 1.1
    pue_source: "gcp default"
    carbon_intensity_g_per_kwh: 56
    carbon_intensity_source: "FR 2023"
    plan: "full"
    breakdown { name: "accelerator" energy_kwh: 32 power_w: 400 source: "table" }
    breakdown { name: "pue_overhead" energy_kwh: 3.6 power_w: 0 source: "pue" }
  }
)pb";

TEST(FormatDecisionTest, ShowsVerdictReasonChecksDriftGainAndCost) {
  EXPECT_EQ(FormatDecision(ParseDecision(kRejected)),
            R"(REJECT: gain lower bound 0.002 is below the minimum 0.005

decision:   decisions/0001 (2024-05-01T10:00:00Z)
model:      models/churn version v3, policy v2
decided by: min_gain
idempotency key: run-42

checks (* decided the verdict):
     check             result   observed  limit  detail
     evidence_of_need  pass     0.5       0.5    1 of 2 features drifted
     accuracy_floor    pass     0.85      0      no floor
  *  min_gain          FAIL     0.002     0.005  lower bound of the expected gain
     efficiency        skipped

drift: 1 of 2 features drifted (share 0.5, threshold 0.5, correction Benjamini-Hochberg): dataset drift
drifted features:
  feature  test  statistic  p-value  adj. p   threshold  psi    why
  age      ks    0.31       1.2e-05  2.4e-05  0.05       0.412  numeric, n < 1000: KS

gain (labeled_window): expected 0.012, lower bound 0.002, upper bound 0.022 (accuracy 0.91 at deployment, 0.895 now; degradation 0.015, recovery ratio 0.8)
  evidence: 2000 labeled rows

cost (green_algorithms, plan full): 39.6 kWh, 2.218 kg CO2e
  PUE 1.1 (gcp default), 56 gCO2e/kWh (FR 2023)
  component     kWh  power W  source
  accelerator   32   400      table
  pue_overhead  3.6  0        pue
)");
}

TEST(FormatDecisionTest, DeferShowsRetryAfterAndOmitsEmptySections) {
  v1::Decision d;
  d.set_name("decisions/7");
  d.set_verdict(v1::DEFER);
  d.set_reason("DEFER: no gain evidence: send a labeled window");
  d.mutable_retry_after()->set_seconds(1714561200);
  d.mutable_gain()->set_method("none");
  const std::string text = FormatDecision(d);
  EXPECT_THAT(text, HasSubstr("DEFER: no gain evidence: send a labeled window\n"));
  EXPECT_THAT(text, HasSubstr("retry after: 2024-05-01T11:00:00Z\n"));
  EXPECT_THAT(text, HasSubstr("gain (none): no estimate\n"));
  EXPECT_THAT(text, Not(HasSubstr("checks")));
  EXPECT_THAT(text, Not(HasSubstr("drift:")));
  EXPECT_THAT(text, Not(HasSubstr("cost")));
  EXPECT_THAT(text, Not(HasSubstr("idempotency")));
}

TEST(FormatDecisionTest, NoPValueShowsAsDash) {
  v1::Decision d = ParseDecision(R"pb(
    drift {
      features {
        feature: "x"
        test: "psi"
        statistic: 0.3
        p_value: -1
        adjusted_p_value: -1
        threshold: 0.1
        drifted: true
        unseen_categories: "z"
      }
    }
  )pb");
  EXPECT_THAT(FormatDecision(d),
              HasSubstr("  x (unseen: z)  psi   0.3        -        -       0.1"));
}

TEST(FormatDecisionListTest, OneLinePerDecision) {
  v1::Decision a = ParseDecision(kRejected);
  v1::Decision b;
  b.set_name("decisions/0002");
  b.set_model("models/fraud");
  b.set_verdict(v1::APPROVE);
  b.set_reason("APPROVE: accuracy floor breached");  // a verdict prefix is not repeated
  EXPECT_EQ(FormatDecisionList({a, b}),
            "decision        time                  model         verdict  kWh   reason\n"
            "decisions/0001  2024-05-01T10:00:00Z  models/churn  REJECT   39.6  gain lower "
            "bound 0.002 is below the minimum 0.005\n"
            "decisions/0002  -                     models/fraud  APPROVE  0     accuracy "
            "floor breached\n");
}

TEST(FormatTableTest, PadsColumnsAndTrimsTrailingBlanks) {
  EXPECT_EQ(FormatTable({{"a", "bb", ""}, {"ccc", "", "d"}}, "> "),
            "> a    bb\n"
            "> ccc      d\n");
}

struct NumberCase {
  double value;
  int digits;
  std::string text;
};

TEST(FormatNumberTest, SignificantDigits) {
  for (const NumberCase& c : std::initializer_list<NumberCase>{{0, 4, "0"},
                                                               {-0.0, 4, "0"},
                                                               {0.031234, 4, "0.03123"},
                                                               {12345.6, 4, "1.235e+04"},
                                                               {2.5, 4, "2.5"},
                                                               {-1, 4, "-1"},
                                                               {0.000012, 3, "1.2e-05"}}) {
    EXPECT_EQ(FormatNumber(c.value, c.digits), c.text) << c.value;
  }
}

TEST(FormatModelTest, SaysWhatIsMissing) {
  v1::Model m;
  m.set_name("models/churn");
  m.set_deployed_version("v1");
  const std::string text = FormatModel(m);
  EXPECT_THAT(text, HasSubstr("name:              models/churn\n"));
  EXPECT_THAT(text, HasSubstr("reference:         no (run set-reference)\n"));
  EXPECT_THAT(text, HasSubstr("policy version:    0 (defaults)\n"));
}

}  // namespace
}  // namespace greengate::client
