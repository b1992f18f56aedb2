// The decision log: decisions (list, with filters and pagination), decision (one).

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "client/command.h"
#include "client/json_io.h"
#include "client/names.h"
#include "client/output.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct ListOptions {
  std::string model;
  std::string verdict;
  int32_t page_size = 0;
  std::string page_token;
  bool all = false;
  std::string since;  // RFC 3339 time or date (UTC midnight); inclusive
  std::string until;  // exclusive
};

// "2026-11-16" (UTC midnight) or an RFC 3339 time.
absl::StatusOr<google::protobuf::Timestamp> ParseTimeFlag(const std::string& text,
                                                          const std::string& flag) {
  absl::Time t;
  absl::CivilDay day;
  std::string error;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    t = absl::FromCivil(day, absl::UTCTimeZone());
  } else if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected a date YYYY-MM-DD or an RFC 3339 time, got \"", text, "\""));
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(
      static_cast<int32_t>((t - absl::FromUnixSeconds(ts.seconds())) / absl::Nanoseconds(1)));
  return ts;
}

absl::StatusOr<int> RunListDecisions(const CommandContext& ctx, const ListOptions& o) {
  v1::ListDecisionsRequest request;
  if (!o.model.empty()) request.set_model(ModelName(o.model));
  if (!o.verdict.empty()) {
    ASSIGN_OR_RETURN(const v1::Verdict verdict, ParseVerdict(o.verdict, "--verdict"));
    request.set_verdict(verdict);
  }
  if (!o.since.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_start_time(), ParseTimeFlag(o.since, "--since"));
  }
  if (!o.until.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_end_time(), ParseTimeFlag(o.until, "--until"));
  }
  request.set_page_size(o.page_size);
  request.set_page_token(o.page_token);
  Connection connection = ctx.Connect();
  v1::ListDecisionsResponse all;
  for (;;) {
    ASSIGN_OR_RETURN(v1::ListDecisionsResponse page,
                     connection.Call(&Stub::ListDecisions, request));
    for (v1::Decision& d : *page.mutable_decisions()) *all.add_decisions() = std::move(d);
    all.set_next_page_token(page.next_page_token());
    if (!o.all || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (ctx.global.json) {
    *ctx.out << ToJson(all);
    return 0;
  }
  *ctx.out << FormatDecisionList({all.decisions().begin(), all.decisions().end()});
  if (!all.next_page_token().empty()) {
    *ctx.out << "more: --page-token " << all.next_page_token() << " (or --all)\n";
  }
  return 0;
}

struct GetOptions {
  std::string name;
};

absl::StatusOr<int> RunGetDecision(const CommandContext& ctx, const GetOptions& o) {
  v1::GetDecisionRequest request;
  request.set_name(DecisionName(o.name));
  ASSIGN_OR_RETURN(const v1::Decision decision, ctx.Connect().Call(&Stub::GetDecision, request));
  *ctx.out << (ctx.global.json ? ToJson(decision) : FormatDecision(decision));
  return 0;
}

}  // namespace

void AddDecisionCommands(CLI::App* app, CommandContext* ctx) {
  {
    auto o = std::make_shared<ListOptions>();
    CLI::App* sub = app->add_subcommand("decisions", "List logged decisions, newest first.");
    sub->add_option("--model", o->model, "Only this model (id or models/ID)")->type_name("ID");
    sub->add_option("--verdict", o->verdict, "Only this verdict: APPROVE, REJECT or DEFER")
        ->check(CLI::IsMember({"APPROVE", "REJECT", "DEFER"}, CLI::ignore_case))
        ->type_name("VERDICT");
    sub->add_option("--page-size", o->page_size,
                    "Decisions per page (server default 50, at most 500)")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    sub->add_option("--page-token", o->page_token,
                    "Continue after a previous page (its next_page_token)")
        ->type_name("T");
    sub->add_flag("--all", o->all, "Follow next_page_token until the last page");
    sub->add_option("--since", o->since,
                    "Only decisions at or after this time (YYYY-MM-DD = UTC midnight, or "
                    "RFC 3339)")
        ->type_name("TIME");
    sub->add_option("--until", o->until, "Only decisions before this time (exclusive)")
        ->type_name("TIME");
    sub->footer("\nExample: greengate decisions --model churn --verdict APPROVE --all");
    SetAction(sub, ctx, o, &RunListDecisions);
  }
  {
    auto o = std::make_shared<GetOptions>();
    CLI::App* sub = app->add_subcommand(
        "decision", "Show one logged decision with all its checks, drift, gain and cost.");
    sub->add_option("name", o->name, "Decision name (decisions/ID) or id")
        ->required()
        ->type_name("NAME");
    SetAction(sub, ctx, o, &RunGetDecision);
  }
}

}  // namespace greengate::client
