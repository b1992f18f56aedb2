// End to end with authentication: the real `greengate` binary against a real greengate-server
// with a token file and mutual TLS (certificates made by the `openssl` CLI at test time).

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/json_io.h"
#include "gmock/gmock.h"
#include "greengate/v1/greengate.pb.h"
#include "gtest/gtest.h"
#include "tests/client/process.h"
#include "tests/client/test_files.h"
#include "tests/service/test_certs.h"

namespace greengate::client {
namespace {

using testing::CliResult;
using ::testing::HasSubstr;
using testing::ServerProcess;
using ::testing::StartsWith;
using testing::TestDir;
using testing::WriteFile;

const std::string kServerBinary = std::string(GG_BINARY_DIR) + "/server/greengate-server";
const std::string kCliBinary = std::string(GG_BINARY_DIR) + "/client/greengate";

constexpr char kPipelineToken[] = "pipeline-e2e-token-0123456789";
constexpr char kReviewerToken[] = "reviewer-e2e-token-0123456789";
constexpr char kAdminToken[] = "admin-e2e-token-0123456789ab";

// One numeric column; `shift` moves every value.
std::string Csv(int rows, int shift) {
  std::string csv = "x,y\n";
  for (int i = 0; i < rows; ++i) absl::StrAppend(&csv, (i * 37) % 101 + shift, ",", i % 7, "\n");
  return csv;
}

class AuthEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kServerBinary)) << kServerBinary << " is missing";
    ASSERT_TRUE(std::filesystem::exists(kCliBinary)) << kCliBinary << " is missing";
    dir_ = TestDir();
    certs_ = greengate::testing::MakeTestCerts(dir_.string());
    ASSERT_EQ(certs_.error, "") << "openssl failed (is the openssl CLI installed?)";
    const std::string tokens =
        Secret("tokens",
               absl::StrCat("# name role token\nci pipeline ", kPipelineToken, "\nalice reviewer ",
                            kReviewerToken, "\nops admin ", kAdminToken, "\n"));
    server_ = std::make_unique<ServerProcess>(
        kServerBinary, dir_,
        std::vector<std::string>{"--token_file=" + tokens, "--tls_cert=" + certs_.server_cert,
                                 "--tls_key=" + certs_.server_key, "--tls_client_ca=" + certs_.ca});
    ASSERT_TRUE(server_->ok()) << "greengate-server did not start:\n" << server_->log();
    pipeline_ = Secret("pipeline.token", std::string(kPipelineToken) + "\n");
    reviewer_ = Secret("reviewer.token", std::string("# alice\n") + kReviewerToken + "\n");
    admin_ = Secret("admin.token", kAdminToken);
  }

  // A file only its owner may read.
  std::string Secret(const std::string& name, const std::string& text) {
    const std::string path = WriteFile(dir_ / name, text);
    chmod(path.c_str(), 0600);
    return path;
  }

  std::vector<std::string> Tls() const {
    return {"--tls-ca",         certs_.ca,   "--tls-cert",
            certs_.client_cert, "--tls-key", certs_.client_key};
  }

  // `greengate ARGS --server ADDR`, with `extra_env`.
  CliResult Cli(std::vector<std::string> args, const std::vector<std::string>& extra_env = {}) {
    args.push_back("--server=" + server_->address());
    return testing::RunBinary(kCliBinary, args, dir_, extra_env);
  }
  CliResult As(const std::string& token_file, std::vector<std::string> args) {
    for (const std::string& a : Tls()) args.push_back(a);
    args.push_back("--token-file=" + token_file);
    return Cli(args);
  }

  static int Lines(const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  std::filesystem::path dir_;
  greengate::testing::TestCerts certs_;
  std::unique_ptr<ServerProcess> server_;
  std::string pipeline_, reviewer_, admin_;
};

