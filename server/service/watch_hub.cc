#include "server/service/watch_hub.h"

#include <algorithm>

namespace greengate::service {

bool WatchFilter::Matches(const v1::Decision& decision) const {
  if (!model.empty() && decision.model() != model) return false;
  if (verdicts.empty()) return true;
  return std::find(verdicts.begin(), verdicts.end(), decision.verdict()) != verdicts.end();
}

WatchSubscription::Next WatchSubscription::Pop(absl::Duration timeout) {
  Next next;
  mu_.LockWhenWithTimeout(absl::Condition(this, &WatchSubscription::Ready), timeout);
  if (!queue_.empty() && state_ != State::kOverflowed) {
    next.decision = std::move(queue_.front());
    queue_.pop_front();
  }
  next.state = state_;
  mu_.Unlock();
  return next;
}

void WatchSubscription::Offer(const std::shared_ptr<const v1::Decision>& decision) {
  if (!filter_.Matches(*decision)) return;
  absl::MutexLock lock(&mu_);
  if (state_ != State::kOpen) return;
  if (queue_.size() >= capacity_) {
    state_ = State::kOverflowed;
    queue_.clear();  // the stream has a gap now; what is queued no longer helps the client
    return;
  }
  queue_.push_back(decision);
}

void WatchSubscription::Close() {
  absl::MutexLock lock(&mu_);
  if (state_ == State::kOpen) state_ = State::kClosed;
}

std::shared_ptr<WatchSubscription> WatchHub::Subscribe(WatchFilter filter) {
  auto subscription = std::make_shared<WatchSubscription>(std::move(filter), capacity_);
  absl::MutexLock lock(&mu_);
  if (closed_) {
    subscription->Close();
  } else {
    subscriptions_.push_back(subscription);
  }
  return subscription;
}

void WatchHub::Unsubscribe(const std::shared_ptr<WatchSubscription>& subscription) {
  absl::MutexLock lock(&mu_);
  subscriptions_.erase(std::remove(subscriptions_.begin(), subscriptions_.end(), subscription),
                       subscriptions_.end());
}

void WatchHub::OnDecision(const v1::Decision& decision, int64_t /*seq*/) {
  // One shared copy for all subscribers (none when nobody watches); the lock is held only
  // for queue pushes.
  absl::MutexLock lock(&mu_);
  if (subscriptions_.empty()) return;
  auto shared = std::make_shared<const v1::Decision>(decision);
  for (const std::shared_ptr<WatchSubscription>& subscription : subscriptions_) {
    subscription->Offer(shared);
  }
}

void WatchHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (const std::shared_ptr<WatchSubscription>& subscription : subscriptions_) {
    subscription->Close();
  }
}

size_t WatchHub::subscriber_count() const {
  absl::MutexLock lock(&mu_);
  return subscriptions_.size();
}

}  // namespace greengate::service
