#include "server/store/checkpointer.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace greengate::store {

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                                  int busy_timeout_ms,
                                                                  int threshold_frames) {
  if (threshold_frames < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint threshold: must be >= 1 page, got ", threshold_frames));
  }
  ASSIGN_OR_RETURN(DbHandle db, OpenConnection(path, busy_timeout_ms));
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(db), threshold_frames));
  checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->Run(); });
  return checkpointer;
}

Checkpointer::Checkpointer(DbHandle db, int threshold_frames)
    : db_(std::move(db)), threshold_frames_(threshold_frames) {}

Checkpointer::~Checkpointer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    wake_.Signal();
  }
  thread_.join();
}

void Checkpointer::Attach(sqlite3* writer) { sqlite3_wal_hook(writer, &OnCommit, this); }

void Checkpointer::Detach(sqlite3* writer) { sqlite3_wal_hook(writer, nullptr, nullptr); }

int Checkpointer::OnCommit(void* self, sqlite3*, const char*, int wal_frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  absl::MutexLock lock(&checkpointer->mu_);
  checkpointer->wal_frames_ = wal_frames;
  if (wal_frames >= checkpointer->threshold_frames_) checkpointer->wake_.Signal();
  return SQLITE_OK;
}

int64_t Checkpointer::checkpoints() const {
  absl::MutexLock lock(&mu_);
  return checkpoints_;
}

absl::Status Checkpointer::last_status() const {
  absl::MutexLock lock(&mu_);
  return last_status_;
}

void Checkpointer::Run() {
  absl::MutexLock lock(&mu_);
  while (true) {
    while (!stop_ && wal_frames_ < threshold_frames_) wake_.Wait(&mu_);
    if (stop_) return;
    // The next commit reports the WAL's size again; until then this one is handled.
    wal_frames_ = 0;
    mu_.Unlock();
    int log_frames = 0;
    int checkpointed_frames = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &log_frames, &checkpointed_frames);
    // BUSY only means another checkpoint was running; the next threshold retries.
    absl::Status status = rc == SQLITE_OK || rc == SQLITE_BUSY
                              ? absl::OkStatus()
                              : SqliteStatus(db_.get(), "checkpoint of the write-ahead log");
    mu_.Lock();
    ++checkpoints_;
    last_status_ = std::move(status);
  }
}

}  // namespace greengate::store
