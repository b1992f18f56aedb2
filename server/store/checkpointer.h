#pragma once

// Checkpointer: moves committed pages from the write-ahead log into the database file on its
// own thread and connection.
//
// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that one
// decision then waits for a thousand page writes and an fsync of the database file on top of
// its own WAL fsync (the p99 of a loaded server). With the writer's automatic checkpoint
// replaced by this hook, a commit only appends to the WAL; the checkpoint runs beside it
// (PASSIVE: it never blocks the writer or readers, and copies what no reader still needs).

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/store/sqlite.h"

namespace greengate::store {

class Checkpointer {
 public:
  // Opens its own connection to `path` and starts the thread. Checkpoints once the WAL holds
  // at least `threshold_frames` pages (SQLite's own default is 1000).
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                             int busy_timeout_ms,
                                                             int threshold_frames);
  // Stops the thread (an ongoing checkpoint finishes first) and closes the connection.
  ~Checkpointer();

  // Makes `writer` hand its checkpoints to this checkpointer instead of running them in its
  // commits (sqlite3_wal_hook, which also turns the writer's automatic checkpoint off).
  // `writer` must not commit after this object is destroyed, or must be detached first.
  void Attach(sqlite3* writer);
  static void Detach(sqlite3* writer);

  // Checkpoints run so far, and the status of the latest (Ok before the first). Thread-safe.
  int64_t checkpoints() const;
  absl::Status last_status() const;

 private:
  Checkpointer(DbHandle db, int threshold_frames);
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_frames);
  void Run();

  DbHandle db_;  // used only by the thread
  const int threshold_frames_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  int wal_frames_ ABSL_GUARDED_BY(mu_) = 0;  // WAL size reported by the latest commit
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int64_t checkpoints_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status last_status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace greengate::store
