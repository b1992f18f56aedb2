#include "server/store/migration_runner.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/sqlite.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using ::greengate::store::testing::OkValue;
using ::greengate::store::testing::RawDb;
using ::greengate::store::testing::TempDir;
using ::testing::HasSubstr;

TEST(ParseMigrationsTest, SortsByVersion) {
  const EmbeddedFile files[] = {
      {"0003_c.sql", "SELECT 3;"}, {"0001_a.sql", "SELECT 1;"}, {"0002_b.sql", "SELECT 2;"}};
  absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations(files);
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  ASSERT_EQ(migrations->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*migrations)[i].version, i + 1);
    EXPECT_EQ((*migrations)[i].sql, "SELECT " + std::to_string(i + 1) + ";");
  }
  EXPECT_EQ((*migrations)[1].name, "0002_b.sql");
}

TEST(ParseMigrationsTest, EmptyListIsValid) {
  absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations({});
  ASSERT_TRUE(migrations.ok());
  EXPECT_TRUE(migrations->empty());
}

TEST(ParseMigrationsTest, RejectsBadNamesAndNumbering) {
  struct Case {
    std::vector<const char*> names;
    const char* message;
  };
  const Case cases[] = {
      {{"init.sql"}, "not NNNN_name.sql"},
      {{"001_init.sql"}, "not NNNN_name.sql"},
      {{"0001init.sql"}, "not NNNN_name.sql"},
      {{"0001_.sql"}, "not NNNN_name.sql"},
      {{"0001_init.txt"}, "not NNNN_name.sql"},
      {{"00a1_init.sql"}, "not NNNN_name.sql"},
      {{"0002_b.sql"}, "expected 1"},                   // does not start at 1
      {{"0001_a.sql", "0003_c.sql"}, "expected 2"},     // gap
      {{"0001_a.sql", "0001_b.sql"}, "expected 2"},     // repeat
      {{"0000_zero.sql", "0001_a.sql"}, "expected 1"},  // zero is not a version
  };
  for (const Case& c : cases) {
    std::vector<EmbeddedFile> files;
    for (const char* name : c.names) files.push_back({name, "SELECT 1;"});
    absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations(files);
    EXPECT_EQ(migrations.status().code(), absl::StatusCode::kInternal) << c.names[0];
    EXPECT_THAT(migrations.status().message(), HasSubstr(c.message)) << c.names[0];
  }
}

TEST(ParseMigrationsTest, EmbeddedMigrationsAreValid) {
  absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations(EmbeddedMigrationFiles());
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ(migrations->front().name, "0001_init.sql");
  EXPECT_THAT(migrations->front().sql, HasSubstr("CREATE TABLE decisions"));
}

class ApplyMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    absl::StatusOr<DbHandle> db = OpenConnection(path(), 1000);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  std::string path() const { return dir_.File("migrate.db"); }

  // Parses `files`, which the test writes correctly, and applies them.
  absl::StatusOr<int> Apply(const std::vector<EmbeddedFile>& files) {
    absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations(files);
    EXPECT_TRUE(migrations.ok()) << migrations.status();
    if (!migrations.ok()) return migrations.status();
    return ApplyMigrations(db_.get(), *migrations);
  }

  TempDir dir_;
  DbHandle db_;
};

const EmbeddedFile kCreate = {"0001_create.sql", "CREATE TABLE log (step TEXT NOT NULL);"};
const EmbeddedFile kTwo = {"0002_two.sql", "INSERT INTO log VALUES ('two');"};
const EmbeddedFile kThree = {"0003_three.sql", "INSERT INTO log VALUES ('three');"};

TEST_F(ApplyMigrationsTest, AppliesInVersionOrder) {
  // Listed out of order: 0002 and 0003 fail unless 0001 ran first.
  absl::StatusOr<int> version = Apply({kThree, kCreate, kTwo});
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 3);
  RawDb raw(path());
  EXPECT_EQ(raw.QueryInt("PRAGMA user_version"), 3);
  EXPECT_EQ(raw.QueryText("SELECT group_concat(step, ',') FROM (SELECT step FROM log "
                          "ORDER BY rowid)"),
            "two,three");
}

TEST_F(ApplyMigrationsTest, AppliesOnlyPendingMigrations) {
  ASSERT_EQ(OkValue(Apply({kCreate})), 1);
  // Re-running 0001 would fail (the table exists); re-running 0002 would add a row.
  ASSERT_EQ(OkValue(Apply({kCreate, kTwo})), 2);
  absl::StatusOr<int> version = Apply({kCreate, kTwo, kThree});
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 3);
  version = Apply({kCreate, kTwo, kThree});
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 3);
  EXPECT_EQ(RawDb(path()).QueryInt("SELECT COUNT(*) FROM log"), 2);
}

