#pragma once

// The greengate-server that bench/load measures: either started here (a fresh database in a
// directory of its own, a free loopback port) or an already running one given by address and
// pid. Its CPU time is read from /proc/<pid>/stat. Not thread-safe; one owner.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace greengate::bench {

// CPU time a process has used so far, in seconds of user and system time.
struct CpuTimes {
  double user_s = 0;
  double system_s = 0;
  double total_s() const { return user_s + system_s; }
};

// Reads utime and stime of `pid` from /proc/<pid>/stat. NotFound when the process is gone.
absl::StatusOr<CpuTimes> ReadProcessCpu(pid_t pid);
// Peak resident set size (VmHWM) of `pid` in MiB, or -1 when unknown.
double PeakRssMib(pid_t pid);

class BenchServer {
 public:
  // Starts `binary` on 127.0.0.1:0 with --db=<dir>/gg.db, no metrics port, and logs in
  // <dir>/server.log; waits (up to 30 s) until it serves. `dir` must exist.
  static absl::StatusOr<std::unique_ptr<BenchServer>> Start(const std::string& binary,
                                                            const std::string& dir);
  // A server started elsewhere; pid 0 = unknown (no CPU figures).
  static std::unique_ptr<BenchServer> Attach(const std::string& address, pid_t pid);
  // Stops a server this object started (SIGTERM, then waits for it).
  ~BenchServer();

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // Stops a started server now: SIGTERM and wait. Returns its exit code (-1 if killed or not
  // started here).
  int Stop();

 private:
  BenchServer() = default;
  std::string address_;
  pid_t pid_ = 0;
  bool owned_ = false;
};

}  // namespace greengate::bench
