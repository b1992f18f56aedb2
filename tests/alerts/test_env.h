#pragma once

// Helpers for tests that run real external programs (Alertmanager, Prometheus, promtool) on
// loopback: temp dirs, free ports, child processes, bounded polling, and an in-process
// greengate server with its alerting and metrics wired as greengate-server wires them.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/alerts/http_client.h"
#include "server/alerts/observability.h"
#include "server/service/server.h"
#include "tests/common/spawn.h"
#include "tests/service/gate_calls.h"
#include "tests/service/test_profiles.h"

namespace greengate::alerts::testing {

inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

// A port that was free a moment ago (bind to 0, read it, close). Good enough on loopback.
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A child process with output in `log`; SIGTERM then wait on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::string& log) {
    pid_ = greengate::testing::Spawn(binary, args, log, log);
  }
  ~ChildProcess() { Stop(); }
  bool started() const { return pid_ > 0; }
  // Exit status, after waiting for the process to end by itself.
  int Wait() {
    int status = 0;
    if (pid_ > 0) waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Polls `done` every 100 ms for up to `limit`. Returns whether it became true.
inline bool WaitFor(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(60)) {
  const absl::Time end = absl::Now() + limit;
  while (absl::Now() < end) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return done();
}

// GET url -> body when 200, else "".
inline std::string HttpGet(const std::string& url) {
  CurlHttpClient http(absl::Seconds(5), 16 << 20);
  absl::StatusOr<HttpResponse> r = http.Get(url);
  return r.ok() && r->status == 200 ? r->body : "";
}

// An in-process greengate server with Observability, as greengate-server builds it.
class GreengateHarness {
 public:
  explicit GreengateHarness(const std::string& dir, ObservabilityFlags flags) {
    auto store = store::Store::Open(dir + "/gg.db");
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return;
    store_ = std::move(*store);
    auto o = Observability::Start(flags, store_.get(), &clock_);
    EXPECT_TRUE(o.ok()) << o.status();
    if (!o.ok()) return;
    observability_ = std::move(*o);
    service::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.decision_listener = observability_->decision_listener();
    options.interceptors = observability_->interceptors();
    auto server =
        service::RunningServer::Start(options, store_.get(), &clock_, &energy::Tables::Shipped());
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return;
    server_ = std::move(*server);
    stub_ = v1::RetrainGatekeeper::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }
  ~GreengateHarness() {
    stub_.reset();
    server_.reset();
    observability_.reset();
    store_.reset();
  }
  bool ok() const { return stub_ != nullptr; }
  Observability* observability() { return observability_.get(); }

  void Ready(const std::string& id) { greengate::testing::ReadyModel(stub_.get(), id); }
  // Drift with degraded accuracy is approved; no drift with good accuracy is rejected.
  v1::Decision Ask(const std::string& id, bool approve) {
    return greengate::testing::AskToRetrain(stub_.get(), id, approve);
  }

 private:
  RealClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Observability> observability_;
  std::unique_ptr<service::RunningServer> server_;
  std::unique_ptr<v1::RetrainGatekeeper::Stub> stub_;
};

}  // namespace greengate::alerts::testing
