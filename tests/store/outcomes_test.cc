#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "server/store/store.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using testing::MakeDecision;
using testing::MakeModel;
using testing::OkValue;
using testing::RawDb;
using testing::TempDir;

class OutcomesStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    store_ = OkValue(Store::Open(dir_.File("gg.db")));
    ASSERT_NE(store_, nullptr);
    model_ = OkValue(store_->CreateModel(MakeModel("churn")));
  }

  OutcomeRow Outcome(int64_t seq, double kwh) {
    OutcomeRow o;
    o.decision_seq = seq;
    o.model_id = model_.id;
    o.energy_kwh = kwh;
    o.source = "codecarbon";
    o.accuracy_before = 0.85;
    o.accuracy_after = 0.88;
    o.evaluation_set = "holdout";
    o.evaluation_rows = 5000;
    o.training_rows = 1000;
    o.estimated_energy_kwh = 2;
    o.expected_gain = 0.03;
    o.green_algorithms_energy_kwh = 2;
    o.expected_degradation = 0.05;
    o.drifted_share = 0.5;
    o.create_time_ms = 5000;
    o.payload = "{}";
    return o;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ModelRow model_;
};

TEST_F(OutcomesStoreTest, InsertGetListRoundTrip) {
  const DecisionRow d1 =
      OkValue(store_->InsertDecision(MakeDecision(model_.id, "d1", "APPROVE", 1000)));
  const DecisionRow d2 =
      OkValue(store_->InsertDecision(MakeDecision(model_.id, "d2", "APPROVE", 2000)));
  EXPECT_FALSE(OkValue(store_->GetOutcome(d1.seq)).has_value());

  OutcomeRow first = Outcome(d1.seq, 1.5);
  first.co2e_kg = std::nullopt;  // optional columns stay NULL
  first.accuracy_before = std::nullopt;
  ASSERT_TRUE(store_->InsertOutcome(first).ok());
  OutcomeRow second = Outcome(d2.seq, 2.5);
  second.proxy_gain = 0.012;
  ASSERT_TRUE(store_->InsertOutcome(second).ok());

  const std::optional<OutcomeRow> got = OkValue(store_->GetOutcome(d1.seq));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->energy_kwh, 1.5);
  EXPECT_FALSE(got->co2e_kg.has_value());
  EXPECT_FALSE(got->accuracy_before.has_value());
  EXPECT_EQ(got->accuracy_after, 0.88);
  EXPECT_EQ(got->expected_degradation, 0.05);
  EXPECT_FALSE(got->reference_accuracy.has_value());
  EXPECT_EQ(got->evaluation_set, "holdout");
  EXPECT_EQ(got->training_rows, 1000);
  EXPECT_FALSE(got->proxy_gain.has_value());

  const std::vector<OutcomeRow> all = OkValue(store_->ListOutcomes(model_.id));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].decision_seq, d1.seq);  // oldest first
  const std::vector<OutcomeRow> newest = OkValue(store_->ListOutcomes(model_.id, 1));
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].decision_seq, d2.seq);
  EXPECT_EQ(newest[0].proxy_gain, 0.012);
}

// A retrain lands as a new version: its reference makes it the deployed version in the same
// transaction, and the versions list follows each version from its first reference.
TEST_F(OutcomesStoreTest, AReferenceDeploysItsVersionAndVersionsAreListedInOrder) {
  const DecisionRow approval =
      OkValue(store_->InsertDecision(MakeDecision(model_.id, "d1", "APPROVE", 1000)));
  ReferenceRow ref;
  ref.model_id = model_.id;
  ref.model_version = "v1";
  ref.profile = "{}";
  ref.accuracy = 0.8;
  ref.create_time_ms = 1000;
  ASSERT_TRUE(store_->PutReference(ref).ok());
  ref.accuracy = 0.81;  // the same version's reference replaced
  ref.create_time_ms = 1500;
  ASSERT_TRUE(store_->PutReference(ref).ok());
  ref.model_version = "v2";
  ref.accuracy = 0.7;
  ref.create_time_ms = 2000;
  ref.approved_by_seq = approval.seq;
  ASSERT_TRUE(store_->PutReference(ref).ok());
  EXPECT_EQ(OkValue(store_->GetModel("churn")).deployed_version, "v2");

  const std::vector<VersionRow> versions = OkValue(store_->ListVersions(model_.id));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].model_version, "v1");
  EXPECT_EQ(versions[0].deploy_time_ms, 1000);
  EXPECT_EQ(versions[0].accuracy, 0.81);
  EXPECT_FALSE(versions[0].approved_by_seq.has_value());
  EXPECT_EQ(versions[1].model_version, "v2");
  EXPECT_EQ(versions[1].approved_by_seq, approval.seq);

  ref.model_version = "v3";
  ref.approved_by_seq = approval.seq + 100;  // no such decision: nothing is stored
  EXPECT_EQ(store_->PutReference(ref).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(OkValue(store_->GetModel("churn")).deployed_version, "v2");
  EXPECT_EQ(OkValue(store_->ListVersions(model_.id)).size(), 2u);
}

TEST_F(OutcomesStoreTest, OnePerDecisionKnownDecisionsOnlyAndAppendOnly) {
  const DecisionRow d =
      OkValue(store_->InsertDecision(MakeDecision(model_.id, "d1", "APPROVE", 1000)));
  ASSERT_TRUE(store_->InsertOutcome(Outcome(d.seq, 1)).ok());
  EXPECT_EQ(store_->InsertOutcome(Outcome(d.seq, 2)).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->InsertOutcome(Outcome(d.seq + 100, 2)).status().code(),
            absl::StatusCode::kNotFound);
  RawDb raw(dir_.File("gg.db"));
  EXPECT_NE(raw.Exec("UPDATE outcomes SET energy_kwh = 0"), "");
  EXPECT_NE(raw.Exec("DELETE FROM outcomes"), "");
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM outcomes"), 1);
}

TEST_F(OutcomesStoreTest, ReferenceScoresAreStoredWithTheirReference) {
  ReferenceRow ref;
  ref.model_id = model_.id;
  ref.model_version = "v1";
  ref.profile = "{}";
  ref.create_time_ms = 1000;
  const ReferenceRow without = OkValue(store_->PutReference(ref));
  EXPECT_FALSE(OkValue(store_->GetReferenceScores(without.id)).has_value());
  const ReferenceRow with =
      OkValue(store_->PutReference(ref, ReferenceScoresRow{0, "{\"mean\":0.9}", true, "ok"}));
  const auto scores = OkValue(store_->GetReferenceScores(with.id));
  ASSERT_TRUE(scores.has_value());
  EXPECT_EQ(scores->reference_id, with.id);
  EXPECT_TRUE(scores->calibrated);
  EXPECT_EQ(scores->scores, "{\"mean\":0.9}");
  EXPECT_EQ(scores->calibration_detail, "ok");
}

TEST_F(OutcomesStoreTest, AReferenceForAnUnknownModelStoresNeitherRowNorScores) {
  ReferenceRow ref;
  ref.model_id = model_.id + 7;
  ref.profile = "{}";
  EXPECT_EQ(store_->PutReference(ref, ReferenceScoresRow{0, "{}", false, ""}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(OkValue(store_->GetReferenceScores(1)).has_value());
}

}  // namespace
}  // namespace greengate::store
