#include "bench/load/driver.h"

#include <chrono>

#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"

namespace greengate::bench {
namespace {

struct Call {
  grpc::ClientContext context;
  v1::Decision response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Decision>> reader;
  int64_t start_ns = 0;
};

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

DriverResult RunDriver(const std::shared_ptr<grpc::Channel>& channel,
                       const std::vector<v1::ShouldRetrainRequest>& requests,
                       const DriverOptions& options) {
  DriverResult result;
  if (requests.empty()) return result;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub = v1::RetrainGatekeeper::NewStub(channel);
  grpc::CompletionQueue cq;
  int64_t started = 0;
  int in_flight = 0;

  const auto may_start = [&](int64_t now_ns) {
    return now_ns < options.stop_ns && (options.max_calls <= 0 || started < options.max_calls);
  };
  const auto start_call = [&](int64_t start_ns) {
    auto* call = new Call;
    call->start_ns = start_ns;
    call->context.set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(options.deadline_s * 1000)));
    call->reader = stub->PrepareAsyncShouldRetrain(
        &call->context, requests[static_cast<size_t>(started) % requests.size()], &cq);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    ++started;
    ++in_flight;
  };
  const auto finish_call = [&](void* tag) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --in_flight;
    CallRecord record{call->start_ns, NowNs(), call->status.ok()};
    result.calls.push_back(record);
    if (call->status.ok()) {
      if (options.keep_names) result.decision_names.push_back(call->response.name());
    } else {
      ++result.errors_by_code[call->status.error_code()];
      if (result.first_error.empty()) result.first_error = call->status.error_message();
    }
  };

  void* tag = nullptr;
  bool ok = false;
  if (options.rate_per_s <= 0) {
    // Closed loop: refill as each call completes.
    for (int i = 0; i < options.concurrency && may_start(NowNs()); ++i) start_call(NowNs());
    while (in_flight > 0 && cq.Next(&tag, &ok)) {
      finish_call(tag);
      const int64_t now = NowNs();
      if (may_start(now)) start_call(now);
    }
  } else {
    // Open loop: the n-th call is due at t0 + n / rate.
    const double interval_ns = 1e9 / options.rate_per_s;
    const int64_t t0 = NowNs();
    int64_t due = 0;  // calls due so far (sent or skipped)
    for (;;) {
      const int64_t next_ns = t0 + static_cast<int64_t>(due * interval_ns);
      const bool sending = may_start(next_ns);
      if (!sending && in_flight == 0) break;
      const auto deadline =
          sending ? std::chrono::system_clock::now() +
                        std::chrono::nanoseconds(std::max<int64_t>(0, next_ns - NowNs()))
                  : std::chrono::system_clock::now() + std::chrono::seconds(3600);
      const grpc::CompletionQueue::NextStatus next = cq.AsyncNext(&tag, &ok, deadline);
      if (next == grpc::CompletionQueue::SHUTDOWN) break;
      if (next == grpc::CompletionQueue::GOT_EVENT) {
        finish_call(tag);
        continue;
      }
      // Send every call that is due by now, each stamped with its scheduled time.
      const int64_t now = NowNs();
      while (true) {
        const int64_t scheduled = t0 + static_cast<int64_t>(due * interval_ns);
        if (scheduled > now || !may_start(scheduled)) break;
        if (in_flight < options.max_in_flight) {
          start_call(scheduled);
        } else {
          ++result.skipped;
        }
        ++due;
      }
    }
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return result;
}

}  // namespace greengate::bench
