#pragma once

// A thin RAII layer over the SQLite C API: an owning connection handle, prepared statements
// that finalize themselves, a BEGIN IMMEDIATE transaction that rolls back unless committed,
// and the one mapping from SQLite result codes to absl::Status.
//
// Thread-safety: a connection is opened without SQLite's own mutex (SQLITE_OPEN_NOMUTEX), so
// a connection and every Statement / WriteTransaction on it must be used by one thread at a
// time; the Store serialises with its own mutex.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace greengate::store {

// Closes a connection with sqlite3_close_v2.
struct SqliteCloser {
  void operator()(sqlite3* db) const;
};

// An owned connection.
using DbHandle = std::unique_ptr<sqlite3, SqliteCloser>;

// SqliteStatus()
//
// Maps an SQLite (extended) result code to a Status whose message starts with `context`:
// BUSY/LOCKED -> Unavailable, FULL -> ResourceExhausted, CONSTRAINT_UNIQUE and
// CONSTRAINT_PRIMARYKEY -> AlreadyExists (the message names the duplicated columns as SQLite
// reports them), everything else -> Internal with `errmsg`. OK for SQLITE_OK/ROW/DONE.
// Pure and thread-safe.
absl::Status SqliteStatus(int extended_code, absl::string_view errmsg, absl::string_view context);

// The same, taking the code and message from the connection's last error.
absl::Status SqliteStatus(sqlite3* db, absl::string_view context);

// OpenConnection()
//
// Opens (creating if needed) the database file at `path` in multi-thread mode (no SQLite
// mutex) and sets the per-connection settings every open needs: journal_mode=WAL (verified to
// be "wal"), synchronous=FULL (a commit survives power loss), foreign_keys=ON (verified),
// recursive_triggers=ON (so INSERT OR REPLACE cannot bypass DELETE triggers) and a busy
// timeout of `busy_timeout_ms` milliseconds. Does not touch the schema.
// Thread-safe (returns an independent connection).
absl::StatusOr<DbHandle> OpenConnection(const std::string& path, int busy_timeout_ms);

// ExecScript()
//
// Runs `sql`, which may hold several statements, with sqlite3_exec. Only for fixed SQL text
// written by us (migrations, transaction control), never for SQL holding caller values.
absl::Status ExecScript(sqlite3* db, const std::string& sql, absl::string_view context);

// A prepared statement, finalized on destruction. Movable, not copyable.
//
// Bind* use 1-based parameter indexes (?1, ?2, ...) and copy their values. A failed bind is a
// programmer error reported by the next Step / Run, so call sites can bind without checks.
class Statement {
 public:
  // Prepares one statement; Internal when `sql` does not compile.
  static absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void BindInt64(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindText(int index, absl::string_view value);
  void BindNull(int index);
  // A BLOB of `bytes` zero bytes, written without allocating them: reserves the space that
  // WriteBlob() then fills in place (a large value bound whole would be copied into the
  // record first).
  void BindZeroBlob(int index, int64_t bytes);

  // Advances: true when a row is available, false when done, else the mapped error.
  absl::StatusOr<bool> Step();
  // Steps once and expects no row (INSERT, UPDATE, DDL).
  absl::Status Run();

  // Columns of the current row; 0-based, as in the C API.
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

  // The extended result code of the last failed Step (SQLITE_OK if none), so callers can
  // give a precise message for a specific constraint.
  int error_code() const { return error_code_; }
  // The SQLite message of the last failed Step ("" if none).
  const std::string& error_message() const { return error_message_; }

 private:
  friend class StatementCache;
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool borrowed = false)
      : db_(db), stmt_(stmt), borrowed_(borrowed) {}
  void NoteBind(int rc, int index);
  void Release();  // finalizes an owned statement, resets a borrowed one

  sqlite3* db_ = nullptr;         // not owned
  sqlite3_stmt* stmt_ = nullptr;  // owned, or borrowed from a StatementCache
  bool borrowed_ = false;
  absl::Status bind_status_;  // first failed bind
  int error_code_ = 0;
  std::string error_message_;
};

// Prepared statements kept for the life of a connection, keyed by their SQL text, so a hot
// query is compiled once instead of on every call. Get() lends the cached statement as a
// Statement that resets it (and clears its bindings) when destroyed instead of finalizing
// it. Not thread-safe: guarded with the connection. A statement must not be borrowed twice at
// once (no caller nests the same query). Destroy the cache before closing the connection.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql`, prepared on first use; Internal when `sql` does not compile.
  absl::StatusOr<Statement> Get(absl::string_view sql);

 private:
  sqlite3* db_;                                                 // not owned
  absl::flat_hash_map<std::string, sqlite3_stmt*> statements_;  // owned
};

// A write transaction: BEGIN IMMEDIATE takes the write lock up front, so a conflict waits for
// busy_timeout instead of failing on the upgrade from read to write. Rolls back on
// destruction unless Commit() succeeded. Movable, not copyable.
class WriteTransaction {
 public:
  // Unavailable when another connection holds the write lock past busy_timeout.
  static absl::StatusOr<WriteTransaction> Begin(sqlite3* db);

  WriteTransaction(WriteTransaction&& other) noexcept;
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();

  // Commits; on failure the transaction is still open and is rolled back on destruction.
  absl::Status Commit();

 private:
  explicit WriteTransaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;  // not owned; null once committed or moved from
};

// WriteBlob() / ReadBlob()
//
// Incremental BLOB I/O on column `column` of the row `rowid` of `table`, page by page through
// the page cache (or the file), without the copy of the whole value SQLite makes to bind or
// return one. WriteBlob fills a value whose size is already `size` bytes (e.g. reserved with
// BindZeroBlob): `fill` is called once with an `append` function taking consecutive pieces,
// and must append exactly `size` bytes. ReadBlob returns the whole value. Call inside the
// transaction that wrote, or a statement that read, the row. Internal when there is no such
// row, the value is not a BLOB of that size, or `fill` appends more or fewer bytes; `fill`'s
// own error is returned as is.
using BlobAppend = absl::FunctionRef<absl::Status(absl::string_view piece)>;
absl::Status WriteBlob(sqlite3* db, const char* table, const char* column, int64_t rowid,
                       int64_t size, absl::FunctionRef<absl::Status(BlobAppend)> fill);
absl::StatusOr<std::string> ReadBlob(sqlite3* db, const char* table, const char* column,
                                     int64_t rowid);

// QueryInt64()
//
// Runs a statement without parameters that returns one integer (e.g. "PRAGMA user_version").
absl::StatusOr<int64_t> QueryInt64(sqlite3* db, absl::string_view sql);

}  // namespace greengate::store
