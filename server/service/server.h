#pragma once

// Builds and runs the gRPC server over the application (app::Gatekeeper): the gatekeeper
// service, the standard health service
// (grpc.health.v1, "" and "greengate.v1.RetrainGatekeeper") and server reflection.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/app/gatekeeper.h"
#include "server/auth/authenticator.h"
#include "server/common/clock.h"
#include "server/core/energy/tables.h"
#include "server/core/policy/policy.h"
#include "server/events/decision_listener.h"
#include "server/service/gatekeeper_service.h"
#include "server/service/watch_hub.h"
#include "server/store/store.h"

namespace greengate::service {

struct ServerOptions {
  std::string listen_address = "127.0.0.1:50051";  // port 0 picks a free port
  int max_receive_message_bytes = 32 << 20;
  // Told of every committed decision (alerts, metrics); not owned; may be null.
  events::DecisionListener* decision_listener = nullptr;
  // Decisions a WatchDecisions subscriber may lag behind before it is dropped.
  size_t watch_queue_capacity = 256;
  // The operator's energy/carbon budgets over all models (unlimited by default).
  policy::FleetBudget fleet_budget;
  // Makes the server interceptors (e.g. RPC timing for /metrics); may be empty.
  std::function<
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()>
      interceptors;
  // --- Authentication and TLS ---
  // Requires a bearer token with the method's role on every RetrainGatekeeper call; null
  // serves everyone (health and reflection never need a token). Not owned.
  const auth::Authenticator* authenticator = nullptr;
  // PEM files. With tls_cert_file and tls_key_file the server speaks TLS only; adding
  // tls_client_ca_file requires every client to present a certificate signed by that CA
  // (mutual TLS). All empty: plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

// The server credentials `options` ask for: TLS, mutual TLS, or insecure. InvalidArgument for
// half a key pair or a client CA without a certificate; NotFound/PermissionDenied naming the
// file when a PEM file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerOptions& options);

class RunningServer {
 public:
  // Starts serving. Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RunningServer>> Start(const ServerOptions& options,
                                                              store::Store* store,
                                                              const Clock* clock,
                                                              const energy::Tables* tables);
  ~RunningServer();

  int port() const { return port_; }
  // Watch streams end first (with OK), then health goes NOT_SERVING (load balancers stop
  // sending), then in-flight calls get up to `grace` to finish before they are cancelled.
  // Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();

 private:
  RunningServer() = default;
  // Built in this order and destroyed in reverse: the service calls the application, which
  // tells the fan-out (the watch hub, then options.decision_listener) of its decisions.
  std::unique_ptr<WatchHub> watch_hub_;
  std::unique_ptr<events::DecisionFanout> listeners_;
  std::unique_ptr<app::Gatekeeper> app_;
  std::unique_ptr<GatekeeperService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace greengate::service
