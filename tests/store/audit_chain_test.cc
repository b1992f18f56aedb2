// The decision log's hash chain: SHA-256 vectors, the chain InsertDecision writes, and
// VerifyAuditChain against a file edited behind the store's back with a raw connection
// (triggers dropped, as an intruder with file access would).

#include "server/store/audit_chain.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "server/store/migration_runner.h"
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

// FIPS 180-2 appendix B examples (also `printf 'abc' | sha256sum`).
TEST(Sha256HexTest, KnownVectors) {
  struct Case {
    std::string input;
    std::string digest;
  };
  const std::vector<Case> cases = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (const Case& c : cases) EXPECT_EQ(Sha256Hex(c.input), c.digest) << c.input;
}

TEST(CanonicalDecisionTest, EveryFieldChangesTheHash) {
  const DecisionRow base = MakeDecision(1, "d1", "APPROVE", 1000, 2.5, "key");
  const std::string base_hash = OkValue(ChainHash(kGenesisHash, base));
  std::vector<DecisionRow> variants(14, base);
  variants[0].seq = 7;
  variants[1].decision_id = "d2";
  variants[2].model_id = 2;
  variants[3].model_version = "v2";
  variants[4].policy_version = 2;
  variants[5].verdict = "REJECT";
  variants[6].decided_by = "cooldown";
  variants[7].energy_kwh = 2.5000000000000004;  // one ulp: formatting must not round it away
  variants[8].co2e_kg += 1;
  variants[9].expected_gain += 1e-9;
  variants[10].gain_lower_bound = -1;
  variants[11].dataset_drift = false;
  variants[12].idempotency_key = "";
  variants[13].payload += " ";
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_NE(OkValue(ChainHash(kGenesisHash, variants[i])), base_hash) << "variant " << i;
  }
  // Length prefixes: moving a byte from one field to the next is a different row.
  DecisionRow shifted = base;
  shifted.model_version = "v1p";
  shifted.decided_by = "olicy";
  DecisionRow original = base;
  original.model_version = "v1";
  original.decided_by = "policy";
  EXPECT_NE(CanonicalDecision(shifted), CanonicalDecision(original));
  EXPECT_NE(OkValue(ChainHash(std::string(64, 'a'), base)), base_hash);
  EXPECT_FALSE(ChainHash("abc", base).ok());
  EXPECT_FALSE(ChainHash(std::string(64, 'A'), base).ok());
}

class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    Reopen();
    model_id_ = OkValue(store_->CreateModel(MakeModel("churn"))).id;
  }
  void Reopen() {
    store_.reset();
    store_ = OkValue(Store::Open(path()));
    ASSERT_NE(store_, nullptr);
  }
  std::string path() const { return dir_.File("gg.db"); }

  std::vector<DecisionRow> Insert(int n) {
    std::vector<DecisionRow> rows;
    for (int i = 0; i < n; ++i) {
      const std::string verdict = i % 3 == 0 ? "APPROVE" : (i % 3 == 1 ? "REJECT" : "DEFER");
      const int id = next_++;
      rows.push_back(OkValue(store_->InsertDecision(
          MakeDecision(model_id_, absl::StrCat("d", id), verdict, 1000 + id))));
    }
    return rows;
  }

  AuditVerification Verify(const std::optional<AuditAnchor>& anchor = std::nullopt) {
    return OkValue(store_->VerifyAuditChain(anchor));
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int64_t model_id_ = 0;
  int next_ = 1;
};

TEST_F(AuditChainTest, InsertLinksEachRowToThePreviousOne) {
  const std::vector<DecisionRow> rows = Insert(4);
  std::string prev(kGenesisHash);
  for (const DecisionRow& row : rows) {
    const DecisionRow stored = OkValue(store_->GetDecision(row.decision_id));
    EXPECT_EQ(stored.prev_hash, prev);
    EXPECT_EQ(stored.hash, OkValue(ChainHash(prev, stored)));
    EXPECT_EQ(stored.hash, row.hash);
    prev = stored.hash;
  }
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.problem.has_value()) << v.problem->detail;
  EXPECT_EQ(v.checked_rows, 4);
  EXPECT_EQ(v.legacy_rows, 0);
  EXPECT_EQ(v.head_seq, rows.back().seq);
  EXPECT_EQ(v.head_hash, rows.back().hash);
}

TEST_F(AuditChainTest, EmptyLogIsIntact) {
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.problem.has_value());
  EXPECT_EQ(v.checked_rows, 0);
  EXPECT_EQ(v.head_hash, kGenesisHash);
}

TEST_F(AuditChainTest, RejectedInsertLeavesTheChainIntact) {
  Insert(2);
  EXPECT_FALSE(store_->InsertDecision(MakeDecision(model_id_, "d1", "APPROVE", 5)).ok());
  EXPECT_FALSE(store_->InsertDecision(MakeDecision(999, "zz", "APPROVE", 5)).ok());
  Insert(1);
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.problem.has_value()) << v.problem->detail;
  EXPECT_EQ(v.checked_rows, 3);
}

