#pragma once

// MetricsEndpoint: serves a registry as Prometheus text at http://<address>/metrics, on its
// own port (prometheus-cpp's pull exposer), separate from gRPC.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
}

namespace greengate::metrics {

class MetricsEndpoint {
 public:
  // Listens on `address` ("host:port"; port 0 picks a free one). Unavailable when it cannot
  // bind. The registry is shared and kept alive by the endpoint.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry);
  ~MetricsEndpoint();

  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace greengate::metrics
