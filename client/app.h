#pragma once

// The `greengate` command line: flag parsing, dispatch to the command groups, and the
// mapping of outcomes to exit codes.

#include <ostream>
#include <string>

namespace greengate::client {

// RunCli()
//
// Runs one `greengate` invocation and returns its exit code: 0 success (APPROVE for
// should-retrain), 10 REJECT, 11 DEFER, 1 an error (printed to `err` as
// "greengate: CODE: message"), 2 a usage error. `default_server` is the --server default
// (main passes GREENGATE_SERVER, or 127.0.0.1:50051). Writes results to `out`.
int RunCli(int argc, const char* const* argv, const std::string& default_server, std::ostream& out,
           std::ostream& err);

// The default --server: $GREENGATE_SERVER when set and non-empty, else 127.0.0.1:50051.
std::string DefaultServer();

}  // namespace greengate::client