// The append-only triggers stop accidents; an intruder drops them. Each case edits the file
// of a 5-row log (seq 1..5) with a raw connection while the store is open.
TEST_F(AuditChainTest, ReportsTheFirstAlteredOrMissingRow) {
  struct Case {
    std::string name;
    std::string sql;
    AuditProblem::Kind kind;
    int64_t seq;
  };
  const std::string drop = "DROP TRIGGER decisions_no_update; DROP TRIGGER decisions_no_delete; ";
  const std::vector<Case> cases = {
      {"energy lowered", "UPDATE decisions SET energy_kwh = 0.01 WHERE seq = 3;",
       AuditProblem::Kind::kAltered, 3},
      {"verdict flipped", "UPDATE decisions SET verdict = 'APPROVE' WHERE seq = 2;",
       AuditProblem::Kind::kAltered, 2},
      {"payload edited",
       "UPDATE decisions SET payload = '{\"decision_id\":\"forged\"}' WHERE seq = 4;",
       AuditProblem::Kind::kAltered, 4},
      {"two rows edited: the first is reported",
       "UPDATE decisions SET decided_by = 'x' WHERE seq IN (2, 5);", AuditProblem::Kind::kAltered,
       2},
      {"hash removed", "UPDATE decisions SET hash = NULL WHERE seq = 1;",
       AuditProblem::Kind::kAltered, 1},
      {"prev_hash pointed elsewhere",
       "UPDATE decisions SET prev_hash = (SELECT hash FROM decisions WHERE seq = 1) "
       "WHERE seq = 3;",
       AuditProblem::Kind::kAltered, 3},
      {"middle row deleted", "DELETE FROM decisions WHERE seq = 3;", AuditProblem::Kind::kMissing,
       3},
      {"first row deleted", "DELETE FROM decisions WHERE seq = 1;", AuditProblem::Kind::kMissing,
       1},
      {"newest row deleted (the head remembers it)", "DELETE FROM decisions WHERE seq = 5;",
       AuditProblem::Kind::kMissing, 5},
      {"two newest rows deleted", "DELETE FROM decisions WHERE seq >= 4;",
       AuditProblem::Kind::kMissing, 4},
      {"head moved forward", "UPDATE audit_head SET head_seq = 6;", AuditProblem::Kind::kMissing,
       6},
      {"head hash replaced",
       "UPDATE audit_head SET head_hash = prev_hash FROM "
       "(SELECT prev_hash FROM decisions WHERE seq = 5);",
       AuditProblem::Kind::kAltered, 5},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // A fresh log per case.
    store_.reset();
    std::filesystem::remove(path());
    std::filesystem::remove(path() + "-wal");
    std::filesystem::remove(path() + "-shm");
    Reopen();
    model_id_ = OkValue(store_->CreateModel(MakeModel("churn"))).id;
    Insert(5);
    ASSERT_FALSE(Verify().problem.has_value());

    RawDb raw(path());
    ASSERT_EQ(raw.Exec(drop + c.sql), "");
    const AuditVerification v = Verify();
    ASSERT_TRUE(v.problem.has_value());
    EXPECT_EQ(v.problem->kind, c.kind) << v.problem->detail;
    EXPECT_EQ(v.problem->seq, c.seq) << v.problem->detail;
    EXPECT_FALSE(v.problem->detail.empty());
  }
}

// An intruder who re-hashes the row they edit only moves the break to the next row.
TEST_F(AuditChainTest, RehashedEditBreaksTheNextLink) {
  const std::vector<DecisionRow> rows = Insert(3);
  DecisionRow forged = rows[0];
  forged.verdict = "REJECT";
  const std::string forged_hash = OkValue(ChainHash(forged.prev_hash, forged));
  RawDb raw(path());
  ASSERT_EQ(raw.Exec(absl::StrCat("DROP TRIGGER decisions_no_update; UPDATE decisions SET "
                                  "verdict = 'REJECT', hash = '",
                                  forged_hash, "' WHERE seq = ", rows[0].seq, ";")),
            "");
  const AuditVerification v = Verify();
  ASSERT_TRUE(v.problem.has_value());
  EXPECT_EQ(v.problem->kind, AuditProblem::Kind::kAltered);
  EXPECT_EQ(v.problem->seq, rows[1].seq);
  EXPECT_EQ(v.checked_rows, 1);
}

