#include "bench/load/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/common/spawn.h"

namespace greengate::bench {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<CpuTimes> ReadProcessCpu(pid_t pid) {
  const std::string stat = ReadAll(absl::StrCat("/proc/", pid, "/stat"));
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last
  // ')'. utime and stime are fields 14 and 15 of proc(5), i.e. the 12th and 13th after it.
  const size_t paren = stat.rfind(')');
  if (stat.empty() || paren == std::string::npos) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 2), ' ', absl::SkipEmpty());
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InternalError(absl::StrCat("/proc/", pid, "/stat: unexpected format"));
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return CpuTimes{utime / ticks, stime / ticks};
}

double PeakRssMib(pid_t pid) {
  std::istringstream status(ReadAll(absl::StrCat("/proc/", pid, "/status")));
  for (std::string line; std::getline(status, line);) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmHWM:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, " kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(rest, &kib)) return kib / 1024.0;
  }
  return -1;
}

absl::StatusOr<std::unique_ptr<BenchServer>> BenchServer::Start(const std::string& binary,
                                                                const std::string& dir) {
  const std::string port_file = dir + "/port";
  const std::string log = dir + "/server.log";
  const std::vector<std::string> args = {"--listen=127.0.0.1:0", "--db=" + dir + "/gg.db",
                                         "--port_file=" + port_file,
                                         "--metrics_listen=", "--shutdown_grace_s=5"};
  const pid_t pid = greengate::testing::Spawn(binary, args, log, log);
  if (pid < 0) return absl::InternalError(absl::StrCat("cannot start ", binary));

  std::unique_ptr<BenchServer> server(new BenchServer());
  server->pid_ = pid;
  server->owned_ = true;
  // The server writes the port (write, then rename) once it serves.
  for (int i = 0; i < 600; ++i) {
    std::string text = ReadAll(port_file);
    absl::string_view port = absl::StripAsciiWhitespace(text);
    if (!port.empty()) {
      server->address_ = absl::StrCat("127.0.0.1:", port);
      return server;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = 0;
      return absl::InternalError(
          absl::StrCat(binary, " exited before serving; its log:\n", ReadAll(log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(binary, " did not serve within 30 s"));
}

std::unique_ptr<BenchServer> BenchServer::Attach(const std::string& address, pid_t pid) {
  std::unique_ptr<BenchServer> server(new BenchServer());
  server->address_ = address;
  server->pid_ = pid;
  return server;
}

BenchServer::~BenchServer() { Stop(); }

int BenchServer::Stop() {
  if (!owned_ || pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace greengate::bench
