// A start refused for a bad flag or a bad token file creates no file: neither the database
// nor its .lock. Each case ran the real greengate-server.

#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
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
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
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
        RefusedCase{"UnknownAlertVerdict", "", 0600, {"--alert_verdicts=MAYBE"}, "alert_verdicts"}),
    [](const ::testing::TestParamInfo<RefusedCase>& info) { return info.param.name; });

}  // namespace
}  // namespace greengate::testing
