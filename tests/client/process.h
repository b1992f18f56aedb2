#pragma once

// Child processes for end-to-end tests: the real greengate-server and greengate binaries,
// with output captured to files in the test's directory.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/client/cli_test.h"
#include "tests/client/test_files.h"
#include "tests/common/spawn.h"

namespace greengate::client::testing {

using greengate::testing::Spawn;  // tests/common/spawn.h

// Runs a binary to completion and returns its exit code (-1 if it did not exit normally)
// and output.
inline CliResult RunBinary(const std::string& binary, const std::vector<std::string>& args,
                           const std::filesystem::path& dir,
                           const std::vector<std::string>& extra_env = {}) {
  const std::string out = (dir / "cli.out").string();
  const std::string err = (dir / "cli.err").string();
  CliResult result;
  const pid_t pid = Spawn(binary, args, out, err, extra_env);
  if (pid < 0) {
    ADD_FAILURE() << "cannot start " << binary;
    return result;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

// A greengate-server on a free loopback port with a fresh database in `dir`; stopped (SIGTERM,
// then waited for) on destruction.
class ServerProcess {
 public:
  // `extra_args` are appended to the server's flags (e.g. --token_file=...).
  ServerProcess(const std::string& binary, const std::filesystem::path& dir,
                const std::vector<std::string>& extra_args = {})
      : dir_(dir) {
    const std::string port_file = (dir / "port").string();
    log_ = (dir / "server.log").string();
    std::vector<std::string> args = {"--listen=127.0.0.1:0", "--db=" + (dir / "gg.db").string(),
                                     "--port_file=" + port_file, "--shutdown_grace_s=1",
                                     // No fixed metrics port: tests run in parallel.
                                     "--metrics_listen="};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = Spawn(binary, args, log_, log_);
    if (pid_ < 0) return;
    // The server writes the port once it serves. Poll for it; the bound only stops a broken
    // server from hanging the test.
    for (int i = 0; i < 600 && port_.empty(); ++i) {
      std::string text = ReadFile(port_file);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (!text.empty()) {
        port_ = text;
        break;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  ~ServerProcess() { Terminate(); }

  // Sends SIGTERM and waits; returns the exit code (-1 if it did not exit normally or was
  // not running).
  int Terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  bool ok() const { return pid_ > 0 && !port_.empty(); }
  std::string address() const { return "127.0.0.1:" + port_; }
  std::string log() const { return ReadFile(log_); }

 private:
  std::filesystem::path dir_;
  std::string log_;
  std::string port_;
  pid_t pid_ = -1;
};

}  // namespace greengate::client::testing
