// health: the standard grpc.health.v1 Check, for container health checks and readiness
// scripts. Exit 0 when the server reports SERVING, 1 otherwise with a line saying why.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/names.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace greengate::client {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

struct HealthOptions {
  std::string service;
};

std::string ServiceLabel(const std::string& service) {
  return service.empty() ? "the server" : absl::StrCat("service ", service);
}

absl::StatusOr<int> RunHealth(const CommandContext& ctx, const HealthOptions& o) {
  const Connection connection = ctx.Connect();
  auto stub = grpc::health::v1::Health::NewStub(connection.channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + connection.timeout()));
  HealthCheckRequest request;
  request.set_service(o.service);
  HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return absl::NotFoundError(absl::StrCat("greengate at ", connection.address(),
                                            " has no health status for service '", o.service, "'"));
  }
  if (!status.ok()) return connection.ToStatus(status);
  const std::string state = HealthCheckResponse::ServingStatus_Name(response.status());
  if (response.status() != HealthCheckResponse::SERVING) {
    return absl::UnavailableError(
        absl::StrCat(ServiceLabel(o.service), " at ", connection.address(), " is ", state));
  }
  if (ctx.global.json) {
    *ctx.out << "{\"status\": \"" << state << "\"}\n";
  } else {
    *ctx.out << ServiceLabel(o.service) << " at " << connection.address() << " is " << state
             << "\n";
  }
  return kExitApprove;
}

}  // namespace

void AddHealthCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<HealthOptions>();
  CLI::App* sub = app->add_subcommand(
      "health",
      "Ask the server's standard gRPC health service (grpc.health.v1.Health/Check) whether it "
      "is serving. Exit 0 when SERVING; 1 when NOT_SERVING (e.g. shutting down), unknown, or "
      "unreachable, with the reason on stderr. For container health checks and scripts that "
      "wait for a server.");
  sub->add_option("--service", o->service,
                  "Service to check: empty for the whole server, or "
                  "greengate.v1.RetrainGatekeeper (NOT_SERVING from the first moment of a "
                  "shutdown)")
      ->type_name("NAME");
  sub->footer(
      "\nExamples:\n"
      "  greengate health\n"
      "  greengate --server 127.0.0.1:50051 --timeout 2 health --service "
      "greengate.v1.RetrainGatekeeper\n"
      "Exit codes: 0 SERVING, 1 anything else, 2 usage error.");
  SetAction(sub, ctx, o, &RunHealth);
}

}  // namespace greengate::client
