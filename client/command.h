#pragma once

// What every CLI command shares: the global flags, the output streams, and the action the
// parsed subcommand registers for the runner to execute after parsing succeeds.

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/connection.h"

namespace greengate::client {

// Flags accepted by every command.
struct GlobalOptions {
  std::string server;           // host:port
  double timeout_s = 30;        // deadline on every call
  bool json = false;            // machine output: protobuf JSON
  ConnectionSecurity security;  // TLS and the bearer token file
};

// The state of one CLI run. Not thread-safe.
struct CommandContext {
  GlobalOptions global;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // Set by the callback of the subcommand that was parsed; returns the process exit code,
  // or an error the runner prints as "greengate: CODE: message" (exit 1).
  std::function<absl::StatusOr<int>()> action;

  Connection Connect() const {
    return Connection(global.server, absl::Seconds(global.timeout_s), global.security);
  }
};

// Registers `run` as the action of `app` (a subcommand): it runs once parsing succeeds.
// `options` keeps the subcommand's flag storage alive for as long as the action.
template <typename Options>
void SetAction(CLI::App* app, CommandContext* ctx, std::shared_ptr<Options> options,
               absl::StatusOr<int> (*run)(const CommandContext&, const Options&)) {
  app->callback([app, ctx, options, run] {
    // A nested subcommand (e.g. `profile merge`) registers its own action; the parent's
    // callback runs after it and must not replace it.
    for (const CLI::App* sub : app->get_subcommands()) {
      if (sub->parsed()) return;
    }
    ctx->action = [ctx, options, run] { return run(*ctx, *options); };
  });
}

// Reports a usage error found after parsing (a flag combination CLI11 cannot express) the way
// CLI11 reports its own, and returns exit code 2.
inline int UsageError(const CommandContext& ctx, const std::string& message) {
  *ctx.err << message << "\nRun with --help for more information.\n";
  return 2;
}

// Command groups; each adds its subcommands to `app`.
void AddProfileCommands(CLI::App* app, CommandContext* ctx);
void AddModelCommands(CLI::App* app, CommandContext* ctx);
void AddPolicyCommands(CLI::App* app, CommandContext* ctx);
void AddRetrainCommands(CLI::App* app, CommandContext* ctx);
void AddDecisionCommands(CLI::App* app, CommandContext* ctx);
void AddReportCommands(CLI::App* app, CommandContext* ctx);   // report_command.cc
void AddAuditCommands(CLI::App* app, CommandContext* ctx);    // audit_command.cc
void AddOutcomeCommands(CLI::App* app, CommandContext* ctx);  // outcome_command.cc
void AddWatchCommands(CLI::App* app, CommandContext* ctx);    // watch_command.cc
void AddHealthCommands(CLI::App* app, CommandContext* ctx);   // health_command.cc
void AddTablesCommands(CLI::App* app, CommandContext* ctx);   // tables_command.cc

}  // namespace greengate::client
