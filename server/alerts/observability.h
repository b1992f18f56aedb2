#pragma once

// Observability: the server's alerting and metrics, built from its flags and wired into the
// gRPC server as one decision listener and one interceptor. Owns the /metrics endpoint, the
// HTTP client, the alert sinks and the delivery thread. Thread-safe after Start().

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/alerts/dispatcher.h"
#include "server/alerts/http_client.h"
#include "server/common/clock.h"
#include "server/events/decision_listener.h"
#include "server/metrics/endpoint.h"
#include "server/metrics/server_metrics.h"
#include "server/store/store.h"

namespace greengate::alerts {

struct ObservabilityFlags {
  std::string alertmanager_url;                   // "" = no Alertmanager sink
  std::string webhook_url;                        // "" = no webhook sink
  std::string alert_verdicts = "APPROVE,REJECT";  // comma-separated
  absl::Duration alert_resolve_after = absl::Hours(1);
  std::string alert_link_prefix;
  std::string metrics_listen = "127.0.0.1:9464";  // "" = no /metrics
  // When true, a /metrics address that cannot be bound is logged and skipped instead of
  // failing Start: the server's default port may be taken by another instance on the host,
  // which must not stop the gate. An explicitly chosen address stays strict.
  bool metrics_best_effort = false;
  BackoffPolicy backoff;
  absl::Duration poll_interval = absl::Seconds(5);
};

// "APPROVE,REJECT" -> {APPROVE, REJECT}; case-insensitive, spaces ignored. InvalidArgument
// naming `flag` for an unknown verdict.
absl::StatusOr<std::vector<v1::Verdict>> ParseVerdicts(const std::string& list,
                                                       const std::string& flag);

// ValidateObservabilityFlags(): InvalidArgument naming the server flag for a URL that is not
// http(s) (--alertmanager_url, --webhook_url, --alert_link_prefix; empty is allowed), an
// unknown verdict (--alert_verdicts), a negative or infinite --alert_resolve_after_s, or a
// --metrics_listen that is neither empty nor host:port. Creates nothing, so the server runs it
// before opening the database. Thread-safe.
absl::Status ValidateObservabilityFlags(const ObservabilityFlags& flags);

class Observability {
 public:
  // Checks `flags` (ValidateObservabilityFlags), then starts /metrics (Unavailable if it cannot
  // bind) and the alert delivery thread (when a sink is configured). `store` and `clock` must
  // outlive the returned object.
  static absl::StatusOr<std::unique_ptr<Observability>> Start(const ObservabilityFlags& flags,
                                                              store::Store* store,
                                                              const Clock* clock);
  ~Observability();  // stops delivery, then /metrics

  // What the server is wired with (service::ServerOptions decision_listener and
  // interceptors); this object must outlive the server built from them.
  events::DecisionListener* decision_listener() { return fanout_.get(); }
  using InterceptorFactories =
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>;
  std::function<InterceptorFactories()> interceptors();

  // 0 when /metrics is disabled.
  int metrics_port() const { return endpoint_ ? endpoint_->port() : 0; }
  metrics::ServerMetrics* metrics() { return &metrics_; }
  Dispatcher* dispatcher() { return dispatcher_.get(); }  // null without sinks

 private:
  Observability() = default;
  metrics::ServerMetrics metrics_;
  std::unique_ptr<metrics::MetricsEndpoint> endpoint_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<events::DecisionFanout> fanout_;
};

}  // namespace greengate::alerts
