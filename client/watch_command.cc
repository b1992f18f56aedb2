// watch: follow decisions as they are made (WatchDecisions), one line (or JSON object) each.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/names.h"
#include "client/output.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

struct WatchOptions {
  std::string model;
  std::vector<std::string> verdicts;
  int64_t count = 0;  // 0 = until interrupted or the server ends the stream
};

// One line per decision; the reason goes last since it is the only free text.
std::string FormatWatchLine(const v1::Decision& d) {
  return absl::StrCat(FormatTimestamp(d.create_time()), "  ", v1::Verdict_Name(d.verdict()), "  ",
                      d.model(), "  ", d.name(), "  ", FormatNumber(d.cost().energy_kwh()),
                      " kWh  ", FormatNumber(d.cost().co2e_kg()), " kg CO2e  ", d.reason(), "\n");
}

// JSON Lines: one compact object per decision, so `jq` can read the stream as it comes.
std::string FormatWatchJson(const v1::Decision& d) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(d, &json, options);
  return json + "\n";
}

absl::StatusOr<int> RunWatch(const CommandContext& ctx, const WatchOptions& o) {
  v1::WatchDecisionsRequest request;
  if (!o.model.empty()) request.set_model(ModelName(o.model));
  for (const std::string& text : o.verdicts) {
    ASSIGN_OR_RETURN(const v1::Verdict verdict, ParseVerdict(text, "--verdict"));
    request.add_verdicts(verdict);
  }
  // No deadline: a watch runs until interrupted. Errors are mapped like every other call.
  const Connection connection = ctx.Connect();
  grpc::ClientContext context;
  RETURN_IF_ERROR(connection.Prepare(&context));
  std::unique_ptr<grpc::ClientReader<v1::Decision>> reader =
      connection.stub()->WatchDecisions(&context, request);
  v1::Decision decision;
  int64_t seen = 0;
  while (reader->Read(&decision)) {
    *ctx.out << (ctx.global.json ? FormatWatchJson(decision) : FormatWatchLine(decision));
    ctx.out->flush();
    if (o.count > 0 && ++seen >= o.count) {
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (o.count > 0 && seen >= o.count) return 0;
  if (!status.ok()) return connection.ToStatus(status);
  return 0;  // the server ended the stream (shutdown)
}

}  // namespace

void AddWatchCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<WatchOptions>();
  CLI::App* sub = app->add_subcommand(
      "watch", "Follow decisions as they are made: one line each (JSON Lines with --json).");
  sub->add_option("--model", o->model, "Only this model (id or models/ID)")->type_name("ID");
  sub->add_option("--verdict", o->verdicts,
                  "Only these verdicts (repeatable): APPROVE, REJECT or DEFER")
      ->check(CLI::IsMember({"APPROVE", "REJECT", "DEFER"}, CLI::ignore_case))
      ->type_name("VERDICT");
  sub->add_option("--count", o->count, "Exit after this many decisions (default: never)")
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  sub->footer(
      "\nA watcher that reads too slowly is dropped by the server (RESOURCE_EXHAUSTED);\n"
      "catch up with `greengate decisions` and watch again.\n"
      "Example: greengate watch --model churn --verdict APPROVE --verdict REJECT");
  SetAction(sub, ctx, o, &RunWatch);
}

}  // namespace greengate::client
