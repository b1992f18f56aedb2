#pragma once

// A real greengate server for integration tests: 127.0.0.1:0, a real SQLite file in a fresh
// temp dir (removed on destruction), and a gRPC stub over a real channel.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "server/service/server.h"

namespace greengate::testing {

class LoopbackServer {
 public:
  // `name` tags the temp dir (/tmp/greengate-<name>-XXXXXX).
  explicit LoopbackServer(const std::string& name) {
    std::string tmpl = "/tmp/greengate-" + name + "-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
  }
  ~LoopbackServer() {
    Stop();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Opens (or reopens) the database and starts serving; the listen address is forced to
  // 127.0.0.1:0. Stop() then Start() again restarts on the same database.
  // `channel_credentials` (e.g. TLS for a server given tls_* options) default to insecure.
  absl::Status Start(const Clock* clock, service::ServerOptions options = {},
                     std::shared_ptr<grpc::ChannelCredentials> channel_credentials = nullptr,
                     const store::StoreOptions& store_options = {}) {
    if (dir_.empty()) return absl::InternalError("mkdtemp failed");
    auto store = store::Store::Open(dir_ + "/gg.db", store_options);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    options.listen_address = "127.0.0.1:0";
    auto server =
        service::RunningServer::Start(options, store_.get(), clock, &energy::Tables::Shipped());
    if (!server.ok()) return server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(address(), channel_credentials != nullptr
                                                  ? channel_credentials
                                                  : grpc::InsecureChannelCredentials());
    stub_ = v1::RetrainGatekeeper::NewStub(channel_);
    return absl::OkStatus();
  }

  void Stop() {
    stub_.reset();
    channel_.reset();
    server_.reset();
    store_.reset();
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", server_->port()); }
  const std::string& dir() const { return dir_; }
  v1::RetrainGatekeeper::Stub* stub() const { return stub_.get(); }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  service::RunningServer* server() const { return server_.get(); }
  store::Store* store() const { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub_;
};

}  // namespace greengate::testing
