// `greengate tables`: the energy tables the server ships (ListEnergyTables), i.e. every name a
// training plan's --accelerator, --cpu, --provider and --region may use, with its value.

#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "client/command.h"
#include "client/json_io.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct TablesOptions {
  std::string table;  // "" = all
};

void PrintTable(std::ostream& out, const char* title, const char* unit,
                const google::protobuf::RepeatedPtrField<v1::EnergyTableRow>& rows) {
  out << title << " (" << unit << "):\n";
  for (const v1::EnergyTableRow& row : rows) {
    out << absl::StrFormat("  %-28s %10.4g  %s (%s, %d)\n", row.key(), row.value(), row.label(),
                           row.source(), row.year());
  }
}

absl::StatusOr<int> RunTables(const CommandContext& ctx, const TablesOptions& o) {
  ASSIGN_OR_RETURN(v1::EnergyTables tables,
                   ctx.Connect().Call(&Stub::ListEnergyTables, v1::ListEnergyTablesRequest()));
  if (!o.table.empty()) {
    // Keep only the table asked for.
    if (o.table != "accelerators") tables.clear_accelerators();
    if (o.table != "cpus") tables.clear_cpus();
    if (o.table != "providers") tables.clear_providers();
    if (o.table != "regions") tables.clear_regions();
  }
  if (ctx.global.json) {
    *ctx.out << ToJson(tables);
    return 0;
  }
  const bool all = o.table.empty();
  if (all || o.table == "accelerators") {
    PrintTable(*ctx.out, "accelerators (--accelerator)", "W per device", tables.accelerators());
  }
  if (all || o.table == "cpus") PrintTable(*ctx.out, "cpus (--cpu)", "W per core", tables.cpus());
  if (all || o.table == "providers") {
    PrintTable(*ctx.out, "providers (--provider)", "PUE", tables.providers());
  }
  if (all || o.table == "regions") {
    PrintTable(*ctx.out, "regions (--region)", "g CO2e per kWh", tables.regions());
  }
  return 0;
}

}  // namespace

void AddTablesCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<TablesOptions>();
  CLI::App* sub = app->add_subcommand(
      "tables",
      "List the server's energy tables: the accelerators, CPUs, providers and regions a "
      "training plan may name, with their power, PUE or carbon intensity and sources.");
  sub->add_option("table", o->table, "Only this table")
      ->check(CLI::IsMember({"accelerators", "cpus", "providers", "regions"}))
      ->type_name("TABLE");
  sub->footer(
      "\nExamples:\n"
      "  greengate tables\n"
      "  greengate tables regions\n"
      "  greengate --json tables accelerators");
  SetAction(sub, ctx, o, &RunTables);
}

}  // namespace greengate::client
