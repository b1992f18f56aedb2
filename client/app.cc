#include "client/app.h"

#include <cstdlib>
#include <exception>
#include <memory>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/connection.h"
#include "client/names.h"
#include "google/protobuf/stubs/common.h"
#include "grpcpp/grpcpp.h"

namespace greengate::client {
namespace {

constexpr char kDescription[] =
    "greengate decides whether a deployed ML model may be retrained now: drift of new data "
    "against the deployed reference, expected accuracy gain, and the energy and carbon of "
    "the training job, weighed under the model's policy. Every decision is logged.";

constexpr char kFooter[] =
    "\nTypical pipeline:\n"
    "  greengate register --model churn --version v1\n"
    "  greengate profile --csv train.csv --out ref.json\n"
    "  greengate set-reference --model churn --profile ref.json --accuracy 0.91 "
    "--evaluation-rows 5000\n"
    "  greengate profile --csv new.csv --model churn --out current.json\n"
    "  greengate should-retrain --model churn --profile current.json --hours 10 "
    "--accelerator nvidia-a100-40gb --accelerators 8 --region FR --provider gcp\n"
    "\nExit codes: 0 success (APPROVE for should-retrain), 10 REJECT, 11 DEFER, 1 error "
    "(\"greengate: CODE: message\" on stderr), 2 usage error.\n"
    "Run `greengate COMMAND --help` for each command's flags.";

}  // namespace

std::string DefaultServer() {
  const char* env = std::getenv("GREENGATE_SERVER");
  if (env != nullptr && env[0] != '\0') return env;
  return "127.0.0.1:50051";
}

std::string VersionText() {
  return absl::StrCat("greengate ", GG_VERSION, " (gRPC ", grpc::Version(), ", protobuf ",
                      google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION), ")");
}

std::unique_ptr<CLI::App> BuildCli(CommandContext* context) {
  CommandContext& ctx = *context;
  auto owned = std::make_unique<CLI::App>(kDescription, "greengate");
  CLI::App& app = *owned;
  app.footer(kFooter);
  app.require_subcommand(1);
  // Global flags may follow the subcommand: `greengate decisions --json`.
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.add_option("--server", ctx.global.server,
                 "Address of the greengate server, host:port (default: $GREENGATE_SERVER, else "
                 "127.0.0.1:50051)")
      ->type_name("ADDR");
  app.add_option("--timeout", ctx.global.timeout_s, "Deadline of every call, in seconds")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  app.add_flag("--json", ctx.global.json,
               "Machine output: the response as protobuf JSON (proto field names)");
  app.set_version_flag("--version", VersionText(),
                       "Print the greengate version and the gRPC and protobuf it uses, then exit");
  // --- Authentication and TLS ---
  ConnectionSecurity& security = ctx.global.security;
  app.add_option("--token-file", security.token_file,
                 "File holding the bearer token (one line; mode 600). Tokens are never "
                 "accepted on the command line")
      ->envname("GREENGATE_TOKEN_FILE")
      ->type_name("FILE");
  app.add_flag("--tls", security.tls, "Use TLS, trusting the system's root certificates");
  app.add_option("--tls-ca", security.tls_ca_file,
                 "Use TLS; PEM CA that signed the server's certificate")
      ->envname("GREENGATE_TLS_CA")
      ->type_name("FILE");
  app.add_option("--tls-cert", security.tls_cert_file, "PEM client certificate for mutual TLS")
      ->envname("GREENGATE_TLS_CERT")
      ->type_name("FILE");
  app.add_option("--tls-key", security.tls_key_file, "PEM private key of --tls-cert")
      ->envname("GREENGATE_TLS_KEY")
      ->type_name("FILE");
  app.add_option("--tls-server-name", security.tls_server_name,
                 "Name to expect in the server's certificate when it differs from the host in "
                 "--server")
      ->type_name("NAME");
  // --- end authentication and TLS ---

  AddProfileCommands(&app, &ctx);
  AddModelCommands(&app, &ctx);
  AddPolicyCommands(&app, &ctx);
  AddRetrainCommands(&app, &ctx);
  AddDecisionCommands(&app, &ctx);
  AddOutcomeCommands(&app, &ctx);
  AddWatchCommands(&app, &ctx);
  AddReportCommands(&app, &ctx);  // report_command.cc
  AddAuditCommands(&app, &ctx);   // audit_command.cc
  AddHealthCommands(&app, &ctx);  // health_command.cc
  AddTablesCommands(&app, &ctx);  // tables_command.cc
  return owned;
}

int RunCli(int argc, const char* const* argv, const std::string& default_server, std::ostream& out,
           std::ostream& err) {
  CommandContext ctx;
  ctx.out = &out;
  ctx.err = &err;
  ctx.global.server = default_server;  // before BuildCli: --help shows it as the default
  const std::unique_ptr<CLI::App> owned = BuildCli(&ctx);
  CLI::App& app = *owned;

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports "A subcommand is required" for `greengate retrian`; name the typo.
    if (app.get_subcommands().empty() && !app.remaining().empty() &&
        e.get_exit_code() != static_cast<int>(CLI::ExitCodes::Success)) {
      err << "unknown command '" << app.remaining().front()
          << "'\nRun with --help for the list of commands.\n";
      return kExitUsage;
    }
    const int code = app.exit(e, out, err);
    // --help and --version are "errors" that succeed; every real parse error is a usage
    // error, exit 2 (CLI11's own codes are 100+).
    return code == static_cast<int>(CLI::ExitCodes::Success) ? 0 : kExitUsage;
  }
  if (!ctx.action) return kExitUsage;  // unreachable: require_subcommand(1)
  const absl::StatusOr<int> result = ctx.action();
  if (!result.ok()) {
    err << FormatError(result.status()) << "\n";
    return kExitError;
  }
  return *result;
}

}  // namespace greengate::client
