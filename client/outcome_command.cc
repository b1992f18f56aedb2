// report-outcome: what an approved retrain really cost and gained, from CodeCarbon's
// emissions.csv or from numbers measured otherwise. The server learns its energy and gain
// estimates from these outcomes.

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "client/codecarbon.h"
#include "client/command.h"
#include "client/json_io.h"
#include "client/names.h"
#include "client/output.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct ReportOutcomeOptions {
  std::string decision;
  std::string codecarbon_path;
  bool codecarbon_all_runs = false;
  std::optional<double> energy_kwh;
  std::optional<double> co2e_kg;
  std::optional<double> duration_s;
  std::string source;
  std::optional<double> accuracy_before;
  std::optional<double> accuracy_after;
  // Shadow scoring: both models on the same post-deployment rows.
  std::optional<int64_t> shadow_rows;
  std::optional<int64_t> shadow_correct_before;
  std::optional<int64_t> shadow_correct_after;
  std::string evaluation_set;
  int64_t evaluation_rows = 0;
  int64_t training_rows = 0;
};

std::string FormatOutcome(const v1::Outcome& o) {
  std::ostringstream out;
  out << "outcome of " << o.decision() << " (" << o.source() << ")\n";
  std::vector<std::vector<std::string>> rows = {
      {"energy", FormatNumber(o.energy_kwh()) + " kWh",
       "estimated " + FormatNumber(o.estimated_energy_kwh()) + " kWh"},
      {"co2e", FormatNumber(o.co2e_kg()) + " kg", ""},
  };
  if (o.has_duration_s()) rows.push_back({"duration", FormatNumber(o.duration_s()) + " s", ""});
  if (o.has_shadow()) {
    rows.push_back({"shadow scored",
                    std::to_string(o.shadow().correct_before()) + " -> " +
                        std::to_string(o.shadow().correct_after()) + " of " +
                        std::to_string(o.shadow().rows()) + " rows",
                    ""});
  }
  if (o.has_accuracy_after()) {
    std::string before = o.has_accuracy_before() ? FormatNumber(o.accuracy_before()) : "-";
    rows.push_back({"accuracy", before + " -> " + FormatNumber(o.accuracy_after()),
                    "expected gain " + FormatNumber(100 * o.expected_gain()) + " points"});
  }
  if (!o.evaluation_set().empty() || o.evaluation_rows() > 0) {
    rows.push_back({"evaluated on", o.evaluation_set().empty() ? "-" : o.evaluation_set(),
                    std::to_string(o.evaluation_rows()) + " rows"});
  }
  out << FormatTable(rows, "  ");
  return out.str();
}

absl::StatusOr<int> RunReportOutcome(const CommandContext& ctx, const ReportOutcomeOptions& o) {
  if (!o.accuracy_after && !o.shadow_rows) {
    return UsageError(ctx,
                      "report-outcome: give the gain as --shadow-rows/--shadow-correct-before/"
                      "--shadow-correct-after (both models on post-deployment rows) or as "
                      "--accuracy-after (with --accuracy-before)");
  }
  const bool from_file = !o.codecarbon_path.empty();
  if (from_file == o.energy_kwh.has_value()) {
    return UsageError(ctx,
                      "report-outcome: give the measured energy with either --codecarbon "
                      "FILE or --energy-kwh X");
  }
  if (from_file && (o.co2e_kg || o.duration_s)) {
    return UsageError(ctx,
                      "report-outcome: --co2e-kg and --duration-s come from the "
                      "--codecarbon file; give them only with --energy-kwh");
  }
  v1::ReportOutcomeRequest request;
  v1::Outcome* outcome = request.mutable_outcome();
  outcome->set_decision(DecisionName(o.decision));
  if (from_file) {
    ASSIGN_OR_RETURN(const CodeCarbonTotals totals,
                     ReadCodeCarbonFile(o.codecarbon_path, o.codecarbon_all_runs));
    outcome->set_energy_kwh(totals.energy_kwh);
    outcome->set_co2e_kg(totals.co2e_kg);
    outcome->set_duration_s(totals.duration_s);
    outcome->set_source(o.source.empty() ? "codecarbon" : o.source);
  } else {
    outcome->set_energy_kwh(*o.energy_kwh);
    if (o.co2e_kg) outcome->set_co2e_kg(*o.co2e_kg);
    if (o.duration_s) outcome->set_duration_s(*o.duration_s);
    outcome->set_source(o.source.empty() ? "manual" : o.source);
  }
  if (o.accuracy_before) outcome->set_accuracy_before(*o.accuracy_before);
  if (o.accuracy_after) outcome->set_accuracy_after(*o.accuracy_after);
  if (o.shadow_rows) {
    outcome->mutable_shadow()->set_rows(*o.shadow_rows);
    outcome->mutable_shadow()->set_correct_before(*o.shadow_correct_before);
    outcome->mutable_shadow()->set_correct_after(*o.shadow_correct_after);
  }
  outcome->set_evaluation_set(o.evaluation_set);
  outcome->set_evaluation_rows(o.evaluation_rows);
  outcome->set_training_rows(o.training_rows);
  ASSIGN_OR_RETURN(const v1::Outcome stored, ctx.Connect().Call(&Stub::ReportOutcome, request));
  *ctx.out << (ctx.global.json ? ToJson(stored) : FormatOutcome(stored));
  return 0;
}

}  // namespace

void AddOutcomeCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<ReportOutcomeOptions>();
  CLI::App* sub = app->add_subcommand(
      "report-outcome",
      "Report what an approved retrain really cost and gained. The server learns from these "
      "outcomes: energy estimates extrapolate from measured kWh per training row, and the "
      "share of a degradation a retrain recovers is learned. Once per decision.");
  sub->add_option("--decision", o->decision,
                  "The APPROVE decision the retrain ran under (id or decisions/ID)")
      ->required()
      ->type_name("D");
  auto* file = sub->add_option("--codecarbon", o->codecarbon_path,
                               "CodeCarbon emissions.csv: energy_consumed (kWh), emissions (kg) "
                               "and duration (s) of the last run in the file")
                   ->type_name("FILE");
  sub->add_flag("--codecarbon-all-runs", o->codecarbon_all_runs,
                "Sum the last row of every run in the file instead of taking the last run")
      ->needs(file);
  sub->add_option_function<double>(
         "--energy-kwh", [o](const double& v) { o->energy_kwh = v; }, "Measured energy, kWh")
      ->check(CLI::NonNegativeNumber)
      ->type_name("X");
  sub->add_option_function<double>(
         "--co2e-kg", [o](const double& v) { o->co2e_kg = v; },
         "Measured kg CO2e (default: the energy at the decision's carbon intensity)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("Y");
  sub->add_option_function<double>(
         "--duration-s", [o](const double& v) { o->duration_s = v; }, "Job duration, seconds")
      ->check(CLI::NonNegativeNumber)
      ->type_name("Z");
  sub->add_option("--source", o->source,
                  "Where the numbers come from (default: codecarbon with --codecarbon, else "
                  "manual)")
      ->type_name("NAME");
  auto* before = sub->add_option_function<double>(
                        "--accuracy-before", [o](const double& v) { o->accuracy_before = v; },
                        "Accuracy of the deployed model on the evaluation set, before the "
                        "retrain")
                     ->check(CLI::Range(0.0, 1.0))
                     ->type_name("A");
  auto* after = sub->add_option_function<double>(
                       "--accuracy-after", [o](const double& v) { o->accuracy_after = v; },
                       "Accuracy of the retrained model on the same evaluation set")
                    ->check(CLI::Range(0.0, 1.0))
                    ->type_name("B");
  auto* shadow_rows =
      sub->add_option_function<int64_t>(
             "--shadow-rows", [o](const int64_t& v) { o->shadow_rows = v; },
             "Shadow scoring (the measure the server learns from): labeled rows collected "
             "after the new model was deployed, scored by both the replaced and the new model")
          ->check(CLI::PositiveNumber)
          ->type_name("N");
  auto* shadow_before =
      sub->add_option_function<int64_t>(
             "--shadow-correct-before", [o](const int64_t& v) { o->shadow_correct_before = v; },
             "Of those rows, how many the replaced model got right")
          ->check(CLI::NonNegativeNumber)
          ->type_name("K");
  auto* shadow_after =
      sub->add_option_function<int64_t>(
             "--shadow-correct-after", [o](const int64_t& v) { o->shadow_correct_after = v; },
             "Of those rows, how many the new model got right")
          ->check(CLI::NonNegativeNumber)
          ->type_name("K");
  shadow_rows->needs(shadow_before)->needs(shadow_after);
  shadow_before->needs(shadow_rows);
  shadow_after->needs(shadow_rows);
  shadow_rows->excludes(before)->excludes(after);

  sub->add_option("--evaluation-set", o->evaluation_set, "Name of the evaluation set")
      ->type_name("NAME");
  sub->add_option("--evaluation-rows", o->evaluation_rows, "Rows in the evaluation set")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  sub->add_option("--training-rows", o->training_rows,
                  "Rows the retrain trained on (lets later estimates scale kWh per row)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  sub->footer(
      "\nExample: greengate report-outcome --decision 0123abcd --codecarbon emissions.csv "
      "--accuracy-before 0.86 --accuracy-after 0.91 --evaluation-set holdout-2024-05 "
      "--evaluation-rows 5000 --training-rows 1200000\n"
      "Errors: FAILED_PRECONDITION for a decision that did not approve, ALREADY_EXISTS when "
      "the decision already has an outcome.");
  SetAction(sub, ctx, o, &RunReportOutcome);
}

}  // namespace greengate::client
