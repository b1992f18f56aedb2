#pragma once

// The load generator: asynchronous ShouldRetrain calls on one gRPC completion queue per
// client thread, either closed loop (a fixed number in flight: a new call as soon as one
// completes) or open loop (calls sent at fixed intervals whatever the responses; latency is
// measured from the scheduled send time, so a stalled server is not hidden by the client
// waiting for it). Thread-safe: Run() may be called from several threads on distinct
// drivers.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/channel.h"

namespace greengate::bench {

// What one call did; times in nanoseconds of std::chrono::steady_clock.
struct CallRecord {
  int64_t start_ns = 0;  // scheduled send (open loop) or actual send (closed loop)
  int64_t end_ns = 0;
  bool ok = false;
};

struct DriverOptions {
  int concurrency = 16;       // closed loop: calls in flight
  double rate_per_s = 0;      // > 0: open loop at this rate
  int max_in_flight = 10000;  // open loop: sends beyond this are skipped and counted
  int64_t stop_ns = 0;        // steady_clock time after which no call is started
  int64_t max_calls = 0;      // > 0: start at most this many calls
  bool keep_names = false;    // remember the name of every decision returned
  double deadline_s = 60;     // per call
};

struct DriverResult {
  std::vector<CallRecord> calls;
  absl::flat_hash_map<int, int64_t> errors_by_code;  // grpc::StatusCode -> calls
  std::string first_error;
  std::vector<std::string> decision_names;  // when keep_names
  int64_t skipped = 0;                      // open loop: sends over max_in_flight
};

// Sends `requests` in turn (cycling) on `channel` until options.stop_ns or max_calls, then
// waits for the calls in flight.
DriverResult RunDriver(const std::shared_ptr<grpc::Channel>& channel,
                       const std::vector<v1::ShouldRetrainRequest>& requests,
                       const DriverOptions& options);

// Now on std::chrono::steady_clock, in nanoseconds.
int64_t NowNs();

}  // namespace greengate::bench
