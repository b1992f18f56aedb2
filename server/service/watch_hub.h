#pragma once

// WatchHub: fans committed decisions out to WatchDecisions subscribers. Each subscriber has a
// bounded queue; publishing never waits for a subscriber. A subscriber whose queue is full
// when a decision arrives is marked overflowed and gets nothing more (its stream then ends
// with RESOURCE_EXHAUSTED), so one slow or vanished client costs the others nothing.

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "greengate/v1/greengate.pb.h"
#include "server/events/decision_listener.h"

namespace greengate::service {

// Which decisions a subscriber wants. Empty fields match everything.
struct WatchFilter {
  std::string model;                  // "models/{model_id}", or "" for all models
  std::vector<v1::Verdict> verdicts;  // any of these, or empty for all verdicts
  bool Matches(const v1::Decision& decision) const;
};

// One subscriber's queue. Thread-safe: the hub offers from RPC threads, the stream handler
// pops from its own thread.
class WatchSubscription {
 public:
  enum class State { kOpen, kOverflowed, kClosed };
  struct Next {
    std::shared_ptr<const v1::Decision> decision;  // null when none arrived in time
    State state = State::kOpen;                    // meaningful when decision is null
  };

  WatchSubscription(WatchFilter filter, size_t capacity)
      : filter_(std::move(filter)), capacity_(capacity) {}

  // Waits up to `timeout` for a decision. Queued decisions are still returned after Close();
  // after an overflow nothing more is (the queue is dropped: the stream is already incomplete).
  Next Pop(absl::Duration timeout);

 private:
  friend class WatchHub;
  void Offer(const std::shared_ptr<const v1::Decision>& decision);
  void Close();
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || state_ != State::kOpen;
  }

  const WatchFilter filter_;
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<std::shared_ptr<const v1::Decision>> queue_ ABSL_GUARDED_BY(mu_);
  State state_ ABSL_GUARDED_BY(mu_) = State::kOpen;
};

// Thread-safe.
class WatchHub final : public events::DecisionListener {
 public:
  // `queue_capacity`: decisions a subscriber may lag behind before it is dropped (>= 1).
  explicit WatchHub(size_t queue_capacity) : capacity_(queue_capacity < 1 ? 1 : queue_capacity) {}

  // A new subscription; already closed when the hub is closed. Call Unsubscribe when done.
  std::shared_ptr<WatchSubscription> Subscribe(WatchFilter filter);
  void Unsubscribe(const std::shared_ptr<WatchSubscription>& subscription);

  // Offers the decision to every matching subscriber. Never blocks on a subscriber.
  void OnDecision(const v1::Decision& decision, int64_t seq) override;

  // Ends every subscription (server shutdown). Idempotent.
  void Close();

  size_t subscriber_count() const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<WatchSubscription>> subscriptions_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace greengate::service
