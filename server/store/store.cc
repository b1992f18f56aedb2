// Store: opening, models, references and policies. The decision log is in decisions.cc.

#include "server/store/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/store/checkpointer.h"
#include "server/store/migration_runner.h"
#include "server/store/sqlite.h"

namespace greengate::store {
namespace {

constexpr absl::string_view kModelColumns =
    "id, model_id, display_name, deployed_version, task, create_time_ms, update_time_ms";
// length(profile_pb) reads only the value's size, not its megabytes: ReadReference reads
// those with ReadBlob.
constexpr absl::string_view kReferenceColumns =
    "id, model_id, model_version, profile, accuracy, evaluation_rows, create_time_ms, "
    "length(profile_pb)";
constexpr absl::string_view kPolicyColumns = "model_id, version, policy, create_time_ms";

ModelRow ReadModel(const Statement& s) {
  ModelRow row;
  row.id = s.ColumnInt64(0);
  row.model_id = s.ColumnText(1);
  row.display_name = s.ColumnText(2);
  row.deployed_version = s.ColumnText(3);
  row.task = s.ColumnText(4);
  row.create_time_ms = s.ColumnInt64(5);
  row.update_time_ms = s.ColumnInt64(6);
  return row;
}

// Reads the profile from `db`, within the read of `s`.
absl::StatusOr<ReferenceRow> ReadReference(sqlite3* db, const Statement& s) {
  ReferenceRow row;
  row.id = s.ColumnInt64(0);
  row.model_id = s.ColumnInt64(1);
  row.model_version = s.ColumnText(2);
  if (!s.ColumnIsNull(4)) row.accuracy = s.ColumnDouble(4);
  row.evaluation_rows = s.ColumnInt64(5);
  row.create_time_ms = s.ColumnInt64(6);
  row.profile_is_text = s.ColumnIsNull(7);  // written before schema version 8
  if (row.profile_is_text) {
    row.profile = s.ColumnText(3);
  } else {
    ASSIGN_OR_RETURN(row.profile, ReadBlob(db, "model_references", "profile_pb", row.id));
  }
  return row;
}

PolicyRow ReadPolicy(const Statement& s) {
  PolicyRow row;
  row.model_id = s.ColumnInt64(0);
  row.version = s.ColumnInt64(1);
  row.policy = s.ColumnText(2);
  row.create_time_ms = s.ColumnInt64(3);
  return row;
}

absl::Status UnknownModel(int64_t model_id) {
  return absl::NotFoundError(absl::StrCat("model id ", model_id, " not found"));
}

}  // namespace

namespace {

// flock() on "<path>.lock" (not on the database file, whose POSIX locks are SQLite's own; the
// two kinds are independent on Linux). Returns the descriptor holding the lock.
absl::StatusOr<int> LockExclusively(const std::string& path) {
  const std::string lock_path = path + ".lock";
  const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open lock file \"", lock_path, "\": ", std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("database \"", path, "\" is in use by another greengate-server (", lock_path,
                       " is locked); run one server per database"));
    }
    return absl::InternalError(
        absl::StrCat("cannot lock \"", lock_path, "\": ", std::strerror(error)));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  int lock_fd = -1;
  if (options.exclusive) {
    ASSIGN_OR_RETURN(lock_fd, LockExclusively(path));
  }
  // Closes the lock if opening fails below; the Store takes it over otherwise.
  absl::Cleanup unlock = [&lock_fd] {
    if (lock_fd >= 0) close(lock_fd);
  };
  ASSIGN_OR_RETURN(const std::vector<Migration> migrations,
                   ParseMigrations(EmbeddedMigrationFiles()));
  ASSIGN_OR_RETURN(DbHandle db, OpenConnection(path, options.busy_timeout_ms));
  ASSIGN_OR_RETURN(const int version, ApplyMigrations(db.get(), migrations));
  // The reader is opened after the migrations, so it never sees an older schema.
  ASSIGN_OR_RETURN(DbHandle read_db, OpenConnection(path, options.busy_timeout_ms));
  RETURN_IF_ERROR(ExecScript(read_db.get(), "PRAGMA query_only=ON", "reader connection"));
  ASSIGN_OR_RETURN(
      std::unique_ptr<Checkpointer> checkpointer,
      Checkpointer::Start(path, options.busy_timeout_ms, options.wal_checkpoint_frames));
  checkpointer->Attach(db.get());
  std::unique_ptr<Store> store(new Store(db.release(), read_db.release(), std::move(checkpointer)));
  store->schema_version_ = version;
  store->lock_fd_ = std::exchange(lock_fd, -1);
  return store;
}

Store::Store(sqlite3* db, sqlite3* read_db, std::unique_ptr<Checkpointer> checkpointer)
    : db_(db),
      statements_(std::make_unique<StatementCache>(db)),
      read_db_(read_db),
      read_statements_(std::make_unique<StatementCache>(read_db)),
      checkpointer_(std::move(checkpointer)) {}

