// Store: group commit of decisions. Concurrent InsertDecision calls share transactions; a row
// the schema refuses fails alone, every returned row is already committed, and the hash chain
// follows the commit order.

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "server/store/store.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using ::greengate::store::testing::MakeDecision;
using ::greengate::store::testing::MakeModel;
using ::greengate::store::testing::OkValue;
using ::greengate::store::testing::RawDb;
using ::greengate::store::testing::TempDir;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.File("gg.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    churn_ = OkValue(store_->CreateModel(MakeModel("churn"))).id;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int64_t churn_ = 0;
};

// Every thread tries the same idempotency keys: for each key exactly one insert wins, the
// others are AlreadyExists, and none of them breaks the batch it shared with the winners.
TEST_F(GroupCommitTest, ConflictingRowsFailAloneAndWinnersAreCommittedOnReturn) {
  constexpr int kThreads = 8;
  constexpr int kKeys = 40;
  absl::Mutex mu;
  std::vector<DecisionRow> stored;  // guarded by mu
  std::atomic<int> conflicts{0};
  std::atomic<int> unexpected{0};
  std::atomic<int> unreadable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kKeys; ++k) {
        const DecisionRow row = MakeDecision(churn_, absl::StrCat("d-", t, "-", k), "APPROVE",
                                             1000 + k, 0.5, absl::StrCat("key-", k));
        absl::StatusOr<DecisionRow> result = store_->InsertDecision(row);
        if (absl::IsAlreadyExists(result.status())) {
          ++conflicts;
          continue;
        }
        if (!result.ok()) {
          ++unexpected;
          continue;
        }
        // The reader connection sees committed rows only: a row returned before its commit
        // would not be found here.
        if (!store_->GetDecision(row.decision_id).ok()) ++unreadable;
        absl::MutexLock lock(&mu);
        stored.push_back(*std::move(result));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(unreadable.load(), 0);
  ASSERT_EQ(static_cast<int>(stored.size()), kKeys);
  EXPECT_EQ(conflicts.load(), kThreads * kKeys - kKeys);
  std::set<std::string> keys;
  std::set<int64_t> seqs;
  for (const DecisionRow& row : stored) {
    keys.insert(row.idempotency_key);
    seqs.insert(row.seq);
  }
  EXPECT_EQ(static_cast<int>(keys.size()), kKeys);
  // No seq was burnt by a refused row: the chain has no gaps.
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), kKeys);
  const AuditVerification audit = OkValue(store_->VerifyAuditChain());
  EXPECT_FALSE(audit.problem.has_value()) << audit.problem->detail;
  EXPECT_EQ(audit.checked_rows, kKeys);
  EXPECT_EQ(audit.head_seq, kKeys);
  EXPECT_EQ(RawDb(dir_.File("gg.db")).QueryInt("SELECT COUNT(*) FROM decisions"), kKeys);
}

// A row for an unknown model, queued among valid rows, is NotFound; the valid rows commit.
TEST_F(GroupCommitTest, UnknownModelFailsAloneAmongConcurrentRows) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 30;
  std::atomic<int> ok{0};
  std::atomic<int> not_found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t model = i % 5 == 0 ? churn_ + 1000 : churn_;  // every fifth: unknown
        absl::StatusOr<DecisionRow> result = store_->InsertDecision(
            MakeDecision(model, absl::StrCat("u-", t, "-", i), "REJECT", 2000 + i));
        if (result.ok()) ++ok;
        if (absl::IsNotFound(result.status())) ++not_found;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(not_found.load(), kThreads * kPerThread / 5);
  EXPECT_EQ(ok.load(), kThreads * kPerThread - not_found.load());
  const AuditVerification audit = OkValue(store_->VerifyAuditChain());
  EXPECT_FALSE(audit.problem.has_value()) << audit.problem->detail;
  EXPECT_EQ(audit.checked_rows, ok.load());
}

}  // namespace
}  // namespace greengate::store