// Deleting the newest row and rewinding the head to match leaves a consistent file: only a
// head recorded outside the database (an anchor) exposes it. Then a new decision continues
// from the rewound head and the chain is intact again: the anchor still catches it.
TEST_F(AuditChainTest, TruncationWithRewoundHeadNeedsAnAnchor) {
  const std::vector<DecisionRow> rows = Insert(4);
  const AuditAnchor anchor{rows[3].seq, rows[3].hash};
  EXPECT_FALSE(Verify(anchor).problem.has_value());
  RawDb raw(path());
  ASSERT_EQ(raw.Exec(absl::StrCat("DROP TRIGGER decisions_no_delete; DELETE FROM decisions "
                                  "WHERE seq = 4; UPDATE audit_head SET head_seq = 3, "
                                  "head_hash = '",
                                  rows[2].hash, "', chained_rows = 3;")),
            "");
  EXPECT_FALSE(Verify().problem.has_value());  // undetectable from inside the file
  AuditVerification v = Verify(anchor);
  ASSERT_TRUE(v.problem.has_value());
  EXPECT_EQ(v.problem->kind, AuditProblem::Kind::kMissing);
  EXPECT_EQ(v.problem->seq, 4);

  Insert(1);  // reuses seq 4 with different content
  v = Verify(anchor);
  ASSERT_TRUE(v.problem.has_value());
  EXPECT_EQ(v.problem->kind, AuditProblem::Kind::kAltered);
  EXPECT_EQ(v.problem->seq, 4);
  EXPECT_FALSE(Verify(AuditAnchor{rows[1].seq, rows[1].hash}).problem.has_value());
}

// Without the head rewound, the next decision exposes the deleted newest row.
TEST_F(AuditChainTest, DecisionAfterDeletedNewestRowIsFlagged) {
  Insert(3);
  RawDb raw(path());
  ASSERT_EQ(raw.Exec("DROP TRIGGER decisions_no_delete; DELETE FROM decisions WHERE seq = 3;"), "");
  Insert(1);  // seq 3 again, linked to the deleted row's hash
  const AuditVerification v = Verify();
  ASSERT_TRUE(v.problem.has_value());
  EXPECT_EQ(v.problem->kind, AuditProblem::Kind::kAltered);
  EXPECT_EQ(v.problem->seq, 3);
}

// More rows than one verification batch (1000): the walk continues across batches.
TEST_F(AuditChainTest, VerifiesAcrossBatches) {
  Insert(1100);
  EXPECT_EQ(Verify().checked_rows, 1100);
  RawDb raw(path());
  ASSERT_EQ(raw.Exec("DROP TRIGGER decisions_no_update; "
                     "UPDATE decisions SET co2e_kg = 0 WHERE seq = 1050;"),
            "");
  const AuditVerification v = Verify();
  ASSERT_TRUE(v.problem.has_value());
  EXPECT_EQ(v.problem->seq, 1050);
  EXPECT_EQ(v.checked_rows, 1049);
}

// A database from before the chain (schema 2) with decisions: migration 0003 marks them as
// legacy, verification starts after them, and new decisions chain from the genesis hash.
TEST(AuditChainMigrationTest, RowsOlderThanTheChainAreLegacy) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.File("old.db");
  {
    const std::vector<Migration> all = OkValue(ParseMigrations(EmbeddedMigrationFiles()));
    ASSERT_GE(all.size(), 3u);
    DbHandle db = OkValue(OpenConnection(path, 1000));
    ASSERT_NE(db, nullptr);
    ASSERT_EQ(OkValue(ApplyMigrations(db.get(), absl::MakeConstSpan(all.data(), 2))), 2);
  }
  RawDb raw(path);
  ASSERT_EQ(raw.Exec("INSERT INTO models (model_id, deployed_version, create_time_ms, "
                     "update_time_ms) VALUES ('churn', 'v1', 1, 1);"
                     "INSERT INTO decisions (decision_id, model_id, model_version, "
                     "policy_version, verdict, decided_by, energy_kwh, co2e_kg, expected_gain, "
                     "gain_lower_bound, dataset_drift, create_time_ms, payload) VALUES "
                     "('old1', 1, 'v1', 0, 'APPROVE', 'x', 1, 1, 0, 0, 1, 5, '{}'), "
                     "('old2', 1, 'v1', 0, 'REJECT', 'x', 1, 1, 0, 0, 0, 6, '{}');"),
            "");
  std::unique_ptr<Store> store = OkValue(Store::Open(path));
  ASSERT_NE(store, nullptr);
  AuditVerification v = OkValue(store->VerifyAuditChain());
  EXPECT_FALSE(v.problem.has_value());
  EXPECT_EQ(v.legacy_rows, 2);
  EXPECT_EQ(v.checked_rows, 0);

  const DecisionRow first = OkValue(store->InsertDecision(MakeDecision(1, "new1", "DEFER", 7)));
  EXPECT_EQ(first.seq, 3);
  EXPECT_EQ(first.prev_hash, kGenesisHash);
  v = OkValue(store->VerifyAuditChain());
  EXPECT_FALSE(v.problem.has_value()) << v.problem->detail;
  EXPECT_EQ(v.checked_rows, 1);
  EXPECT_EQ(v.legacy_rows, 2);
  // A legacy row is outside the chain: editing it is not detectable (hence "legacy").
  ASSERT_EQ(raw.Exec("DROP TRIGGER decisions_no_update; "
                     "UPDATE decisions SET verdict = 'DEFER' WHERE seq = 1;"),
            "");
  EXPECT_FALSE(OkValue(store->VerifyAuditChain()).problem.has_value());
}

}  // namespace
}  // namespace greengate::store
