#include "server/store/sqlite.h"

#include <sqlite3.h>

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/store/test_util.h"

namespace greengate::store {
namespace {

using ::greengate::store::testing::OkValue;
using ::greengate::store::testing::RawDb;
using ::greengate::store::testing::TempDir;
using ::testing::HasSubstr;

TEST(SqliteStatusTest, MapsResultCodes) {
  struct Case {
    int code;
    absl::StatusCode expected;
  };
  const Case cases[] = {
      {SQLITE_OK, absl::StatusCode::kOk},
      {SQLITE_DONE, absl::StatusCode::kOk},
      {SQLITE_BUSY, absl::StatusCode::kUnavailable},
      {SQLITE_BUSY_SNAPSHOT, absl::StatusCode::kUnavailable},
      {SQLITE_LOCKED, absl::StatusCode::kUnavailable},
      {SQLITE_LOCKED_SHAREDCACHE, absl::StatusCode::kUnavailable},
      {SQLITE_FULL, absl::StatusCode::kResourceExhausted},
      {SQLITE_CONSTRAINT_UNIQUE, absl::StatusCode::kAlreadyExists},
      {SQLITE_CONSTRAINT_PRIMARYKEY, absl::StatusCode::kAlreadyExists},
      {SQLITE_CONSTRAINT_FOREIGNKEY, absl::StatusCode::kInternal},
      {SQLITE_CONSTRAINT_CHECK, absl::StatusCode::kInternal},
      {SQLITE_CONSTRAINT_NOTNULL, absl::StatusCode::kInternal},
      {SQLITE_IOERR_FSYNC, absl::StatusCode::kInternal},
      {SQLITE_CORRUPT, absl::StatusCode::kInternal},
      {SQLITE_CANTOPEN, absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    const absl::Status status = SqliteStatus(c.code, "the message", "the context");
    EXPECT_EQ(status.code(), c.expected) << "sqlite code " << c.code;
    if (!status.ok()) {
      EXPECT_THAT(status.message(), HasSubstr("the context")) << c.code;
      EXPECT_THAT(status.message(), HasSubstr("the message")) << c.code;
    }
  }
}

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    absl::StatusOr<DbHandle> db = OpenConnection(dir_.File("test.db"), 1234);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  TempDir dir_;
  DbHandle db_;
};

TEST_F(SqliteTest, OpenConnectionSetsPragmas) {
  struct Case {
    const char* pragma;
    const char* expected;
  };
  const Case cases[] = {
      {"PRAGMA journal_mode", "wal"},  {"PRAGMA foreign_keys", "1"},
      {"PRAGMA synchronous", "2"},  // FULL
      {"PRAGMA busy_timeout", "1234"}, {"PRAGMA recursive_triggers", "1"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Statement> statement = Statement::Prepare(db_.get(), c.pragma);
    ASSERT_TRUE(statement.ok()) << statement.status();
    absl::StatusOr<bool> has_row = statement->Step();
    ASSERT_TRUE(has_row.ok()) << has_row.status();
    ASSERT_TRUE(*has_row) << c.pragma;
    EXPECT_EQ(statement->ColumnText(0), c.expected) << c.pragma;
  }
}

TEST(OpenConnectionTest, UnopenablePathIsAnErrorNotACrash) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  // A regular file where a directory should be: fails even for root, unlike permissions.
  std::ofstream(dir.File("plain_file")) << "not a directory";
  const std::string paths[] = {dir.File("plain_file/x.db"), dir.File("missing/dir/x.db"),
                               dir.File("")};
  for (const std::string& path : paths) {
    absl::StatusOr<DbHandle> db = OpenConnection(path, 100);
    ASSERT_FALSE(db.ok()) << path;
    EXPECT_EQ(db.status().code(), absl::StatusCode::kInternal) << db.status();
    EXPECT_THAT(db.status().message(), HasSubstr(path));
  }
}

TEST_F(SqliteTest, BindsAndReadsEveryType) {
  ASSERT_TRUE(
      ExecScript(db_.get(), "CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)", "t").ok());
  absl::StatusOr<Statement> insert =
      Statement::Prepare(db_.get(), "INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  const std::string text_with_nul("a\0b'; DROP TABLE t; --", 22);
  insert->BindInt64(1, int64_t{1} << 40);
  insert->BindDouble(2, 0.125);
  insert->BindText(3, text_with_nul);
  insert->BindNull(4);
  ASSERT_TRUE(insert->Run().ok());

  absl::StatusOr<Statement> select = Statement::Prepare(db_.get(), "SELECT i, d, s, n FROM t");
  ASSERT_TRUE(select.ok()) << select.status();
  absl::StatusOr<bool> has_row = select->Step();
  ASSERT_TRUE(has_row.ok() && *has_row);
  EXPECT_EQ(select->ColumnInt64(0), int64_t{1} << 40);
  EXPECT_EQ(select->ColumnDouble(1), 0.125);
  EXPECT_EQ(select->ColumnText(2), text_with_nul);
  EXPECT_FALSE(select->ColumnIsNull(2));
  EXPECT_TRUE(select->ColumnIsNull(3));
  has_row = select->Step();
  ASSERT_TRUE(has_row.ok());
  EXPECT_FALSE(*has_row);
}

TEST_F(SqliteTest, BadBindIsReportedByStep) {
  absl::StatusOr<Statement> select = Statement::Prepare(db_.get(), "SELECT ?1");
  ASSERT_TRUE(select.ok());
  select->BindInt64(2, 7);  // no such parameter: SQLITE_RANGE
  absl::StatusOr<bool> has_row = select->Step();
  EXPECT_EQ(has_row.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(has_row.status().message(), HasSubstr("bind ?2"));
}

TEST_F(SqliteTest, PrepareRejectsBadSql) {
  const char* bad[] = {"SELEC 1", "SELECT 1; SELECT 2", "", "SELECT * FROM missing_table"};
  for (const char* sql : bad) {
    absl::StatusOr<Statement> statement = Statement::Prepare(db_.get(), sql);
    EXPECT_EQ(statement.status().code(), absl::StatusCode::kInternal) << sql;
  }
  EXPECT_TRUE(Statement::Prepare(db_.get(), "SELECT 1;  \n").ok());
}

TEST_F(SqliteTest, UniqueViolationIsAlreadyExistsNamingTheColumn) {
  ASSERT_TRUE(ExecScript(db_.get(), "CREATE TABLE t (name TEXT UNIQUE)", "t").ok());
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<Statement> insert = Statement::Prepare(db_.get(), "INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert.ok());
    insert->BindText(1, "x");
    const absl::Status status = insert->Run();
    if (i == 0) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
      EXPECT_THAT(status.message(), HasSubstr("t.name"));
      EXPECT_EQ(insert->error_code(), SQLITE_CONSTRAINT_UNIQUE);
    }
  }
}

TEST_F(SqliteTest, FullDatabaseIsResourceExhausted) {
  // max_page_count caps the file the way a full disk would, and yields SQLITE_FULL.
  ASSERT_TRUE(
      ExecScript(db_.get(), "CREATE TABLE t (b TEXT); PRAGMA max_page_count = 8", "t").ok());
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    absl::StatusOr<Statement> insert = Statement::Prepare(db_.get(), "INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert.ok());
    insert->BindText(1, std::string(4000, 'x'));
    status = insert->Run();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  ASSERT_TRUE(ExecScript(db_.get(), "CREATE TABLE t (a INTEGER)", "t").ok());
  {
    absl::StatusOr<WriteTransaction> transaction = WriteTransaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok()) << transaction.status();
    ASSERT_TRUE(ExecScript(db_.get(), "INSERT INTO t VALUES (1)", "t").ok());
  }  // dropped without Commit
  EXPECT_EQ(OkValue(QueryInt64(db_.get(), "SELECT COUNT(*) FROM t")), 0);
  {
    absl::StatusOr<WriteTransaction> transaction = WriteTransaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok()) << transaction.status();
    ASSERT_TRUE(ExecScript(db_.get(), "INSERT INTO t VALUES (2)", "t").ok());
    ASSERT_TRUE(transaction->Commit().ok());
  }
  EXPECT_EQ(OkValue(QueryInt64(db_.get(), "SELECT COUNT(*) FROM t")), 1);
}

TEST_F(SqliteTest, BeginWhileAnotherConnectionWritesIsUnavailable) {
  ASSERT_TRUE(ExecScript(db_.get(), "PRAGMA busy_timeout = 1", "t").ok());
  RawDb other(dir_.File("test.db"));
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), "");
  absl::StatusOr<WriteTransaction> transaction = WriteTransaction::Begin(db_.get());
  EXPECT_EQ(transaction.status().code(), absl::StatusCode::kUnavailable) << transaction.status();
  ASSERT_EQ(other.Exec("ROLLBACK"), "");
  EXPECT_TRUE(WriteTransaction::Begin(db_.get()).ok());
}

}  // namespace
}  // namespace greengate::store
