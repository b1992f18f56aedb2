// Store: the decision log on a real file.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/sqlite.h"
#include "server/store/store.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using ::greengate::store::testing::MakeDecision;
using ::greengate::store::testing::MakeModel;
using ::greengate::store::testing::OkValue;
using ::greengate::store::testing::RawDb;
using ::greengate::store::testing::TempDir;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

void ExpectSameDecision(const DecisionRow& got, const DecisionRow& want) {
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.decision_id, want.decision_id);
  EXPECT_EQ(got.model_id, want.model_id);
  EXPECT_EQ(got.model_version, want.model_version);
  EXPECT_EQ(got.policy_version, want.policy_version);
  EXPECT_EQ(got.verdict, want.verdict);
  EXPECT_EQ(got.decided_by, want.decided_by);
  EXPECT_EQ(got.energy_kwh, want.energy_kwh);
  EXPECT_EQ(got.co2e_kg, want.co2e_kg);
  EXPECT_EQ(got.expected_gain, want.expected_gain);
  EXPECT_EQ(got.gain_lower_bound, want.gain_lower_bound);
  EXPECT_EQ(got.dataset_drift, want.dataset_drift);
  EXPECT_EQ(got.idempotency_key, want.idempotency_key);
  EXPECT_EQ(got.create_time_ms, want.create_time_ms);
  EXPECT_EQ(got.payload, want.payload);
}

DecisionFilter WithLimit(int limit) {
  DecisionFilter filter;
  filter.limit = limit;
  return filter;
}

std::vector<std::string> Ids(const std::vector<DecisionRow>& rows) {
  std::vector<std::string> ids;
  for (const DecisionRow& row : rows) ids.push_back(row.decision_id);
  return ids;
}

class DecisionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    Open({});
    absl::StatusOr<ModelRow> churn = store_->CreateModel(MakeModel("churn"));
    absl::StatusOr<ModelRow> fraud = store_->CreateModel(MakeModel("fraud"));
    ASSERT_TRUE(churn.ok() && fraud.ok());
    churn_ = churn->id;
    fraud_ = fraud->id;
  }

  void Open(const StoreOptions& options) {
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::string path() const { return dir_.File("greengate.db"); }

  DecisionRow Insert(const DecisionRow& row) {
    absl::StatusOr<DecisionRow> stored = store_->InsertDecision(row);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : DecisionRow{};
  }

  int64_t CountDecisions() { return RawDb(path()).QueryInt("SELECT COUNT(*) FROM decisions"); }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int64_t churn_ = 0;
  int64_t fraud_ = 0;
};