TEST_F(AuthEndToEndTest, BadOrMissingTokenIsAClearOneLineError) {
  std::vector<std::string> args = {"models"};
  for (const std::string& a : Tls()) args.push_back(a);
  CliResult r = Cli(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: UNAUTHENTICATED: "));
  EXPECT_THAT(r.err, HasSubstr("--token-file or set GREENGATE_TOKEN_FILE"));
  EXPECT_EQ(Lines(r.err), 1) << r.err;

  const std::string bad = Secret("bad.token", "not-the-right-token-0123456789\n");
  r = As(bad, {"models"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "greengate: UNAUTHENTICATED: unknown bearer token (token from " + bad + ")\n");

  // A token file others may read is refused before anything is sent.
  const std::string open = WriteFile(dir_ / "open.token", kAdminToken);
  chmod(open.c_str(), 0644);
  r = As(open, {"models"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: PERMISSION_DENIED: token file " + open));
  EXPECT_THAT(r.err, HasSubstr("chmod 600"));
  EXPECT_EQ(Lines(r.err), 1) << r.err;

  // The server's own file format is not a client token file.
  const std::string server_format = Secret("line.token", std::string("ops admin ") + kAdminToken);
  r = As(server_format, {"models"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("it must hold only the token"));
}

TEST_F(AuthEndToEndTest, TlsFlagsAreRequiredByATlsServer) {
  // Plaintext to a TLS server.
  CliResult r = Cli({"models", "--token-file", reviewer_, "--timeout", "10"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: UNAVAILABLE: cannot reach greengate at "));
  EXPECT_THAT(r.err, HasSubstr("--tls-ca"));
  // TLS without the client certificate the server requires.
  r = Cli({"models", "--token-file", reviewer_, "--tls-ca", certs_.ca, "--timeout", "10"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: UNAVAILABLE: "));
  // Half a key pair is a usage mistake reported before connecting.
  r = Cli({"models", "--token-file", reviewer_, "--tls-ca", certs_.ca, "--tls-cert",
           certs_.client_cert});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--tls-cert and --tls-key: give both or neither"));
}

TEST_F(AuthEndToEndTest, RolesThroughTheCli) {
  WriteFile(dir_ / "train.csv", Csv(600, 0));
  WriteFile(dir_ / "new.csv", Csv(600, 40));

  CliResult r = As(pipeline_, {"register", "--model", "churn", "--version", "v1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: PERMISSION_DENIED: caller 'ci' (role pipeline) "
                                "may not call RegisterModel; it needs role admin"));
  r = As(admin_, {"register", "--model", "churn", "--version", "v1"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = As(admin_, {"profile", "--csv", (dir_ / "train.csv").string(), "--out",
                  (dir_ / "ref.json").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  r = As(admin_, {"set-reference", "--model", "churn", "--profile", (dir_ / "ref.json").string(),
                  "--accuracy", "0.9", "--evaluation-rows", "1000"});
  ASSERT_EQ(r.code, 0) << r.err;

  // The pipeline profiles new data on the reference's edges (GetReference) and asks.
  r = As(pipeline_, {"profile", "--csv", (dir_ / "new.csv").string(), "--model", "churn", "--out",
                     (dir_ / "new.json").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  r = As(pipeline_, {"should-retrain", "--model", "churn", "--profile",
                     (dir_ / "new.json").string(), "--hours", "2", "--accelerator",
                     "nvidia-a100-40gb", "--accelerators", "1", "--region", "FR", "--json"});
  ASSERT_TRUE(r.code == 0 || r.code == 10 || r.code == 11) << r.code << " " << r.err;
  v1::Decision decision;
  ASSERT_TRUE(ParseJson(r.out, "should-retrain", &decision).ok()) << r.out;
  EXPECT_EQ(decision.caller(), "ci");
  EXPECT_EQ(decision.caller_role(), "pipeline");
  EXPECT_THAT(decision.caller_certificate(), HasSubstr("CN=ci-runner"));

  // The reviewer reads it through the environment variable; the caller shows.
  std::vector<std::string> args = {"decision", decision.name()};
  for (const std::string& a : Tls()) args.push_back(a);
  r = Cli(args, {"GREENGATE_TOKEN_FILE=" + reviewer_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("caller:     ci (pipeline), certificate "));
  // ... and may not ask the gate.
  r = As(reviewer_, {"should-retrain", "--model", "churn", "--profile",
                     (dir_ / "new.json").string(), "--hours", "2", "--accelerator",
                     "nvidia-a100-40gb", "--accelerators", "1", "--region", "FR"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("greengate: PERMISSION_DENIED: caller 'alice' (role reviewer)"));

  // The server's JSON log line of the decision names the caller.
  EXPECT_THAT(server_->log(), HasSubstr("\"caller\":\"ci\""));
}

}  // namespace
}  // namespace greengate::client
