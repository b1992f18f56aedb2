// Nothing lost: the real greengate-server is killed with SIGKILL while clients send decisions.
// After a restart on the same database every acknowledged decision is in the log, the audit
// chain verifies, and the file passes PRAGMA integrity_check.

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "greengate/v1/greengate.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/client/process.h"
#include "tests/client/test_files.h"
#include "tests/service/test_profiles.h"

namespace greengate::client {
namespace {

using testing::ReadFile;
using testing::Spawn;
using testing::TestDir;

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";

constexpr int kClients = 6;
constexpr int kModels = 3;
// Decisions acknowledged before the kill: enough that calls are in flight at every stage of a
// commit when it lands.
constexpr int kAcknowledgedBeforeKill = 120;

// A greengate-server on `dir`/gg.db that the test can kill without warning.
class KillableServer {
 public:
  KillableServer(const std::filesystem::path& dir) {
    const std::string port_file = (dir / "port").string();
    std::filesystem::remove(port_file);  // a restarted server writes its own
    log_ = (dir / "server.log").string();
    pid_ = Spawn(kServerBinary,
                 {"--listen=127.0.0.1:0", "--db=" + (dir / "gg.db").string(),
                  "--port_file=" + port_file, "--shutdown_grace_s=1", "--metrics_listen="},
                 log_, log_);
    for (int i = 0; i < 600 && pid_ > 0; ++i) {
      std::string text = ReadFile(port_file);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (!text.empty()) {
        address_ = "127.0.0.1:" + text;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~KillableServer() { Stop(SIGTERM); }

  // Sends `signal` and reaps the process; returns the raw wait status.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  bool ok() const { return pid_ > 0 && !address_.empty(); }
  const std::string& address() const { return address_; }
  std::string log() const { return ReadFile(log_); }

 private:
  std::string log_;
  std::string address_;
  pid_t pid_ = -1;
};

std::unique_ptr<v1::RetrainGatekeeper::Stub> Connect(const std::string& address) {
  return v1::RetrainGatekeeper::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

// A model with a reference and a policy without cooldown, so every call makes a decision
// that does not wait for the previous approval.
void SetUpModel(v1::RetrainGatekeeper::Stub* stub, const std::string& id) {
  v1::RegisterModelRequest reg;
  reg.set_model_id(id);
  reg.mutable_model()->set_deployed_version("v1");
  v1::Model model;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub->RegisterModel(&c1, reg, &model).ok());
  v1::SetReferenceRequest ref;
  ref.mutable_reference()->set_model(model.name());
  *ref.mutable_reference()->mutable_profile() = greengate::testing::MakeProfile(500, 0, 7);
  v1::Reference stored_ref;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub->SetReference(&c2, ref, &stored_ref).ok());
  v1::SetPolicyRequest policy;
  policy.mutable_policy()->set_model(model.name());
  policy.mutable_policy()->set_cooldown_s(0);
  v1::Policy stored_policy;
  grpc::ClientContext c3;
  ASSERT_TRUE(stub->SetPolicy(&c3, policy, &stored_policy).ok());
}

// What the client was told: the decision's name and verdict.
struct Acknowledged {
  std::string name;
  v1::Verdict verdict = v1::VERDICT_UNSPECIFIED;
};

TEST(KillDurabilityTest, EveryAcknowledgedDecisionSurvivesSigkill) {
  ASSERT_TRUE(std::filesystem::exists(kServerBinary)) << kServerBinary << " is missing";
  const std::filesystem::path dir = TestDir();
  auto server = std::make_unique<KillableServer>(dir);
  ASSERT_TRUE(server->ok()) << "greengate-server did not start:\n" << server->log();
  {
    auto stub = Connect(server->address());
    for (int m = 0; m < kModels; ++m) SetUpModel(stub.get(), absl::StrCat("crash-", m));
    if (HasFatalFailure()) return;
  }

  absl::Mutex mu;
  std::vector<Acknowledged> acknowledged;  // guarded by mu
  std::atomic<int> count{0};
  std::atomic<bool> killed{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      auto stub = Connect(server->address());  // one connection per client
      for (int i = 0;; ++i) {
        v1::ShouldRetrainRequest request;
        request.set_model(absl::StrCat("models/crash-", (t + i) % kModels));
        *request.mutable_current() =
            greengate::testing::MakeProfile(300, (i % 3) * 0.5, 100 + t * 1000 + i);
        *request.mutable_plan() = greengate::testing::SmallPlan();
        v1::Decision decision;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        if (!stub->ShouldRetrain(&context, request, &decision).ok()) {
          if (killed.load()) return;  // the server is gone: stop
          ADD_FAILURE() << "ShouldRetrain failed before the kill";
          return;
        }
        absl::MutexLock lock(&mu);
        acknowledged.push_back({decision.name(), decision.verdict()});
        count.fetch_add(1);
      }
    });
  }
  // Kill mid-flight: every client has a call outstanding (they loop without pause).
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count.load() < kAcknowledgedBeforeKill && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  killed.store(true);
  const int status = server->Stop(SIGKILL);
  for (std::thread& client : clients) client.join();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
  std::vector<Acknowledged> acked;
  {
    absl::MutexLock lock(&mu);
    acked = acknowledged;
  }
  ASSERT_GE(static_cast<int>(acked.size()), kAcknowledgedBeforeKill);

  // Restart on the same database: each acknowledged decision is there, as it was returned.
  server = std::make_unique<KillableServer>(dir);
  ASSERT_TRUE(server->ok()) << "greengate-server did not restart:\n" << server->log();
  auto stub = Connect(server->address());
  int missing = 0;
  for (const Acknowledged& a : acked) {
    v1::GetDecisionRequest request;
    request.set_name(a.name);
    v1::Decision decision;
    grpc::ClientContext context;
    const grpc::Status got = stub->GetDecision(&context, request, &decision);
    if (!got.ok() || decision.verdict() != a.verdict) {
      if (++missing <= 5) ADD_FAILURE() << a.name << ": " << got.error_message();
    }
  }
  EXPECT_EQ(missing, 0) << "of " << acked.size() << " acknowledged decisions";

  v1::AuditLogVerification audit;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->VerifyAuditLog(&context, v1::VerifyAuditLogRequest(), &audit).ok());
  EXPECT_TRUE(audit.intact()) << audit.detail();
  // Decisions committed but not yet answered when the kill landed are in the log as well.
  EXPECT_GE(audit.checked_rows(), static_cast<int64_t>(acked.size()));
  stub.reset();
  EXPECT_EQ(server->Stop(SIGTERM), 0) << server->log();

  // The file itself, with the server stopped.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir / "gg.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  const unsigned char* text = sqlite3_column_text(check, 0);
  EXPECT_EQ(std::string(text != nullptr ? reinterpret_cast<const char*>(text) : ""), "ok");
  sqlite3_finalize(check);
  sqlite3_close_v2(db);
}

}  // namespace
}  // namespace greengate::client
