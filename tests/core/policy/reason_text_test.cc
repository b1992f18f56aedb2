// The numbers and phrases of the policy's details and reasons.

#include "server/core/policy/reason_text.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace greengate::policy::text {
namespace {

TEST(ReasonTextTest, NumbersHaveThreeSignificantDigitsButWholeThousands) {
  EXPECT_EQ(Num(0.012345), "0.0123");
  EXPECT_EQ(Num(12.345), "12.3");
  EXPECT_EQ(Num(999.4), "999");
  EXPECT_EQ(Num(1234.4), "1234");
  EXPECT_EQ(Num(-25000), "-25000");
  EXPECT_EQ(Points(0.0123), "1.23");
  EXPECT_EQ(Accuracy(0.8124), "0.812");
  EXPECT_EQ(Percent(0.95), "95%");
  EXPECT_EQ(Hours(absl::Minutes(90)), "1.5");
  EXPECT_EQ(Time(absl::FromCivil(absl::CivilSecond(2024, 3, 1, 12, 0, 0), absl::UTCTimeZone())),
            "2024-03-01T12:00:00Z");
}

TEST(ReasonTextTest, TheNeedIsTheDriftOrElseTheAccuracyFall) {
  drift::DriftReport d;
  d.features.resize(5);
  d.drifted_features = 3;
  d.dataset_drift = true;
  gain::GainEstimate g;
  g.reference_accuracy = 0.9;
  g.current_accuracy = 0.812;
  EXPECT_EQ(NeedPhrase(d, g), "3 of 5 features drifted");
  d.dataset_drift = false;
  d.drifted_features = 1;
  EXPECT_EQ(NeedPhrase(d, g), "accuracy fell from 0.900 to 0.812 (1 of 5 features drifted)");
  energy::CostEstimate c;
  c.energy_kwh = 12.34;
  c.co2e_kg = 4.1;
  EXPECT_EQ(CostPhrase(c), "12.3 kWh / 4.1 kg CO2e");
}

}  // namespace
}  // namespace greengate::policy::text
