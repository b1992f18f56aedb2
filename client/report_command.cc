// `greengate report`: a governance report for an ISO week or a date range, rendered as
// Markdown, CSV, JSON or self-contained HTML.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "client/command.h"
#include "client/json_io.h"
#include "client/names.h"
#include "client/report_render.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/status_macros.h"
#include "server/core/governance/iso_week.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;
using google::protobuf::util::TimeUtil;

struct ReportOptions {
  std::string week;
  std::string from;
  std::string to;
  std::string model;
  std::string format = "markdown";
  std::string out;
};

absl::StatusOr<absl::CivilDay> ParseDate(const std::string& text, const std::string& flag) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected a date YYYY-MM-DD, got \"", text, "\""));
  }
  return day;
}

google::protobuf::Timestamp DayStart(absl::CivilDay day) {
  return TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(absl::FromCivil(day, absl::UTCTimeZone())));
}

// The UTC period [start, end) the flags select: a whole ISO week, or --from to --to with
// both dates included.
absl::Status SetPeriod(const ReportOptions& o, v1::GetGovernanceReportRequest* request) {
  absl::CivilDay first;
  absl::CivilDay after_last;
  if (!o.week.empty()) {
    ASSIGN_OR_RETURN(first, governance::ParseIsoWeek(o.week, "--week"));
    after_last = first + 7;
  } else {
    ASSIGN_OR_RETURN(first, ParseDate(o.from, "--from"));
    ASSIGN_OR_RETURN(const absl::CivilDay last, ParseDate(o.to, "--to"));
    if (last < first) {
      return absl::InvalidArgumentError(
          absl::StrCat("--to: must not be before --from (", o.from, "), got ", o.to));
    }
    after_last = last + 1;
  }
  *request->mutable_start_time() = DayStart(first);
  *request->mutable_end_time() = DayStart(after_last);
  return absl::OkStatus();
}

absl::StatusOr<int> RunReport(const CommandContext& ctx, const ReportOptions& o) {
  if (o.week.empty() && (o.from.empty() || o.to.empty())) {
    return UsageError(ctx, "report: give --week YYYY-Www, or both --from and --to");
  }
  ASSIGN_OR_RETURN(ReportFormat format, ParseReportFormat(o.format, "--format"));
  if (ctx.global.json) format = ReportFormat::kJson;
  v1::GetGovernanceReportRequest request;
  RETURN_IF_ERROR(SetPeriod(o, &request));
  if (!o.model.empty()) request.set_model(ModelName(o.model));
  ASSIGN_OR_RETURN(const v1::GovernanceReport report,
                   ctx.Connect().Call(&Stub::GetGovernanceReport, request));
  RETURN_IF_ERROR(WriteText(RenderReport(report, format), o.out, *ctx.out));
  if (!o.out.empty() && o.out != "-") *ctx.err << "wrote " << o.out << "\n";
  return 0;
}

}  // namespace

void AddReportCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* sub = app->add_subcommand(
      "report",
      "Governance report over a period: decisions by verdict, energy and CO2e approved and "
      "avoided, measured outcomes against estimates, accuracy-floor overrides, budget use and "
      "the most drifted features, per model and overall.");
  CLI::Option* week =
      sub->add_option("--week", o->week, "ISO week, e.g. 2026-W47 (Monday to Sunday, UTC)")
          ->type_name("YYYY-Www");
  CLI::Option* from =
      sub->add_option("--from", o->from, "First day, UTC (with --to)")->type_name("DATE");
  CLI::Option* to =
      sub->add_option("--to", o->to, "Last day, included (with --from)")->type_name("DATE");
  week->excludes(from)->excludes(to);
  from->needs(to);
  to->needs(from);
  sub->add_option("--model", o->model, "Only this model (id or models/ID)")->type_name("ID");
  sub->add_option("--format", o->format, "Output format: markdown, csv, json or html")
      ->check(CLI::IsMember({"markdown", "md", "csv", "json", "html"}, CLI::ignore_case))
      ->type_name("FORMAT");
  sub->add_option("--out", o->out, "Write to FILE instead of standard output")->type_name("FILE");
  sub->footer(
      "\nExamples:\n  greengate report --week 2026-W47\n"
      "  greengate report --from 2026-11-01 --to 2026-11-30 --format html --out nov.html");
  SetAction(sub, ctx, o, &RunReport);
}

}  // namespace greengate::client
