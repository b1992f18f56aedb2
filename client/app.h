#pragma once

// The `greengate` command line: flag parsing, dispatch to the command groups, and the
// mapping of outcomes to exit codes.

#include <memory>
#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "client/command.h"

namespace greengate::client {

// RunCli()
//
// Runs one `greengate` invocation and returns its exit code: 0 success (APPROVE for
// should-retrain), 10 REJECT, 11 DEFER, 1 an error (printed to `err` as
// "greengate: CODE: message"), 2 a usage error. `default_server` is the --server default
// (main passes GREENGATE_SERVER, or 127.0.0.1:50051). Writes results to `out`.
int RunCli(int argc, const char* const* argv, const std::string& default_server, std::ostream& out,
           std::ostream& err);

// BuildCli()
//
// The whole command tree with its flags bound to `ctx` (set ctx->global.server, the --server
// default, first). RunCli parses with it; tests walk it to check every --help. The app
// refers to `ctx`, which must outlive it. Not thread-safe.
std::unique_ptr<CLI::App> BuildCli(CommandContext* ctx);

// "greengate 0.1.0 (gRPC 1.51.1, protobuf 3.21.12)": what `greengate --version` prints. The
// project version is CMake's project(VERSION), compiled in as GG_VERSION.
std::string VersionText();

// The default --server: $GREENGATE_SERVER when set and non-empty, else 127.0.0.1:50051.
std::string DefaultServer();

}  // namespace greengate::client