Store::~Store() {
  // Cached statements are finalized before their connections close.
  statements_.reset();
  read_statements_.reset();
  Checkpointer::Detach(db_);
  checkpointer_.reset();
  SqliteCloser()(read_db_);
  SqliteCloser()(db_);
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the lock
}

absl::StatusOr<Statement> Store::Prepare(absl::string_view sql) { return statements_->Get(sql); }

absl::StatusOr<Statement> Store::PrepareRead(absl::string_view sql) {
  return read_statements_->Get(sql);
}

int Store::schema_version() const { return schema_version_; }  // constant after Open

int64_t Store::wal_checkpoints() const { return checkpointer_->checkpoints(); }

absl::StatusOr<ModelRow> Store::CreateModel(const ModelRow& model) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(Statement insert,
                   Prepare("INSERT INTO models (model_id, display_name, "
                           "deployed_version, task, create_time_ms, update_time_ms) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  insert.BindText(1, model.model_id);
  insert.BindText(2, model.display_name);
  insert.BindText(3, model.deployed_version);
  insert.BindText(4, model.task);
  insert.BindInt64(5, model.create_time_ms);
  insert.BindInt64(6, model.update_time_ms);
  if (const absl::Status status = insert.Run(); !status.ok()) {
    if (absl::IsAlreadyExists(status)) {
      return absl::AlreadyExistsError(
          absl::StrCat("model \"", model.model_id, "\" already exists"));
    }
    return status;
  }
  ModelRow row = model;
  row.id = sqlite3_last_insert_rowid(db_);
  RETURN_IF_ERROR(transaction.Commit());
  return row;
}

absl::StatusOr<ModelRow> Store::GetModel(const std::string& model_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareRead(absl::StrCat("SELECT ", kModelColumns,
                                                              " FROM models WHERE model_id = ?1")));
  select.BindText(1, model_id);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("model \"", model_id, "\" not found"));
  return ReadModel(select);
}

absl::StatusOr<std::vector<ModelRow>> Store::ListModels() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareRead(absl::StrCat("SELECT ", kModelColumns,
                                                              " FROM models ORDER BY model_id")));
  std::vector<ModelRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) break;
    rows.push_back(ReadModel(select));
  }
  return rows;
}

absl::StatusOr<ReferenceRow> Store::PutReference(ReferenceRow reference,
                                                 const std::optional<ReferenceScoresRow>& scores) {
  std::string profile = std::move(reference.profile);
  ASSIGN_OR_RETURN(reference,
                   PutReference(std::move(reference), StringBlobSource(profile), scores));
  reference.profile = std::move(profile);
  return reference;
}

absl::StatusOr<ReferenceRow> Store::PutReference(ReferenceRow reference, const BlobSource& profile,
                                                 const std::optional<ReferenceScoresRow>& scores) {
  reference.profile.clear();
  reference.profile_is_text = false;
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(Statement insert,
                   Prepare("INSERT INTO model_references (model_id, model_version, "
                           "profile, accuracy, evaluation_rows, create_time_ms, profile_pb, "
                           "approved_by_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  insert.BindInt64(1, reference.model_id);
  insert.BindText(2, reference.model_version);
  // The profile's space is reserved here and filled in place below: bound whole, SQLite
  // would copy its megabytes into a record first.
  insert.BindText(3, "");
  insert.BindZeroBlob(7, profile.size());
  if (reference.accuracy.has_value()) {
    insert.BindDouble(4, *reference.accuracy);
  } else {
    insert.BindNull(4);
  }
  insert.BindInt64(5, reference.evaluation_rows);
  insert.BindInt64(6, reference.create_time_ms);
  if (reference.approved_by_seq) {
    insert.BindInt64(8, *reference.approved_by_seq);
  } else {
    insert.BindNull(8);
  }
  if (const absl::Status status = insert.Run(); !status.ok()) {
    if (insert.error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      if (reference.approved_by_seq) {
        return absl::NotFoundError(absl::StrCat("model id ", reference.model_id,
                                                " or decision seq ", *reference.approved_by_seq,
                                                " not found"));
      }
      return UnknownModel(reference.model_id);
    }
    return status;
  }
  reference.id = sqlite3_last_insert_rowid(db_);
  RETURN_IF_ERROR(WriteBlob(db_, "model_references", "profile_pb", reference.id, profile.size(),
                            [&profile](BlobAppend append) { return profile.WriteTo(append); }));
  if (scores) {
    ASSIGN_OR_RETURN(Statement insert_scores,
                     Statement::Prepare(db_,
                                        "INSERT INTO reference_scores (reference_id, scores, "
                                        "calibrated, calibration_detail) VALUES (?1, ?2, ?3, ?4)"));
    insert_scores.BindInt64(1, reference.id);
    insert_scores.BindText(2, scores->scores);
    insert_scores.BindInt64(3, scores->calibrated ? 1 : 0);
    insert_scores.BindText(4, scores->calibration_detail);
    RETURN_IF_ERROR(insert_scores.Run());
  }

  // The reference's version is now the deployed one: a retrain lands in this one transaction.
  ASSIGN_OR_RETURN(Statement touch, Prepare("UPDATE models SET update_time_ms = ?1, "
                                            "deployed_version = ?3 WHERE id = ?2"));
  touch.BindInt64(1, reference.create_time_ms);
  touch.BindInt64(2, reference.model_id);
  touch.BindText(3, reference.model_version);
  RETURN_IF_ERROR(touch.Run());
  RETURN_IF_ERROR(transaction.Commit());
  // The profile's pages now fill this connection's page cache (megabytes, clean), where
  // nothing will read them: the service keeps the parsed reference. Freeing them lets the
  // next calls reuse that memory; the few hot pages decisions use are read back cheaply.
  sqlite3_db_release_memory(db_);
  return reference;
}

absl::StatusOr<ReferenceRow> Store::GetLatestReference(int64_t model_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead(absl::StrCat("SELECT ", kReferenceColumns,
                                            " FROM model_references WHERE "
                                            "model_id = ?1 ORDER BY id DESC LIMIT 1")));
  select.BindInt64(1, model_id);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("model id ", model_id, " has no reference"));
  }
  return ReadReference(read_db_, select);
}