TEST_F(DecisionsTest, InsertReturnsRowWithSeqAndGetReadsItBack) {
  DecisionRow row = MakeDecision(churn_, "d-1", "APPROVE", 1000, 2.5, "key-1");
  row.dataset_drift = false;
  const DecisionRow first = Insert(row);
  EXPECT_GT(first.seq, 0);
  const DecisionRow second = Insert(MakeDecision(churn_, "d-2", "REJECT", 2000));
  EXPECT_GT(second.seq, first.seq);

  absl::StatusOr<DecisionRow> got = store_->GetDecision("d-1");
  ASSERT_TRUE(got.ok()) << got.status();
  row.seq = first.seq;
  ExpectSameDecision(*got, row);
  EXPECT_EQ(store_->GetDecision("d-404").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DecisionsTest, EmptyIdempotencyKeyIsStoredAsNull) {
  Insert(MakeDecision(churn_, "d-1", "APPROVE", 1000));
  Insert(MakeDecision(churn_, "d-2", "APPROVE", 1000));  // no conflict between two "none"
  RawDb raw(path());
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM decisions WHERE idempotency_key IS NULL"), 2);
  EXPECT_EQ(OkValue(store_->GetDecision("d-2")).idempotency_key, "");
  absl::StatusOr<std::optional<DecisionRow>> found =
      store_->FindDecisionByIdempotencyKey(churn_, "");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(DecisionsTest, IdempotencyKeyIsUniquePerModel) {
  const DecisionRow original = Insert(MakeDecision(churn_, "d-1", "APPROVE", 1000, 1, "k"));
  absl::StatusOr<DecisionRow> again =
      store_->InsertDecision(MakeDecision(churn_, "d-2", "APPROVE", 2000, 1, "k"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("idempotency key \"k\""));
  Insert(MakeDecision(fraud_, "d-3", "APPROVE", 3000, 1, "k"));  // other model: fine
  EXPECT_EQ(CountDecisions(), 2);

  absl::StatusOr<std::optional<DecisionRow>> found =
      store_->FindDecisionByIdempotencyKey(churn_, "k");
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status();
  ExpectSameDecision(**found, original);
  found = store_->FindDecisionByIdempotencyKey(fraud_, "k");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->decision_id, "d-3");
  found = store_->FindDecisionByIdempotencyKey(churn_, "other");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(DecisionsTest, DuplicateDecisionIdIsAlreadyExists) {
  Insert(MakeDecision(churn_, "d-1", "APPROVE", 1000));
  absl::StatusOr<DecisionRow> again =
      store_->InsertDecision(MakeDecision(fraud_, "d-1", "REJECT", 2000));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("decision_id \"d-1\""));
  EXPECT_EQ(CountDecisions(), 1);
}

TEST_F(DecisionsTest, DecisionForUnknownModelFailsCleanly) {
  absl::StatusOr<DecisionRow> orphan =
      store_->InsertDecision(MakeDecision(999, "d-1", "APPROVE", 1000));
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(orphan.status().message(), HasSubstr("999"));
  EXPECT_EQ(CountDecisions(), 0);
  Insert(MakeDecision(churn_, "d-1", "APPROVE", 1000));  // the store still works
}

TEST_F(DecisionsTest, RowsBreakingTheSchemaChecksAreRejected) {
  DecisionRow bad_verdict = MakeDecision(churn_, "d-1", "MAYBE", 1000);
  EXPECT_EQ(store_->InsertDecision(bad_verdict).status().code(), absl::StatusCode::kInternal);
  DecisionRow negative = MakeDecision(churn_, "d-2", "APPROVE", 1000, -1.0);
  EXPECT_EQ(store_->InsertDecision(negative).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(CountDecisions(), 0);
}

TEST_F(DecisionsTest, DecisionsAreAppendOnly) {
  Insert(MakeDecision(churn_, "d-1", "REJECT", 1000));
  RawDb raw(path());
  const std::string statements[] = {
      "UPDATE decisions SET verdict = 'APPROVE'",
      "DELETE FROM decisions",
  };
  for (const std::string& sql : statements) {
    EXPECT_THAT(raw.Exec(sql), HasSubstr("decisions are append-only")) << sql;
  }
  EXPECT_EQ(OkValue(store_->GetDecision("d-1")).verdict, "REJECT");
  EXPECT_EQ(CountDecisions(), 1);
}

TEST_F(DecisionsTest, ReplaceCannotRewriteDecisionsOnAStoreConnection) {
  Insert(MakeDecision(churn_, "d-1", "REJECT", 1000));
  // A connection configured exactly as the Store configures its own.
  absl::StatusOr<DbHandle> db = OpenConnection(path(), 1000);
  ASSERT_TRUE(db.ok()) << db.status();
  const absl::Status status =
      ExecScript(db->get(), "INSERT OR REPLACE INTO decisions SELECT * FROM decisions", "replace");
  EXPECT_THAT(status.message(), HasSubstr("decisions are append-only"));
  EXPECT_EQ(OkValue(store_->GetDecision("d-1")).verdict, "REJECT");
  EXPECT_EQ(CountDecisions(), 1);
}

TEST_F(DecisionsTest, PagesWithBeforeSeqReturnEveryRowOnce) {
  std::vector<std::string> inserted;
  for (int i = 0; i < 23; ++i) {
    const DecisionRow row =
        Insert(MakeDecision(i % 3 == 0 ? fraud_ : churn_, absl::StrCat("d-", i), "DEFER", i));
    inserted.insert(inserted.begin(), row.decision_id);  // newest first
  }
  std::vector<std::string> seen;
  DecisionFilter filter;
  filter.limit = 5;
  int pages = 0;
  while (true) {
    absl::StatusOr<std::vector<DecisionRow>> page = store_->ListDecisions(filter);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->size(), 5u);
    if (page->empty()) break;
    for (size_t i = 1; i < page->size(); ++i) {
      EXPECT_GT((*page)[i - 1].seq, (*page)[i].seq);
    }
    for (const std::string& id : Ids(*page)) seen.push_back(id);
    filter.before_seq = page->back().seq;
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(pages, 5);  // 5 + 5 + 5 + 5 + 3
  EXPECT_THAT(seen, ElementsAreArray(inserted));
}

TEST_F(DecisionsTest, FiltersByModelVerdictAndTime) {
  // seq order is insertion order; create times are deliberately not monotone.
  Insert(MakeDecision(churn_, "a", "APPROVE", 100));
  Insert(MakeDecision(churn_, "b", "REJECT", 300));
  Insert(MakeDecision(fraud_, "c", "APPROVE", 200));
  Insert(MakeDecision(churn_, "d", "DEFER", 400));
  Insert(MakeDecision(fraud_, "e", "REJECT", 500));
  Insert(MakeDecision(churn_, "f", "APPROVE", 250));

  struct Case {
    const char* name;
    std::optional<int64_t> model_id;
    const char* verdict;  // nullptr: any
    std::optional<int64_t> from_ms;
    std::optional<int64_t> to_ms;
    int limit;
    std::vector<std::string> expected;
  };
  constexpr std::nullopt_t any = std::nullopt;
  const std::vector<Case> cases = {
      {"all", any, nullptr, any, any, 50, {"f", "e", "d", "c", "b", "a"}},
      {"model", churn_, nullptr, any, any, 50, {"f", "d", "b", "a"}},
      {"unknown model", 999, nullptr, any, any, 50, {}},
      {"verdict", any, "APPROVE", any, any, 50, {"f", "c", "a"}},
      {"model and verdict", fraud_, "REJECT", any, any, 50, {"e"}},
      {"from (inclusive)", any, nullptr, 300, any, 50, {"e", "d", "b"}},
      {"to (exclusive)", any, nullptr, any, 250, 50, {"c", "a"}},
      {"time window", any, nullptr, 200, 400, 50, {"f", "c", "b"}},
      {"everything", churn_, "APPROVE", 100, 251, 50, {"f", "a"}},
      {"limit", any, nullptr, any, any, 2, {"f", "e"}},
      {"limit 0 clamps to 1", any, nullptr, any, any, 0, {"f"}},
      {"negative limit clamps to 1", any, nullptr, any, any, -3, {"f"}},
      {"verdict with quote", any, "APPROVE' OR '1'='1", any, any, 50, {}},
  };
  for (const Case& c : cases) {
    DecisionFilter filter;
    filter.model_id = c.model_id;
    if (c.verdict != nullptr) filter.verdict = c.verdict;
    filter.from_ms = c.from_ms;
    filter.to_ms = c.to_ms;
    filter.limit = c.limit;
    absl::StatusOr<std::vector<DecisionRow>> rows = store_->ListDecisions(filter);
    ASSERT_TRUE(rows.ok()) << c.name << ": " << rows.status();
    EXPECT_THAT(Ids(*rows), ElementsAreArray(c.expected)) << c.name;
  }

  // before_seq composes with the other filters.
  DecisionFilter churn_only;
  churn_only.model_id = churn_;
  absl::StatusOr<std::vector<DecisionRow>> rows = store_->ListDecisions(churn_only);
  ASSERT_TRUE(rows.ok() && rows->size() == 4);
  churn_only.before_seq = (*rows)[1].seq;
  absl::StatusOr<std::vector<DecisionRow>> older = store_->ListDecisions(churn_only);
  ASSERT_TRUE(older.ok());
  EXPECT_THAT(Ids(*older), ElementsAreArray({"b", "a"}));
}

TEST_F(DecisionsTest, LimitIsClampedToMaximum) {
  // Bulk rows through a raw connection, in one transaction, to keep the test fast.
  RawDb raw(path());
  ASSERT_EQ(raw.Exec("BEGIN"), "");
  for (int i = 0; i < kMaxListLimit + 5; ++i) {
    ASSERT_EQ(raw.Exec(absl::StrCat(
                  "INSERT INTO decisions (decision_id, model_id, model_version, "
                  "policy_version, verdict, decided_by, energy_kwh, co2e_kg, expected_gain, "
                  "gain_lower_bound, dataset_drift, create_time_ms, payload) VALUES ('bulk-",
                  i, "', ", churn_, ", 'v1', 0, 'DEFER', 'policy', 0, 0, 0, 0, 0, ", i, ", '{}')")),
              "");
  }
  ASSERT_EQ(raw.Exec("COMMIT"), "");
  absl::StatusOr<std::vector<DecisionRow>> rows = store_->ListDecisions(WithLimit(5000));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), static_cast<size_t>(kMaxListLimit));
  EXPECT_EQ(rows->front().decision_id, absl::StrCat("bulk-", kMaxListLimit + 4));
}

TEST_F(DecisionsTest, ListsApprovalsOfAModelOrTheFleet) {
  Insert(MakeDecision(churn_, "a1", "APPROVE", 1000, 1.5));
  Insert(MakeDecision(churn_, "r1", "REJECT", 2000, 8.0));
  Insert(MakeDecision(churn_, "a2", "APPROVE", 3000, 2.25));
  Insert(MakeDecision(churn_, "d1", "DEFER", 6000, 16.0));
  Insert(MakeDecision(churn_, "a3", "APPROVE", 5000, 0.5));  // latest approval, not last row
  Insert(MakeDecision(fraud_, "a4", "APPROVE", 7000, 100.0));

  struct Case {
    std::optional<int64_t> model_id;  // unset: every model
    int64_t since_ms;
    std::vector<int64_t> times;  // oldest first
    std::optional<int64_t> last;
  };
  const Case cases[] = {
      {churn_, 0, {1000, 3000, 5000}, 5000},
      {churn_, 1000, {1000, 3000, 5000}, 5000},  // since is inclusive
      {churn_, 1001, {3000, 5000}, 5000},
      {churn_, 5001, {}, 5000},  // the latest approval, however old
      {fraud_, 0, {7000}, 7000},
      {999, 0, {}, std::nullopt},
      {std::nullopt, 0, {1000, 3000, 5000, 7000}, std::nullopt},
      {std::nullopt, 3000, {3000, 5000, 7000}, std::nullopt},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ApprovalHistory> history = store_->ListApprovals(c.model_id, c.since_ms);
    ASSERT_TRUE(history.ok()) << history.status();
    std::vector<int64_t> times;
    for (const ApprovalRow& a : history->approvals) times.push_back(a.create_time_ms);
    const std::string label =
        absl::StrCat(c.model_id ? absl::StrCat(*c.model_id) : "fleet", " since ", c.since_ms);
    EXPECT_EQ(times, c.times) << label;
    EXPECT_EQ(history->last_approval_ms, c.last) << label;
  }
  // Energy and carbon come with each approval (MakeDecision: co2e_kg = energy_kwh / 4).
  const ApprovalHistory fraud = OkValue(store_->ListApprovals(fraud_, 0));
  ASSERT_EQ(fraud.approvals.size(), 1u);
  EXPECT_EQ(fraud.approvals[0].energy_kwh, 100.0);
  EXPECT_EQ(fraud.approvals[0].co2e_kg, 25.0);
}

TEST_F(DecisionsTest, ConcurrentInsertsAllLand) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t model = i % 2 == 0 ? churn_ : fraud_;
        const DecisionRow row = MakeDecision(model, absl::StrCat("t", t, "-", i), "APPROVE", i,
                                             0.25, absl::StrCat("key-", t, "-", i));
        if (!store_->InsertDecision(row).ok()) ++failures[t];
        // Reads interleave with writes on the same connection.
        if (!store_->ListApprovals(model, 0).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(failures, ::testing::Each(0));
  EXPECT_EQ(CountDecisions(), kThreads * kPerThread);
  absl::StatusOr<std::vector<DecisionRow>> rows = store_->ListDecisions(WithLimit(1000));
  ASSERT_TRUE(rows.ok());
  std::set<int64_t> seqs;
  for (const DecisionRow& row : *rows) seqs.insert(row.seq);
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(OkValue(store_->ListApprovals(churn_, 0)).approvals.size(),
            static_cast<size_t>(kThreads * 13));  // i = 0, 2, ..., 24 per thread
}

TEST_F(DecisionsTest, DataSurvivesCloseAndReopen) {
  const DecisionRow stored = Insert(MakeDecision(churn_, "d-1", "APPROVE", 1000, 3.0, "k"));
  ASSERT_TRUE(store_->PutPolicy(PolicyRow{churn_, /*version=*/0, "{}", /*create_time_ms=*/9}).ok());
  Open({});
  absl::StatusOr<DecisionRow> got = store_->GetDecision("d-1");
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameDecision(*got, stored);
  EXPECT_EQ(OkValue(store_->GetModel("fraud")).id, fraud_);
  EXPECT_EQ(OkValue(store_->GetLatestPolicy(churn_)).value_or(PolicyRow{}).version, 1);
  // Sequence numbers keep growing after a reopen.
  EXPECT_GT(Insert(MakeDecision(churn_, "d-2", "REJECT", 2000)).seq, stored.seq);
}

TEST_F(DecisionsTest, WriteLockHeldElsewhereIsUnavailable) {
  Open(StoreOptions{/*busy_timeout_ms=*/1});
  RawDb other(path());
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), "");
  absl::StatusOr<DecisionRow> blocked =
      store_->InsertDecision(MakeDecision(churn_, "d-1", "APPROVE", 1000));
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  // WAL: reads still work while another connection writes.
  EXPECT_TRUE(store_->GetModel("churn").ok());
  ASSERT_EQ(other.Exec("ROLLBACK"), "");
  Insert(MakeDecision(churn_, "d-1", "APPROVE", 1000));
  EXPECT_EQ(CountDecisions(), 1);
}

}  // namespace
}  // namespace greengate::store
