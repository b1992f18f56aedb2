#pragma once

// The schema migration runner. Migrations are SQL scripts named NNNN_name.sql (NNNN = the
// version, four digits), numbered 1, 2, 3, ... without gaps, forward-only. A database's
// version is its PRAGMA user_version. (Not named migrations.h/.cc: the build generates a
// migrations.cc holding the embedded scripts, and the two objects would collide.)

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/common/embedded_file.h"

struct sqlite3;

namespace greengate::store {

// One migration script.
struct Migration {
  int version = 0;   // from the file name: "0002_x.sql" -> 2
  std::string name;  // the file name, for messages
  std::string sql;
};

// ParseMigrations()
//
// Validates the names and returns the migrations sorted by version. Internal when a name is
// not NNNN_name.sql, a version repeats, or the versions are not exactly 1..N (a broken build,
// not a user error). An empty list is valid. Pure and thread-safe.
absl::StatusOr<std::vector<Migration>> ParseMigrations(absl::Span<const EmbeddedFile> files);

// EmbeddedMigrationFiles()
//
// The migrations/*.sql files compiled into this binary, in file name order. Thread-safe.
absl::Span<const EmbeddedFile> EmbeddedMigrationFiles();

// ApplyMigrations()
//
// Brings the database on `db` up to the newest of `migrations` (sorted, as ParseMigrations
// returns them) and returns the resulting schema version. Each pending migration runs in its
// own BEGIN IMMEDIATE transaction together with PRAGMA user_version=N, so a failing script
// leaves the database at the previous version; the version is re-read inside the transaction,
// so two processes migrating at once apply each script once.
// FailedPrecondition when the database is newer than the newest migration; a failing script
// gives its mapped SQLite error, naming the file.
// Not thread-safe for one `db`: the caller serialises use of the connection.
absl::StatusOr<int> ApplyMigrations(sqlite3* db, absl::Span<const Migration> migrations);

}  // namespace greengate::store
