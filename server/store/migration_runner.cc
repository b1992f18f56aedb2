#include "server/store/migration_runner.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/store/sqlite.h"

// Generated from migrations/*.sql by cmake/Embed.cmake (see server/store/CMakeLists.txt).
namespace greengate::store::embedded {
extern const ::greengate::EmbeddedFile kMigrations[];
extern const int kMigrations_count;
}  // namespace greengate::store::embedded

namespace greengate::store {
namespace {

constexpr int kVersionDigits = 4;

// "0012_add_outbox.sql" -> 12; Internal unless the name is NNNN_<something>.sql.
absl::StatusOr<int> VersionFromName(const std::string& name) {
  const auto bad = [&name] {
    return absl::InternalError(
        absl::StrCat("migration file name \"", name, "\" is not NNNN_name.sql (four digits)"));
  };
  constexpr absl::string_view kSuffix = ".sql";
  if (name.size() < kVersionDigits + 2 + kSuffix.size() || name[kVersionDigits] != '_' ||
      !absl::EndsWith(name, kSuffix)) {
    return bad();
  }
  int version = 0;
  for (int i = 0; i < kVersionDigits; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(name[i]))) return bad();
    version = version * 10 + (name[i] - '0');
  }
  return version;
}

absl::Status CheckNotNewer(int64_t current, int latest) {
  if (current < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema version ", current, " is invalid"));
  }
  if (current > latest) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema version ", current, " is newer than this greengate ",
                     "(knows up to ", latest, "); upgrade greengate"));
  }
  return absl::OkStatus();
}

// Runs one migration and records its version, both in one transaction. Returns the version
// the database is at afterwards.
absl::StatusOr<int64_t> ApplyOne(sqlite3* db, const Migration& migration, int latest) {
  const std::string context = absl::StrCat("migration ", migration.name);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db));
  // Another process may have migrated while this one waited for the write lock.
  ASSIGN_OR_RETURN(const int64_t current, QueryInt64(db, "PRAGMA user_version"));
  RETURN_IF_ERROR(CheckNotNewer(current, latest));
  if (migration.version <= current) return current;  // nothing written; rolls back
  if (migration.version != current + 1) {
    return absl::InternalError(absl::StrCat(context, ": database is at version ", current,
                                            ", migrations must be applied in order"));
  }
  RETURN_IF_ERROR(ExecScript(db, migration.sql, context));
  if (sqlite3_get_autocommit(db) != 0) {
    return absl::InternalError(context + ": the script must not end the transaction");
  }
  // PRAGMA takes no bound parameters; the value is our own integer, never caller input.
  RETURN_IF_ERROR(ExecScript(db, absl::StrCat("PRAGMA user_version=", migration.version), context));
  RETURN_IF_ERROR(transaction.Commit());
  return migration.version;
}

}  // namespace

absl::StatusOr<std::vector<Migration>> ParseMigrations(absl::Span<const EmbeddedFile> files) {
  std::vector<Migration> migrations;
  migrations.reserve(files.size());
  for (const EmbeddedFile& file : files) {
    Migration migration;
    migration.name = file.name;
    ASSIGN_OR_RETURN(migration.version, VersionFromName(migration.name));
    migration.sql = file.contents;
    migrations.push_back(std::move(migration));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 0; i < migrations.size(); ++i) {
    const int expected = static_cast<int>(i) + 1;
    if (migrations[i].version != expected) {
      return absl::InternalError(absl::StrCat(
          "migration ", migrations[i].name, " has version ", migrations[i].version, ", expected ",
          expected, ": versions must run 1, 2, ... without gaps or repeats"));
    }
  }
  return migrations;
}

absl::Span<const EmbeddedFile> EmbeddedMigrationFiles() {
  return absl::MakeConstSpan(embedded::kMigrations,
                             static_cast<size_t>(embedded::kMigrations_count));
}

absl::StatusOr<int> ApplyMigrations(sqlite3* db, absl::Span<const Migration> migrations) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  // Read outside a transaction first, so an up-to-date database opens without the write lock.
  ASSIGN_OR_RETURN(int64_t current, QueryInt64(db, "PRAGMA user_version"));
  RETURN_IF_ERROR(CheckNotNewer(current, latest));
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    ASSIGN_OR_RETURN(current, ApplyOne(db, migration, latest));
  }
  return static_cast<int>(current);
}

}  // namespace greengate::store
