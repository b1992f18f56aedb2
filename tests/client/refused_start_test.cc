// A start refused for a bad flag or a bad token file exits 1 and creates no file: neither the
// database nor its .lock. Each case runs the real greengate-server; one that starts serving
// (the flag was accepted) is stopped after a few seconds and fails.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/spawn.h"

namespace greengate::testing {
namespace {

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";
constexpr char kToken[] = "0123456789abcdef0123456789abcdef";

struct RefusedCase {
  std::string name;
  std::string token_file;  // contents; "" = no --token_file
  mode_t token_mode;
  std::vector<std::string> flags;  // besides --db and --listen
  std::string log;                 // expected in the server's log
};

// Waits for `pid` to exit, at most `limit`; a server still running then is killed. Returns
// whether it exited on its own, with its wait status in `status`.
bool ExitedWithin(pid_t pid, std::chrono::seconds limit, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, status, 0);
  return false;
}

class RefusedStartTest : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(RefusedStartTest, LeavesNoFile) {
  const RefusedCase& c = GetParam();
  std::string tmpl = "/tmp/greengate-refused-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path data = dir / "data";
  std::filesystem::create_directory(data);
  std::vector<std::string> args = {"--db=" + (data / "gg.db").string(), "--listen=127.0.0.1:0",
                                   "--metrics_listen="};
  if (!c.token_file.empty()) {
    const std::string path = (dir / "tokens").string();
    std::ofstream(path) << c.token_file;
    chmod(path.c_str(), c.token_mode);
    args.push_back("--token_file=" + path);
  }
  args.insert(args.end(), c.flags.begin(), c.flags.end());
  const std::string log = (dir / "server.log").string();
  const pid_t pid = Spawn(kServerBinary, args, log, log);
  ASSERT_GT(pid, 0);
  int status = 0;
  EXPECT_TRUE(ExitedWithin(pid, std::chrono::seconds(20), &status))
      << "the server started: the flag was accepted";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  std::string text((std::istreambuf_iterator<char>(std::ifstream(log).rdbuf())),
                   std::istreambuf_iterator<char>());
  EXPECT_THAT(text, ::testing::HasSubstr(c.log));
  std::vector<std::string> created;
  for (const auto& entry : std::filesystem::directory_iterator(data)) {
    created.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(created, ::testing::IsEmpty());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RefusedStartTest,
    ::testing::Values(
        RefusedCase{"WorldReadableTokenFile",
                    std::string("ci pipeline ") + kToken + "\n",
                    0644,
                    {},
                    "lets other users read or write it"},
        RefusedCase{"BadRole",
                    std::string("ci boss ") + kToken + "\n",
                    0600,
                    {},
                    "expected pipeline, reviewer or admin"},
        RefusedCase{"BadModelScope",
                    std::string("ci pipeline ") + kToken + " models=A\n",
                    0600,
                    {},
                    "models: 'A' is neither a model id"},
        RefusedCase{"ZeroReceiveSize",
                    "",
                    0600,
                    {"--max_receive_message_mb=0"},
                    "--max_receive_message_mb: must be in [1, 2047]"},
        RefusedCase{"MissingCertificate",
                    "",
                    0600,
                    {"--tls_cert=/nonexistent/cert.pem", "--tls_key=/nonexistent/key.pem"},
                    "tls_cert: cannot read /nonexistent/cert.pem"},
        RefusedCase{"UnknownAlertVerdict", "", 0600, {"--alert_verdicts=MAYBE"}, "alert_verdicts"},
        RefusedCase{"ListenWithoutPort",
                    "",
                    0600,
                    {"--listen=garbage"},
                    "--listen: 'garbage' is not host:port"},
        RefusedCase{"ListenPortOutOfRange",
                    "",
                    0600,
                    {"--listen=127.0.0.1:99999"},
                    "--listen: port '99999' of '127.0.0.1:99999' is not a number in [0, 65535]"},
        RefusedCase{"MetricsPortNotANumber",
                    "",
                    0600,
                    {"--metrics_listen=garbage:abc"},
                    "--metrics_listen: port 'abc'"},
        RefusedCase{"AlertmanagerUrlNotAUrl",
                    "",
                    0600,
                    {"--alertmanager_url=notaurl"},
                    "--alertmanager_url: 'notaurl' is not a URL"},
        RefusedCase{"WebhookUrlNotHttp",
                    "",
                    0600,
                    {"--webhook_url=ftp://x"},
                    "--webhook_url: 'ftp://x' has scheme 'ftp'"},
        RefusedCase{"AlertLinkPrefixNotAUrl",
                    "",
                    0600,
                    {"--alert_link_prefix=greengate/"},
                    "--alert_link_prefix: 'greengate/' is not a URL"},
        RefusedCase{"NegativeAlertResolve",
                    "",
                    0600,
                    {"--alert_resolve_after_s=-1"},
                    "--alert_resolve_after_s: must be >= 0 seconds"},
        RefusedCase{"NegativeBusyTimeout",
                    "",
                    0600,
                    {"--busy_timeout_ms=-1"},
                    "--busy_timeout_ms: must be >= 0, got -1"},
        RefusedCase{"NegativeWatchQueue",
                    "",
                    0600,
                    {"--watch_queue=-5"},
                    "--watch_queue: must be >= 1 decision, got -5"},
        RefusedCase{"ZeroWatchQueue",
                    "",
                    0600,
                    {"--watch_queue=0"},
                    "--watch_queue: must be >= 1 decision, got 0"},
        RefusedCase{"NegativeShutdownGrace",
                    "",
                    0600,
                    {"--shutdown_grace_s=-1"},
                    "--shutdown_grace_s: must be >= 0 seconds and finite, got -1"},
        RefusedCase{"NegativeFleetBudget",
                    "",
                    0600,
                    {"--fleet_energy_budget_kwh=-1"},
                    "fleet_energy_budget_kwh"}),
    [](const ::testing::TestParamInfo<RefusedCase>& info) { return info.param.name; });

}  // namespace
}  // namespace greengate::testing
