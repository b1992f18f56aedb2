// ModelStateCache against a real SQLite store in a temp dir: what it reads once and keeps,
// what a newer write replaces, and how queued and settled decisions move the ledgers.

#include "server/app/model_state_cache.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/app/stored_profile.h"
#include "server/core/policy/policy.h"
#include "tests/service/test_profiles.h"
#include "tests/store/test_util.h"

namespace greengate::app {
namespace {

using store::testing::MakeDecision;
using store::testing::MakeModel;
using store::testing::OkValue;
using store::testing::TempDir;

v1::DataProfile RegionProfile(int64_t a, int64_t b) {
  v1::DataProfile profile;
  greengate::testing::FillCategorical("region", {{"a", a}, {"b", b}}, profile.add_features());
  profile.set_rows(a + b);
  return profile;
}

class ModelStateCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    store_ = OkValue(store::Store::Open(dir_.File("gg.db")));
    ASSERT_NE(store_, nullptr);
    model_ = OkValue(store_->CreateModel(MakeModel("churn")));
    cache_ = std::make_unique<ModelStateCache>(store_.get());
  }

  // Stores a reference of `profile` for the model directly (not through the cache).
  int64_t PutReference(const v1::DataProfile& profile) {
    store::ReferenceRow row;
    row.model_id = model_.id;
    row.model_version = "v1";
    row.create_time_ms = 1000;
    return OkValue(store_->PutReference(row, StoredProfileSource(profile))).id;
  }

  // An APPROVE of `energy_kwh` committed for the model at `time_ms`.
  store::DecisionRow Approve(const std::string& id, int64_t time_ms, double energy_kwh) {
    return OkValue(
        store_->InsertDecision(MakeDecision(model_.id, id, "APPROVE", time_ms, energy_kwh)));
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  store::ModelRow model_;
  std::unique_ptr<ModelStateCache> cache_;
};

TEST_F(ModelStateCacheTest, ModelRowsAreFoundByModelIdAndUnknownOnesAreNotFound) {
  absl::StatusOr<store::ModelRow> unknown = cache_->ModelForDecision("fraud");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<store::ModelRow> churn = cache_->ModelForDecision("churn");
  ASSERT_TRUE(churn.ok()) << churn.status();
  EXPECT_EQ(churn->id, model_.id);
  // Registered after the miss: a miss is not kept.
  const store::ModelRow fraud = OkValue(store_->CreateModel(MakeModel("fraud")));
  absl::StatusOr<store::ModelRow> found = cache_->ModelForDecision("fraud");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, fraud.id);
}

TEST_F(ModelStateCacheTest, AReferenceIsParsedOnceAndKeptUntilANewerOneIsKept) {
  absl::StatusOr<std::shared_ptr<const LoadedReference>> none = cache_->Reference(model_);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(none.status().message(),
                               "models/churn has no reference profile; call SetReference"))
      << none.status();

  const int64_t first = PutReference(RegionProfile(500, 500));
  absl::StatusOr<std::shared_ptr<const LoadedReference>> loaded = cache_->Reference(model_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->row_id, first);
  ASSERT_EQ((*loaded)->profile.features.size(), 1u);
  EXPECT_EQ((*loaded)->profile.features[0].name, "region");
  EXPECT_EQ((*loaded)->profile.features[0].categorical().counts.at("a"), 500);

  // Stored behind the cache's back (the application always keeps what it stores): the
  // kept reference is still the one returned, with no read of the store.
  const int64_t second = PutReference(RegionProfile(300, 700));
  EXPECT_EQ(OkValue(cache_->Reference(model_))->row_id, first);

  auto newer = std::make_shared<LoadedReference>();
  newer->row_id = second;
  EXPECT_EQ(cache_->KeepReference(model_.id, newer)->row_id, second);
  auto older = std::make_shared<LoadedReference>();
  older->row_id = first;
  // Out of order: the newest row wins.
  EXPECT_EQ(cache_->KeepReference(model_.id, older)->row_id, second);
  EXPECT_EQ(OkValue(cache_->Reference(model_))->row_id, second);
}

TEST_F(ModelStateCacheTest, ThePolicyIsTheDefaultsUntilSetAndTheNewestVersionIsKept) {
  const v1::Policy defaults = OkValue(cache_->LatestPolicy(model_));
  EXPECT_EQ(defaults.version(), 0);
  EXPECT_EQ(defaults.model(), "models/churn");
  EXPECT_DOUBLE_EQ(defaults.min_gain(), policy::Policy{}.min_gain);

  v1::Policy v2 = defaults;
  v2.set_version(2);
  v2.set_min_gain(0.02);
  v1::Policy v1_policy = defaults;
  v1_policy.set_version(1);
  EXPECT_EQ(cache_->KeepPolicy(model_.id, v2).version(), 2);
  EXPECT_EQ(cache_->KeepPolicy(model_.id, v1_policy).version(), 2);
  const v1::Policy kept = OkValue(cache_->LatestPolicy(model_));
  EXPECT_EQ(kept.version(), 2);
  EXPECT_DOUBLE_EQ(kept.min_gain(), 0.02);
}

