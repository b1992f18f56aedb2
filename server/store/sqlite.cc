#include "server/store/sqlite.h"

#include <sqlite3.h>

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::store {
namespace {

// The start of a statement's SQL, to say which statement failed without echoing a page.
std::string SqlContext(sqlite3_stmt* stmt) {
  constexpr size_t kMaxChars = 60;
  std::string sql = stmt != nullptr ? sqlite3_sql(stmt) : "";
  if (sql.size() > kMaxChars) sql = absl::StrCat(sql.substr(0, kMaxChars), "...");
  return sql;
}

}  // namespace

void SqliteCloser::operator()(sqlite3* db) const {
  // close_v2 never fails for a valid handle; with every Statement finalized it closes now.
  sqlite3_close_v2(db);
}

absl::Status SqliteStatus(int extended_code, absl::string_view errmsg, absl::string_view context) {
  const std::string message = absl::StrCat(context, ": ", errmsg);
  switch (extended_code & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return absl::OkStatus();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CONSTRAINT:
      if (extended_code == SQLITE_CONSTRAINT_UNIQUE ||
          extended_code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        // SQLite's text names the columns: "UNIQUE constraint failed: models.model_id".
        return absl::AlreadyExistsError(absl::StrCat(context, ": already exists (", errmsg, ")"));
      }
      break;
    default:
      break;
  }
  return absl::InternalError(absl::StrCat(message, " (sqlite code ", extended_code, ")"));
}

absl::Status SqliteStatus(sqlite3* db, absl::string_view context) {
  return SqliteStatus(sqlite3_extended_errcode(db), sqlite3_errmsg(db), context);
}

absl::Status ExecScript(sqlite3* db, const std::string& sql, absl::string_view context) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  const std::string errmsg = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return SqliteStatus(sqlite3_extended_errcode(db), errmsg, context);
}

absl::StatusOr<DbHandle> OpenConnection(const std::string& path, int busy_timeout_ms) {
  const std::string context = absl::StrCat("open database \"", path, "\"");
  sqlite3* raw = nullptr;
  // NOMUTEX: the caller serialises use of the connection, SQLite need not lock again.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);  // SQLite allocates a handle even when the open fails; free it too.
  if (db == nullptr) return absl::ResourceExhaustedError(context + ": out of memory");
  if (rc != SQLITE_OK) return SqliteStatus(db.get(), context);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);

  // journal_mode is the one setting that persists in the file; it may silently stay as it
  // was (e.g. on a file system without shared memory), so check what SQLite reports.
  ASSIGN_OR_RETURN(Statement wal, Statement::Prepare(db.get(), "PRAGMA journal_mode=WAL"));
  ASSIGN_OR_RETURN(const bool has_row, wal.Step());
  const std::string mode = has_row ? absl::AsciiStrToLower(wal.ColumnText(0)) : "";
  if (mode != "wal") {
    return absl::InternalError(
        absl::StrCat(context, ": journal_mode=WAL not in force, got \"", mode, "\""));
  }
  // FULL: a commit is on disk before the call returns, even across power loss.
  // recursive_triggers: without it, the row deletions done by INSERT OR REPLACE skip DELETE
  // triggers, which would let a REPLACE rewrite the append-only decision log.
  RETURN_IF_ERROR(ExecScript(
      db.get(), "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA recursive_triggers=ON;",
      context));
  // foreign_keys is a silent no-op inside a transaction or in a build without them.
  ASSIGN_OR_RETURN(const int64_t foreign_keys, QueryInt64(db.get(), "PRAGMA foreign_keys"));
  if (foreign_keys != 1) {
    return absl::InternalError(absl::StrCat(context, ": foreign_keys=ON not in force"));
  }
  return db;
}

