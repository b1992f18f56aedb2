#pragma once

// Dispatcher: delivers decisions from the decision log (the outbox) to alert sinks, in log
// order, each sink behind its own cursor in SQLite that moves only after the sink
// acknowledged. A failed delivery is retried with exponential backoff and jitter; later
// decisions wait behind it (order is kept). Because the cursor is in the database, nothing
// is lost across restarts: a restarted server continues after the last acknowledged decision.
//
// One background thread does the work; it wakes when told of a decision (OnDecision, which
// never blocks) and on a timer, so decisions committed by another process are found too.
// Decisions with a verdict that is not wanted are skipped (the cursor moves past them).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/alerts/backoff.h"
#include "server/alerts/sink.h"
#include "server/common/clock.h"
#include "server/events/decision_listener.h"
#include "server/store/store.h"

namespace greengate::alerts {

struct DispatcherOptions {
  std::vector<v1::Verdict> verdicts = {v1::APPROVE, v1::REJECT};  // which decisions alert
  BackoffPolicy backoff;
  absl::Duration poll_interval = absl::Seconds(5);  // timer wake-up when nothing happens
  int batch = 100;                                  // decisions read per query
};

// What a sink's delivery looks like now (for logs, metrics and tests).
struct SinkStatus {
  std::string sink;
  int64_t last_seq = 0;  // cursor
  int64_t attempts = 0;  // consecutive failures at the next decision
  std::string last_error;
  int64_t backlog = 0;      // wanted decisions after the cursor, as of the last pass
  absl::Time next_attempt;  // not before this time (backoff)
};

// Thread-safe.
class Dispatcher final : public events::DecisionListener {
 public:
  // Opens (creating at the end of the log) each sink's cursor. `store` and `clock` must
  // outlive the dispatcher. `uniform01` supplies jitter in [0, 1); null = a real RNG.
  static absl::StatusOr<std::unique_ptr<Dispatcher>> Create(
      store::Store* store, const Clock* clock, std::vector<std::unique_ptr<AlertSink>> sinks,
      DispatcherOptions options, std::function<double()> uniform01 = nullptr);
  ~Dispatcher() override;  // Stop()

  // Called after every pass with each sink's backlog (metrics). Set before Start().
  void set_backlog_observer(std::function<void(const std::string& sink, int64_t backlog)> f) {
    backlog_observer_ = std::move(f);
  }

  // Starts the delivery thread. At most once.
  void Start();
  // Stops the thread after the delivery in flight (bounded by the HTTP timeout). Idempotent.
  void Stop();

  // Wakes the delivery thread. Never blocks on delivery.
  void OnDecision(const v1::Decision& decision, int64_t seq) override;

  // One delivery pass: every sink that is due sends what is after its cursor, stopping at
  // its first retryable failure. Returns the earliest time a sink in backoff is due again
  // (InfiniteFuture when none is). Used by the thread; tests call it directly.
  absl::Time RunOnce();

  std::vector<SinkStatus> Status() const;

 private:
  struct SinkState {
    std::unique_ptr<AlertSink> sink;
    SinkStatus status;
  };

  Dispatcher(store::Store* store, const Clock* clock, DispatcherOptions options,
             std::function<double()> uniform01);
  void Loop();
  // Delivers for one sink; updates its status.
  void Deliver(SinkState& state);
  absl::Status DeliverBatch(SinkState& state, bool* more);
  bool Wanted(const std::string& verdict) const;

  store::Store* const store_;
  const Clock* const clock_;
  const DispatcherOptions options_;
  std::vector<std::string> verdict_names_;
  std::function<double()> uniform01_;
  std::function<void(const std::string&, int64_t)> backlog_observer_;

  // Sinks are touched only by RunOnce, which the thread (or a test) runs one at a time.
  absl::Mutex run_mu_;
  std::vector<SinkState> sinks_ ABSL_GUARDED_BY(run_mu_);

  mutable absl::Mutex status_mu_;
  std::vector<SinkStatus> published_ ABSL_GUARDED_BY(status_mu_);

  absl::Mutex wake_mu_;
  bool wake_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool stop_ ABSL_GUARDED_BY(wake_mu_) = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace greengate::alerts