TEST_F(ModelStateCacheTest, EachModelHasOneStateForTheCachesLife) {
  ModelState* const a = cache_->StateOf(model_.id);
  EXPECT_EQ(cache_->StateOf(model_.id), a);
  EXPECT_NE(cache_->StateOf(model_.id + 1), a);
}

TEST_F(ModelStateCacheTest, AQueuedApprovalCountsAtOnceAndAFailedOneIsDroppedOnReload) {
  ModelState* const state = cache_->StateOf(model_.id);
  Approve("d1", 10'000, 1.5);
  {
    absl::MutexLock lock(&state->mu);
    const ApprovalSummary loaded = OkValue(cache_->SummarizeApprovals(model_.id, 0, state));
    EXPECT_DOUBLE_EQ(loaded.approved_energy_kwh, 1.5);
    ASSERT_TRUE(loaded.last_approval_ms.has_value());
    EXPECT_EQ(*loaded.last_approval_ms, 10'000);
    // Queued, not yet committed: it counts already, and its key is pending.
    cache_->CountQueued(state, /*fleet=*/false, "key-1", store::Store::DecisionTicket{},
                        store::ApprovalRow{20'000, 2.0, 0.5});
    const ApprovalSummary queued = OkValue(cache_->SummarizeApprovals(model_.id, 0, state));
    EXPECT_DOUBLE_EQ(queued.approved_energy_kwh, 3.5);
    EXPECT_EQ(*queued.last_approval_ms, 20'000);
    EXPECT_EQ(state->in_flight, 1);
    EXPECT_TRUE(state->pending_keys.contains("key-1"));
  }
  // Its commit failed: the ledger reloads from the log, which never had it.
  cache_->Settle(state, /*fleet=*/false, "key-1", /*approved=*/true, /*committed=*/false);
  absl::MutexLock lock(&state->mu);
  EXPECT_EQ(state->in_flight, 0);
  EXPECT_FALSE(state->pending_keys.contains("key-1"));
  const ApprovalSummary reloaded = OkValue(cache_->SummarizeApprovals(model_.id, 0, state));
  EXPECT_DOUBLE_EQ(reloaded.approved_energy_kwh, 1.5);
  EXPECT_EQ(*reloaded.last_approval_ms, 10'000);
}

TEST_F(ModelStateCacheTest, ACommittedApprovalStaysCountedWithoutAReload) {
  ModelState* const state = cache_->StateOf(model_.id);
  {
    absl::MutexLock lock(&state->mu);
    EXPECT_DOUBLE_EQ(OkValue(cache_->SummarizeApprovals(model_.id, 0, state)).approved_energy_kwh,
                     0);
    cache_->CountQueued(state, /*fleet=*/false, "", store::Store::DecisionTicket{},
                        store::ApprovalRow{20'000, 2.0, 0.5});
  }
  cache_->Settle(state, /*fleet=*/false, "", /*approved=*/true, /*committed=*/true);
  absl::MutexLock lock(&state->mu);
  // Not in the log (this test never wrote it): the ledger still counts it, so no reload ran.
  EXPECT_DOUBLE_EQ(OkValue(cache_->SummarizeApprovals(model_.id, 0, state)).approved_energy_kwh,
                   2.0);
}

TEST_F(ModelStateCacheTest, TheFleetLedgerCountsEveryModelsApprovals) {
  const store::ModelRow fraud = OkValue(store_->CreateModel(MakeModel("fraud")));
  Approve("d1", 10'000, 1.5);
  OkValue(store_->InsertDecision(MakeDecision(fraud.id, "d2", "APPROVE", 11'000, 2.5)));
  OkValue(store_->InsertDecision(MakeDecision(fraud.id, "d3", "REJECT", 12'000, 9.0)));
  FleetState* const fleet = cache_->fleet();
  absl::MutexLock lock(&fleet->mu);
  const ApprovalSummary all = OkValue(cache_->SummarizeFleetApprovals(0));
  EXPECT_DOUBLE_EQ(all.approved_energy_kwh, 4.0);
  EXPECT_EQ(*all.oldest_approval_ms, 10'000);
}

TEST_F(ModelStateCacheTest, OutcomesAreReadOnceAndAgainOnlyAfterForgetOutcomes) {
  ModelState* const state = cache_->StateOf(model_.id);
  {
    absl::MutexLock lock(&state->mu);
    EXPECT_TRUE(OkValue(cache_->Outcomes(model_.id, state))->empty());
  }
  const store::DecisionRow approved = Approve("d1", 10'000, 1.5);
  store::OutcomeRow outcome;
  outcome.decision_seq = approved.seq;
  outcome.model_id = model_.id;
  outcome.energy_kwh = 1.2;
  outcome.source = "codecarbon";
  outcome.create_time_ms = 20'000;
  outcome.payload = "{}";
  OkValue(store_->InsertOutcome(outcome));
  {
    absl::MutexLock lock(&state->mu);
    EXPECT_TRUE(OkValue(cache_->Outcomes(model_.id, state))->empty());  // kept
  }
  cache_->ForgetOutcomes(model_.id);
  absl::MutexLock lock(&state->mu);
  const std::vector<store::OutcomeRow>* outcomes = OkValue(cache_->Outcomes(model_.id, state));
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_DOUBLE_EQ((*outcomes)[0].energy_kwh, 1.2);
}

}  // namespace
}  // namespace greengate::app
