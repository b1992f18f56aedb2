#pragma once

// ServerMetrics: the Prometheus metrics of a greengate server, in one registry.
//
//   greengate_decisions_total{model,verdict}          counter
//   greengate_energy_approved_joules_total            counter  estimated energy of approvals
//   greengate_energy_avoided_joules_total             counter  estimated energy of rejected
//                                                               and deferred requests
//   greengate_co2e_approved_grams_total           counter
//   greengate_rpc_duration_seconds{service,method}    histogram unary RPCs, handler time
//   greengate_alert_outbox_backlog{sink}              gauge    decisions waiting for a sink
//   greengate_build_info{version}                     gauge    always 1
//
// Counters start at zero with the process (Prometheus handles resets); the decision log is
// the durable record. Thread-safe.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "server/events/decision_listener.h"

namespace greengate::metrics {

// The version greengate_build_info reports (the CMake project version).
const char* BuildVersion();

class ServerMetrics final : public events::DecisionListener {
 public:
  ServerMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // Counts a committed decision. Never blocks on I/O.
  void OnDecision(const v1::Decision& decision, int64_t seq) override;
  // `full_method` is gRPC's "/package.Service/Method".
  void ObserveRpc(const std::string& full_method, absl::Duration duration);
  void SetOutboxBacklog(const std::string& sink, int64_t backlog);

  // A factory of server interceptors that time unary RPCs into this object, which must
  // outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Counter& energy_approved_j_;
  prometheus::Counter& energy_avoided_j_;
  prometheus::Counter& co2e_approved_g_;
  prometheus::Family<prometheus::Histogram>& rpc_duration_;
  prometheus::Family<prometheus::Gauge>& backlog_;
};

}  // namespace greengate::metrics
