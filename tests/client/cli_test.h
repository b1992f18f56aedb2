#pragma once

// Running the CLI in-process, as `greengate ARGS...` would, capturing output and exit code.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "client/app.h"

namespace greengate::client::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliResult RunInProcess(const std::vector<std::string>& args,
                              const std::string& server = "127.0.0.1:1") {
  std::vector<const char*> argv = {"greengate"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  CliResult result;
  result.code = RunCli(static_cast<int>(argv.size()), argv.data(), server, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

// A loopback port nothing listens on: bound to learn a free number, then released.
inline int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace greengate::client::testing
