#include "server/service/server.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace greengate::service {

constexpr char kServiceName[] = "greengate.v1.RetrainGatekeeper";
constexpr int kMaxIdlePollers = 16;

absl::StatusOr<std::unique_ptr<RunningServer>> RunningServer::Start(const ServerOptions& options,
                                                                    store::Store* store,
                                                                    const Clock* clock,
                                                                    const energy::Tables* tables) {
  grpc::EnableDefaultHealthCheckService(true);
  // Referencing the plugin keeps the reflection library from being dropped by --as-needed.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<RunningServer> running(new RunningServer());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options);
  if (!credentials.ok()) return credentials.status();
  running->watch_hub_ = std::make_unique<WatchHub>(options.watch_queue_capacity);
  std::vector<events::DecisionListener*> listeners = {running->watch_hub_.get()};
  if (options.decision_listener != nullptr) listeners.push_back(options.decision_listener);
  running->listeners_ = std::make_unique<events::DecisionFanout>(std::move(listeners));
  running->app_ = std::make_unique<app::Gatekeeper>(store, clock, tables, running->listeners_.get(),
                                                    options.fleet_budget);
  running->service_ = std::make_unique<GatekeeperService>(
      running->app_.get(), running->watch_hub_.get(), options.authenticator);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, *credentials, &running->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // Handlers wait for their decision's commit (milliseconds), so under load many threads are
  // busy at once. gRPC's default keeps at most 2 idle pollers: every other thread exits when
  // its call ends and a new one is created for the next call, a thread start and exit per
  // decision. Keeping more idle pollers keeps those threads.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdlePollers);
  builder.RegisterService(running->service_.get());
  if (options.interceptors) builder.experimental().SetInterceptorCreators(options.interceptors());
  running->server_ = builder.BuildAndStart();
  if (running->server_ == nullptr || running->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address,
                                               " (address in use, or not a host:port?)"));
  }
  if (auto* health = running->server_->GetHealthCheckService()) {
    health->SetServingStatus(kServiceName, true);
  }
  return running;
}

RunningServer::~RunningServer() { Shutdown(absl::ZeroDuration()); }

void RunningServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  watch_hub_->Close();  // streams would otherwise hold Shutdown until `grace` is over
  if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(grace));
}

void RunningServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace greengate::service
