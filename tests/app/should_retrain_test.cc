// app::Gatekeeper::ShouldRetrain without gRPC: a real SQLite store in a temp dir, a fake
// clock, and a listener that records what is published.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "server/app/gatekeeper.h"
#include "server/mapping/plan_mapping.h"
#include "server/mapping/profile_mapping.h"
#include "server/mapping/stored_json.h"
#include "tests/service/test_profiles.h"
#include "tests/store/test_util.h"

namespace greengate::app {
namespace {

using store::testing::OkValue;
using store::testing::TempDir;

class RecordingListener final : public events::DecisionListener {
 public:
  void OnDecision(const v1::Decision& decision, int64_t seq) override {
    absl::MutexLock lock(&mu_);
    heard_.emplace_back(decision.name(), seq);
  }
  std::vector<std::pair<std::string, int64_t>> heard() {
    absl::MutexLock lock(&mu_);
    return heard_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, int64_t>> heard_;
};

class ShouldRetrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    store_ = OkValue(store::Store::Open(dir_.File("gg.db")));
    ASSERT_NE(store_, nullptr);
    app_ = std::make_unique<Gatekeeper>(store_.get(), &clock_, &energy::Tables::Shipped(),
                                        &listener_, policy::FleetBudget{});
    v1::RegisterModelRequest model;
    model.set_model_id("churn");
    model.mutable_model()->set_deployed_version("v1");
    ASSERT_TRUE(app_->RegisterModel(model).ok());
  }

  absl::Status SetReference() {
    v1::SetReferenceRequest r;
    r.mutable_reference()->set_model("models/churn");
    *r.mutable_reference()->mutable_profile() = greengate::testing::MakeProfile(800, 0, 1);
    r.mutable_reference()->set_accuracy(0.9);
    r.mutable_reference()->set_evaluation_rows(5000);
    return app_->SetReference(r).status();
  }

  // Drifted data (one standard deviation) and a degraded labeled window (700/1000 correct).
  static RetrainRequest Drifted() {
    RetrainRequest r;
    r.model_id = "churn";
    r.current = OkValue(
        mapping::ProfileFromProto(greengate::testing::MakeProfile(600, 1.0, 100), "current"));
    r.plan = mapping::PlanFromProto(greengate::testing::SmallPlan());
    r.labeled = gain::LabeledWindow{1000, 700};
    return r;
  }

  int64_t StoredDecisions() {
    store::DecisionFilter all;
    all.limit = 100;
    return static_cast<int64_t>(OkValue(store_->ListDecisions(all)).size());
  }

  TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'795'000'000)};
  RecordingListener listener_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Gatekeeper> app_;
};

TEST_F(ShouldRetrainTest, ADecisionIsRecordedThenPublishedWithItsSeq) {
  ASSERT_TRUE(SetReference().ok());
  auth::Caller caller;
  caller.name = "ci";
  absl::StatusOr<v1::Decision> decision = app_->ShouldRetrain(Drifted(), caller);
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->verdict(), v1::APPROVE) << decision->reason();
  EXPECT_EQ(decision->model(), "models/churn");
  EXPECT_EQ(decision->caller(), "ci");
  EXPECT_EQ(decision->policy_version(), 0);  // the defaults

  const store::DecisionRow stored =
      OkValue(store_->GetDecision(decision->name().substr(std::string("decisions/").size())));
  v1::Decision payload;
  ASSERT_TRUE(mapping::FromStoredJson(stored.payload, &payload).ok());
  EXPECT_EQ(payload.SerializeAsString(), decision->SerializeAsString());
  const std::vector<std::pair<std::string, int64_t>> heard = listener_.heard();
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].first, decision->name());
  EXPECT_EQ(heard[0].second, stored.seq);
}

TEST_F(ShouldRetrainTest, ARepeatedIdempotencyKeyGetsTheSameDecisionAndPublishesNothing) {
  ASSERT_TRUE(SetReference().ok());
  RetrainRequest request = Drifted();
  request.idempotency_key = "run-1";
  absl::StatusOr<v1::Decision> first = app_->ShouldRetrain(request, auth::Caller{});
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Hours(1));
  absl::StatusOr<v1::Decision> again = app_->ShouldRetrain(request, auth::Caller{});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(StoredDecisions(), 1);
  EXPECT_EQ(listener_.heard().size(), 1u);
}

TEST_F(ShouldRetrainTest, TheApprovalCountsForTheNextDecisionsCooldown) {
  ASSERT_TRUE(SetReference().ok());
  ASSERT_EQ(app_->ShouldRetrain(Drifted(), auth::Caller{})->verdict(), v1::APPROVE);
  clock_.Advance(absl::Hours(1));
  absl::StatusOr<v1::Decision> second = app_->ShouldRetrain(Drifted(), auth::Caller{});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->verdict(), v1::DEFER);
  EXPECT_EQ(second->decided_by(), "cooldown");
}

TEST_F(ShouldRetrainTest, WithoutAReferenceOrAModelNothingIsRecorded) {
  absl::StatusOr<v1::Decision> early = app_->ShouldRetrain(Drifted(), auth::Caller{});
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(early.status().message(), "call SetReference first"))
      << early.status();
  RetrainRequest unknown = Drifted();
  unknown.model_id = "fraud";
  EXPECT_EQ(app_->ShouldRetrain(unknown, auth::Caller{}).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(SetReference().ok());
  RetrainRequest bad = Drifted();
  bad.plan.hours = 0;
  absl::StatusOr<v1::Decision> refused = app_->ShouldRetrain(bad, auth::Caller{});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), "plan.hours")) << refused.status();
  EXPECT_EQ(StoredDecisions(), 0);
  EXPECT_TRUE(listener_.heard().empty());
}

}  // namespace
}  // namespace greengate::app
