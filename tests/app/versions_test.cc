#include "server/app/versions.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace greengate::app {
namespace {

bool Names(const absl::Status& status, const std::string& field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         std::string(status.message()).find(field) != std::string::npos;
}

v1::Outcome Shadowed(int64_t rows, int64_t before, int64_t after) {
  v1::Outcome o;
  o.mutable_shadow()->set_rows(rows);
  o.mutable_shadow()->set_correct_before(before);
  o.mutable_shadow()->set_correct_after(after);
  return o;
}

TEST(ApplyShadowScoreTest, CountsBecomeTheAccuracies) {
  v1::Outcome o = Shadowed(1000, 874, 912);
  ASSERT_TRUE(ApplyShadowScore(&o).ok());
  EXPECT_DOUBLE_EQ(o.accuracy_before(), 0.874);
  EXPECT_DOUBLE_EQ(o.accuracy_after(), 0.912);
  EXPECT_EQ(o.evaluation_rows(), 1000);
  EXPECT_EQ(o.evaluation_set(), "shadow");

  v1::Outcome plain;
  plain.set_accuracy_after(0.9);
  ASSERT_TRUE(ApplyShadowScore(&plain).ok());  // without shadow: untouched
  EXPECT_FALSE(plain.has_accuracy_before());
}

TEST(ApplyShadowScoreTest, BadCountsNameTheField) {
  v1::Outcome o = Shadowed(0, 0, 0);
  EXPECT_TRUE(Names(ApplyShadowScore(&o), "outcome.shadow.rows"));
  o = Shadowed(100, 101, 50);
  EXPECT_TRUE(Names(ApplyShadowScore(&o), "outcome.shadow.correct_before"));
  o = Shadowed(100, 50, -1);
  EXPECT_TRUE(Names(ApplyShadowScore(&o), "outcome.shadow.correct_after"));
  o = Shadowed(100, 50, 60);
  o.set_accuracy_after(0.6);
  EXPECT_TRUE(Names(ApplyShadowScore(&o), "outcome.accuracy_after"));
  EXPECT_FALSE(o.has_accuracy_before());  // nothing filled on error
}

// v0 (no approval, reference 0.93), v1 approved by seq 4 whose outcome measured 0.91 after,
// v2 approved by seq 9 without an outcome (reference 0.55), v3 deployed: left out.
TEST(AttainedAccuraciesTest, ShadowScoredAccuracyBeatsTheReferenceAndTheDeployedIsLeftOut) {
  std::vector<store::VersionRow> versions(4);
  versions[0].model_version = "v0";
  versions[0].accuracy = 0.93;
  versions[1].model_version = "v1";
  versions[1].accuracy = 0.80;
  versions[1].approved_by_seq = 4;
  versions[2].model_version = "v2";
  versions[2].accuracy = 0.55;
  versions[2].approved_by_seq = 9;
  versions[3].model_version = "v3";
  versions[3].accuracy = 0.6;
  std::vector<store::OutcomeRow> outcomes(2);
  outcomes[0].decision_seq = 4;
  outcomes[0].accuracy_after = 0.91;
  outcomes[1].decision_seq = 7;
  outcomes[1].accuracy_after = 0.5;
  EXPECT_EQ(AttainedAccuracies(versions, outcomes, "v3"), (std::vector<double>{0.93, 0.91, 0.55}));

  versions[0].accuracy = std::nullopt;  // neither a reference accuracy nor an outcome: skipped
  EXPECT_EQ(AttainedAccuracies(versions, outcomes, "v3"), (std::vector<double>{0.91, 0.55}));
}

}  // namespace
}  // namespace greengate::app