absl::StatusOr<std::vector<VersionRow>> Store::ListVersions(int64_t model_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead("SELECT id, model_version, accuracy, create_time_ms, "
                               "approved_by_seq FROM model_references WHERE model_id = ?1 "
                               "ORDER BY id"));
  select.BindInt64(1, model_id);
  std::vector<VersionRow> versions;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, select.Step());
    if (!has_row) break;
    const std::string version = select.ColumnText(1);
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](const VersionRow& v) { return v.model_version == version; });
    if (it == versions.end()) {
      VersionRow row;
      row.model_version = version;
      row.first_reference_id = select.ColumnInt64(0);
      row.deploy_time_ms = select.ColumnInt64(3);
      versions.push_back(std::move(row));
      it = versions.end() - 1;
    }
    it->accuracy =
        select.ColumnIsNull(2) ? std::nullopt : std::optional<double>(select.ColumnDouble(2));
    if (!select.ColumnIsNull(4)) it->approved_by_seq = select.ColumnInt64(4);
  }
  return versions;
}

absl::StatusOr<int64_t> Store::GetLatestReferenceId(int64_t model_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select,
                   PrepareRead("SELECT MAX(id) FROM model_references WHERE model_id = ?1"));
  select.BindInt64(1, model_id);
  ASSIGN_OR_RETURN(const bool has_row, select.Step());  // an aggregate always has one row
  if (!has_row || select.ColumnIsNull(0)) {
    return absl::NotFoundError(absl::StrCat("model id ", model_id, " has no reference"));
  }
  return select.ColumnInt64(0);
}

absl::StatusOr<PolicyRow> Store::PutPolicy(const PolicyRow& policy) {
  absl::MutexLock lock(&mu_);
  // The write lock taken by BEGIN IMMEDIATE makes max+1 race-free across processes too.
  ASSIGN_OR_RETURN(WriteTransaction transaction, WriteTransaction::Begin(db_));
  ASSIGN_OR_RETURN(Statement next, Prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM policies "
                                           "WHERE model_id = ?1"));
  next.BindInt64(1, policy.model_id);
  ASSIGN_OR_RETURN(const bool has_row, next.Step());  // an aggregate always has one row
  PolicyRow row = policy;
  row.version = has_row ? next.ColumnInt64(0) : 1;

  ASSIGN_OR_RETURN(Statement insert, Prepare("INSERT INTO policies (model_id, version, policy, "
                                             "create_time_ms) VALUES (?1, ?2, ?3, ?4)"));
  insert.BindInt64(1, row.model_id);
  insert.BindInt64(2, row.version);
  insert.BindText(3, row.policy);
  insert.BindInt64(4, row.create_time_ms);
  if (const absl::Status status = insert.Run(); !status.ok()) {
    if (insert.error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) return UnknownModel(row.model_id);
    return status;
  }
  RETURN_IF_ERROR(transaction.Commit());
  return row;
}

absl::StatusOr<std::optional<PolicyRow>> Store::GetLatestPolicy(int64_t model_id) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareRead(absl::StrCat("SELECT ", kPolicyColumns,
                                                              " FROM policies WHERE model_id = ?1 "
                                                              "ORDER BY version DESC LIMIT 1")));
  select.BindInt64(1, model_id);
  ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return std::optional<PolicyRow>();
  return std::optional<PolicyRow>(ReadPolicy(select));
}

}  // namespace greengate::store
