// GatekeeperService::WatchDecisions: streams the committed decisions the WatchHub is told of
// (the application publishes each to the hub and to the other listeners: alerts, metrics).

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/service/gatekeeper_service.h"
#include "server/service/status_util.h"

namespace greengate::service {
namespace {

// How often a waiting stream checks whether its client has gone away.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(200);

// Unsubscribes when the handler returns, whichever way.
class SubscriptionGuard {
 public:
  SubscriptionGuard(WatchHub* hub, std::shared_ptr<WatchSubscription> s)
      : hub_(hub), subscription_(std::move(s)) {}
  ~SubscriptionGuard() { hub_->Unsubscribe(subscription_); }
  WatchSubscription* operator->() const { return subscription_.get(); }

 private:
  WatchHub* hub_;
  std::shared_ptr<WatchSubscription> subscription_;
};

}  // namespace

absl::StatusOr<WatchFilter> GatekeeperService::ParseWatchFilter(
    const v1::WatchDecisionsRequest& r) {
  WatchFilter filter;
  if (!r.model().empty()) {
    ASSIGN_OR_RETURN(filter.model, app_->FindModelName(r.model(), "model"));
  }
  for (int i = 0; i < r.verdicts_size(); ++i) {
    const v1::Verdict verdict = r.verdicts(i);
    if (verdict != v1::APPROVE && verdict != v1::REJECT && verdict != v1::DEFER) {
      return absl::InvalidArgumentError(
          absl::StrCat("verdicts[", i, "]: must be APPROVE, REJECT or DEFER, got ", verdict));
    }
    filter.verdicts.push_back(verdict);
  }
  return filter;
}

grpc::Status GatekeeperService::WatchDecisions(grpc::ServerContext* context,
                                               const v1::WatchDecisionsRequest* request,
                                               grpc::ServerWriter<v1::Decision>* writer) {
  if (grpc::Status s = Admit(context, "WatchDecisions", *request); !s.ok()) return s;
  absl::StatusOr<WatchFilter> filter = ParseWatchFilter(*request);
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  SubscriptionGuard subscription(watch_hub_, watch_hub_->Subscribe(*std::move(filter)));
  // Initial metadata tells the client the subscription is live: every decision committed
  // after it arrives will be streamed.
  writer->SendInitialMetadata();
  while (!context->IsCancelled()) {
    const WatchSubscription::Next next = subscription->Pop(kCancelPoll);
    if (next.decision != nullptr) {
      // Write blocks only this stream's thread when its client reads slowly; publishers
      // meanwhile queue, and overflow this subscriber if it lags too far.
      if (!writer->Write(*next.decision)) return grpc::Status::CANCELLED;
      continue;
    }
    switch (next.state) {
      case WatchSubscription::State::kOpen:
        break;
      case WatchSubscription::State::kOverflowed:
        return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "subscriber fell too far behind and was dropped; catch up with "
                            "ListDecisions, then watch again");
      case WatchSubscription::State::kClosed:
        return grpc::Status::OK;  // server shutting down
    }
  }
  return grpc::Status::CANCELLED;
}

}  // namespace greengate::service