absl::StatusOr<Statement> Statement::Prepare(sqlite3* db, absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  Statement statement(db, stmt);  // finalizes on every return below
  const std::string context = absl::StrCat("prepare \"", sql.substr(0, 60), "\"");
  if (rc != SQLITE_OK) return SqliteStatus(db, context);
  if (stmt == nullptr) return absl::InternalError(context + ": no statement");
  const absl::string_view rest(tail, sql.data() + sql.size() - tail);
  if (!absl::StripAsciiWhitespace(rest).empty()) {
    return absl::InternalError(context + ": more than one statement");
  }
  return statement;
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      borrowed_(other.borrowed_),
      bind_status_(std::move(other.bind_status_)),
      error_code_(other.error_code_),
      error_message_(std::move(other.error_message_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    borrowed_ = other.borrowed_;
    bind_status_ = std::move(other.bind_status_);
    error_code_ = other.error_code_;
    error_message_ = std::move(other.error_message_);
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (borrowed_) {
    // Back to the cache: ends its read transaction and drops the values bound.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

absl::StatusOr<Statement> StatementCache::Get(absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    ASSIGN_OR_RETURN(Statement prepared, Statement::Prepare(db_, sql));
    it = statements_.emplace(std::string(sql), std::exchange(prepared.stmt_, nullptr)).first;
  }
  return Statement(db_, it->second, /*borrowed=*/true);
}

void Statement::NoteBind(int rc, int index) {
  if (rc == SQLITE_OK || !bind_status_.ok()) return;
  bind_status_ = SqliteStatus(rc, sqlite3_errstr(rc),
                              absl::StrCat("bind ?", index, " of \"", SqlContext(stmt_), "\""));
}

void Statement::BindInt64(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::BindDouble(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_, index, value), index);
}

void Statement::BindText(int index, absl::string_view value) {
  NoteBind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
}

void Statement::BindNull(int index) { NoteBind(sqlite3_bind_null(stmt_, index), index); }

void Statement::BindZeroBlob(int index, int64_t bytes) {
  NoteBind(sqlite3_bind_zeroblob64(stmt_, index, static_cast<sqlite3_uint64>(bytes)), index);
}

absl::StatusOr<bool> Statement::Step() {
  RETURN_IF_ERROR(bind_status_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  error_code_ = sqlite3_extended_errcode(db_);
  error_message_ = sqlite3_errmsg(db_);
  return SqliteStatus(error_code_, error_message_, SqlContext(stmt_));
}

absl::Status Statement::Run() {
  ASSIGN_OR_RETURN(const bool has_row, Step());
  if (has_row) {
    return absl::InternalError(
        absl::StrCat("\"", SqlContext(stmt_), "\": returned a row, expected none"));
  }
  return absl::OkStatus();
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

absl::StatusOr<WriteTransaction> WriteTransaction::Begin(sqlite3* db) {
  RETURN_IF_ERROR(ExecScript(db, "BEGIN IMMEDIATE", "begin write transaction"));
  return WriteTransaction(db);
}

WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

WriteTransaction::~WriteTransaction() {
  // Some errors (disk full, I/O) already rolled the transaction back; only roll back an open
  // one. A failed ROLLBACK leaves nothing to do: SQLite rolls back when the connection closes.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

absl::Status WriteTransaction::Commit() {
  RETURN_IF_ERROR(ExecScript(db_, "COMMIT", "commit"));
  db_ = nullptr;
  return absl::OkStatus();
}

namespace {

// An open BLOB handle, closed on destruction.
struct BlobCloser {
  void operator()(sqlite3_blob* blob) const { sqlite3_blob_close(blob); }
};
using BlobHandle = std::unique_ptr<sqlite3_blob, BlobCloser>;

absl::StatusOr<BlobHandle> OpenBlob(sqlite3* db, const char* table, const char* column,
                                    int64_t rowid, bool write, absl::string_view context) {
  sqlite3_blob* blob = nullptr;
  const int rc = sqlite3_blob_open(db, "main", table, column, rowid, write ? 1 : 0, &blob);
  BlobHandle handle(blob);  // sqlite3_blob_open may return a handle to close even on failure
  if (rc != SQLITE_OK) return SqliteStatus(db, context);
  return handle;
}

}  // namespace

absl::Status WriteBlob(sqlite3* db, const char* table, const char* column, int64_t rowid,
                       int64_t size, absl::FunctionRef<absl::Status(BlobAppend)> fill) {
  const std::string context = absl::StrCat("write ", table, ".", column, " of row ", rowid);
  ASSIGN_OR_RETURN(BlobHandle blob, OpenBlob(db, table, column, rowid, /*write=*/true, context));
  if (sqlite3_blob_bytes(blob.get()) != size) {
    return absl::InternalError(absl::StrCat(context, ": the value holds ",
                                            sqlite3_blob_bytes(blob.get()), " bytes, not ", size));
  }
  // SQLite's values are under 2 GiB (SQLITE_MAX_LENGTH), so offsets and pieces fit an int.
  int64_t offset = 0;
  RETURN_IF_ERROR(fill([&](absl::string_view piece) -> absl::Status {
    if (static_cast<int64_t>(piece.size()) > size - offset) {
      return absl::InternalError(absl::StrCat(context, ": more than the ", size, " bytes"));
    }
    if (sqlite3_blob_write(blob.get(), piece.data(), static_cast<int>(piece.size()),
                           static_cast<int>(offset)) != SQLITE_OK) {
      return SqliteStatus(db, context);
    }
    offset += static_cast<int64_t>(piece.size());
    return absl::OkStatus();
  }));
  if (offset != size) {
    return absl::InternalError(absl::StrCat(context, ": ", offset, " bytes written of ", size));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadBlob(sqlite3* db, const char* table, const char* column,
                                     int64_t rowid) {
  const std::string context = absl::StrCat("read ", table, ".", column, " of row ", rowid);
  ASSIGN_OR_RETURN(BlobHandle blob, OpenBlob(db, table, column, rowid, /*write=*/false, context));
  std::string bytes(static_cast<size_t>(sqlite3_blob_bytes(blob.get())), '\0');
  if (sqlite3_blob_read(blob.get(), bytes.data(), static_cast<int>(bytes.size()), 0) != SQLITE_OK) {
    return SqliteStatus(db, context);
  }
  return bytes;
}

absl::StatusOr<int64_t> QueryInt64(sqlite3* db, absl::string_view sql) {
  ASSIGN_OR_RETURN(Statement statement, Statement::Prepare(db, sql));
  ASSIGN_OR_RETURN(const bool has_row, statement.Step());
  if (!has_row) {
    return absl::InternalError(absl::StrCat("\"", sql, "\": returned no row"));
  }
  return statement.ColumnInt64(0);
}

}  // namespace greengate::store