TEST_F(ApplyMigrationsTest, FailingMigrationRollsBackAndKeepsVersion) {
  const EmbeddedFile broken = {"0002_broken.sql",
                               "CREATE TABLE half_done (a INTEGER);\n"
                               "INSERT INTO log VALUES ('two');\n"
                               "INSERT INTO no_such_table VALUES (1);"};
  absl::StatusOr<int> version = Apply({kCreate, broken, kThree});
  EXPECT_EQ(version.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(version.status().message(), HasSubstr("0002_broken.sql"));
  EXPECT_THAT(version.status().message(), HasSubstr("no_such_table"));

  RawDb raw(path());
  EXPECT_EQ(raw.QueryInt("PRAGMA user_version"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"), 0);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM log"), 0);
}

TEST_F(ApplyMigrationsTest, RefusesNewerDatabase) {
  ASSERT_EQ(RawDb(path()).Exec("PRAGMA user_version = 7"), "");
  absl::StatusOr<int> version = Apply({kCreate});
  EXPECT_EQ(version.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(version.status().message(),
            "database schema version 7 is newer than this greengate (knows up to 1); "
            "upgrade greengate");
  RawDb raw(path());
  EXPECT_EQ(raw.QueryInt("PRAGMA user_version"), 7);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'log'"), 0);
}

TEST_F(ApplyMigrationsTest, ScriptMustNotEndTheTransaction) {
  const EmbeddedFile commits = {"0001_commits.sql", "CREATE TABLE t (a INTEGER); COMMIT;"};
  absl::StatusOr<int> version = Apply({commits});
  EXPECT_EQ(version.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(version.status().message(), HasSubstr("must not end the transaction"));
  EXPECT_EQ(RawDb(path()).QueryInt("PRAGMA user_version"), 0);
}

// 0005 copies each outcome's plan from its decision's payload, past the append-only guard,
// and restores the guard.
TEST_F(ApplyMigrationsTest, OutcomePlanIsBackfilledFromTheDecision) {
  absl::StatusOr<std::vector<Migration>> all = ParseMigrations(EmbeddedMigrationFiles());
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_GE(all->size(), 5u);
  const std::vector<Migration> first_four(all->begin(), all->begin() + 4);
  ASSERT_TRUE(ApplyMigrations(db_.get(), first_four).ok());
  RawDb raw(path());
  ASSERT_EQ(raw.Exec("INSERT INTO models (id, model_id, deployed_version, create_time_ms, "
                     "update_time_ms) VALUES (1, 'churn', 'v1', 0, 0)"),
            "");
  static constexpr char kDecision[] =
      "INSERT INTO decisions (seq, decision_id, model_id, model_version, policy_version, "
      "verdict, decided_by, energy_kwh, co2e_kg, expected_gain, gain_lower_bound, "
      "dataset_drift, create_time_ms, payload) VALUES (%d, 'd%d', 1, 'v1', 1, 'APPROVE', "
      "'efficiency', 1, 1, 0.1, 0.05, 1, 0, '%s')";
  static constexpr char kOutcome[] =
      "INSERT INTO outcomes (decision_seq, model_id, energy_kwh, source, estimated_energy_kwh, "
      "expected_gain, create_time_ms, payload) VALUES (%d, 1, 1, 'manual', 1, 0.1, 0, '{}')";
  ASSERT_EQ(raw.Exec(absl::StrFormat(kDecision, 1, 1, R"({"cost":{"plan":"recent-4-weeks"}})")),
            "");
  ASSERT_EQ(raw.Exec(absl::StrFormat(kDecision, 2, 2, R"({"cost":{}})")), "");
  ASSERT_EQ(raw.Exec(absl::StrFormat(kOutcome, 1)), "");
  ASSERT_EQ(raw.Exec(absl::StrFormat(kOutcome, 2)), "");

  absl::StatusOr<int> version = ApplyMigrations(db_.get(), *all);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(raw.QueryText("SELECT group_concat(plan, '|') FROM (SELECT plan FROM outcomes "
                          "ORDER BY decision_seq)"),
            "recent-4-weeks|");
  EXPECT_THAT(raw.Exec("UPDATE outcomes SET plan = 'x'"), HasSubstr("append-only"));
}

}  // namespace
}  // namespace greengate::store
