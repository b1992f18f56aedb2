// The gate: should-retrain. Its exit code carries the verdict so a pipeline step can branch
// on it: 0 APPROVE, 10 REJECT, 11 DEFER.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/command.h"
#include "client/csv_profile_flags.h"
#include "client/forecast_reader.h"
#include "client/json_io.h"
#include "client/model_csv_profile.h"
#include "client/names.h"
#include "client/output.h"
#include "client/plan_flags.h"
#include "client/profile_io.h"
#include "server/common/status_macros.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct ShouldRetrainOptions {
  std::string model;
  std::string profile_path;
  std::string csv_path;   // instead of profile_path: profiled here on the reference
  CsvProfileOptions csv;  // --threads; the rest are the reference's own options
  std::optional<int64_t> labeled_rows;
  std::optional<int64_t> labeled_correct;
  std::string plan_path;
  PlanFlags plan;
  std::string idempotency_key;
  // Unlabeled evidence, alternative plans, carbon forecast.
  std::string scores_path;
  std::vector<std::string> alt_plan_paths;
  std::string forecast_path;
  // A challenger: a proxy retrain and the deployed model on the same holdout.
  v1::Challenger challenger;
  bool has_challenger = false;
};

absl::StatusOr<int> RunShouldRetrain(const CommandContext& ctx, const ShouldRetrainOptions& o) {
  if (o.plan_path.empty() && o.plan.empty() && o.alt_plan_paths.empty()) {
    return UsageError(ctx,
                      "should-retrain: describe the training job with --plan FILE or with "
                      "flags (at least --hours)");
  }
  if (!o.plan_path.empty() && !o.plan.empty()) {
    return UsageError(ctx,
                      "should-retrain: --plan FILE and the training job flags exclude "
                      "each other");
  }
  if (o.profile_path.empty() == o.csv_path.empty()) {
    return UsageError(ctx,
                      "should-retrain: give the current data as --profile FILE (from `greengate "
                      "profile --model`) or as --csv FILE, not both");
  }
  Connection connection = ctx.Connect();
  v1::ShouldRetrainRequest request;
  request.set_model(ModelName(o.model));
  if (!o.csv_path.empty()) {
    ASSIGN_OR_RETURN(const CsvProfile current,
                     ProfileCsvOnModel(connection, o.model, o.csv_path, o.csv));
    *request.mutable_current() = mapping::ProfileToProto(current.profile);
  } else {
    RETURN_IF_ERROR(ReadProfileFile(o.profile_path, request.mutable_current()));
  }
  if (o.labeled_rows) {
    request.mutable_labeled()->set_rows(*o.labeled_rows);
    request.mutable_labeled()->set_correct(*o.labeled_correct);
  }
  if (!o.plan_path.empty()) {
    RETURN_IF_ERROR(ReadJsonFile(o.plan_path, request.mutable_plan()));
  } else if (!o.plan.empty()) {
    *request.mutable_plan() = PlanFromFlags(o.plan);
  }
  for (const std::string& path : o.alt_plan_paths) {
    RETURN_IF_ERROR(ReadJsonFile(path, request.add_plans()));
  }
  if (!o.scores_path.empty()) {
    RETURN_IF_ERROR(ReadJsonFile(o.scores_path, request.mutable_scores()));
  }
  if (!o.forecast_path.empty()) {
    ASSIGN_OR_RETURN(std::vector<v1::CarbonForecastPoint> forecast,
                     ReadForecastFile(o.forecast_path));
    for (v1::CarbonForecastPoint& p : forecast) *request.add_forecast() = std::move(p);
  }
  request.set_idempotency_key(o.idempotency_key);
  if (o.has_challenger) *request.mutable_challenger() = o.challenger;
  ASSIGN_OR_RETURN(const v1::Decision decision, connection.Call(&Stub::ShouldRetrain, request));
  *ctx.out << (ctx.global.json ? ToJson(decision) : FormatDecision(decision));
  return VerdictExitCode(decision.verdict());
}

// --challenger-rows and friends: a proxy retrain scored beside the deployed model.
void AddChallengerFlags(CLI::App* sub, ShouldRetrainOptions* o) {
  v1::Challenger* c = &o->challenger;
  auto* rows = sub->add_option_function<int64_t>(
                      "--challenger-rows",
                      [o, c](const int64_t& v) {
                        o->has_challenger = true;
                        c->set_rows(v);
                      },
                      "Challenger: recent labeled holdout rows (not trained on) on which a cheap "
                      "proxy retrain and the deployed model were both scored")
                   ->check(CLI::PositiveNumber)
                   ->type_name("N");
  auto* proxy = sub->add_option_function<int64_t>(
                       "--proxy-correct", [c](const int64_t& v) { c->set_proxy_correct(v); },
                       "Holdout rows the proxy retrain got right")
                    ->check(CLI::NonNegativeNumber)
                    ->type_name("K");
  auto* deployed =
      sub->add_option_function<int64_t>(
             "--deployed-correct", [c](const int64_t& v) { c->set_deployed_correct(v); },
             "Holdout rows the deployed model got right")
          ->check(CLI::NonNegativeNumber)
          ->type_name("K");
  auto* proxy_only =
      sub->add_option_function<int64_t>(
             "--proxy-only-correct", [c](const int64_t& v) { c->set_proxy_only_correct(v); },
             "Optional: holdout rows only the proxy got right (with --deployed-only-correct: "
             "the pairing narrows the bound)")
          ->check(CLI::NonNegativeNumber)
          ->type_name("K");
  auto* deployed_only =
      sub->add_option_function<int64_t>(
             "--deployed-only-correct", [c](const int64_t& v) { c->set_deployed_only_correct(v); },
             "Optional: holdout rows only the deployed model got right")
          ->check(CLI::NonNegativeNumber)
          ->type_name("K");
  auto* kwh = sub->add_option_function<double>(
                     "--challenger-kwh", [c](const double& v) { c->set_energy_kwh(v); },
                     "Measured energy of the proxy run, kWh (shown in the decision)")
                  ->check(CLI::NonNegativeNumber)
                  ->type_name("X");
  auto* description =
      sub->add_option_function<std::string>(
             "--challenger-description", [c](const std::string& v) { c->set_description(v); },
             "What the proxy was, e.g. \"10% subsample, 2 epochs\"")
          ->type_name("TEXT");
  rows->needs(proxy)->needs(deployed);
  for (CLI::Option* dependent : {proxy, deployed, proxy_only, deployed_only, kwh, description}) {
    dependent->needs(rows);
  }
  proxy_only->needs(deployed_only);
  deployed_only->needs(proxy_only);
}

}  // namespace

void AddRetrainCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<ShouldRetrainOptions>();
  CLI::App* sub = app->add_subcommand(
      "should-retrain",
      "Ask the gate whether the model may be retrained now: drift of the current profile "
      "against the reference, the expected accuracy gain (from a labeled window), and the "
      "energy and carbon of the training job, weighed under the model's policy. The decision "
      "is logged before it is printed.");
  sub->add_option("--model", o->model, "Model id (\"churn\") or name (\"models/churn\")")
      ->required()
      ->type_name("ID");
  CLI::Option* csv = AddProfileOrCsvFlags(
      sub, &o->profile_path, &o->csv_path,
      "Current DataProfile (JSON or binary), from `greengate profile --model` ('-' = stdin); "
      "or --csv",
      "Current data as a CSV file, profiled here on the model's reference as `greengate "
      "profile --model` does (with the reference's own options), instead of --profile: one step, "
      "no profile file "
      "('-' = stdin)");
  AddThreadsFlag(sub, &o->csv, csv);
  auto* rows = sub->add_option_function<int64_t>(
                      "--labeled-rows", [o](const int64_t& v) { o->labeled_rows = v; },
                      "Recently labeled rows the deployed model predicted")
                   ->check(CLI::PositiveNumber)
                   ->type_name("N");
  auto* correct = sub->add_option_function<int64_t>(
                         "--labeled-correct", [o](const int64_t& v) { o->labeled_correct = v; },
                         "How many of those it predicted correctly")
                      ->check(CLI::NonNegativeNumber)
                      ->type_name("K");
  rows->needs(correct);
  correct->needs(rows);
  AddChallengerFlags(sub, o.get());
  sub->add_option("--plan", o->plan_path,
                  "TrainingPlan JSON ('-' = stdin), instead of the training job flags")
      ->type_name("FILE");
  AddPlanFlags(sub, &o->plan);
  sub->add_option("--alt-plan", o->alt_plan_paths,
                  "Another TrainingPlan JSON to weigh (repeatable; e.g. recent data only): each "
                  "is costed and the one with the best net value is chosen")
      ->type_name("FILE");
  sub->add_option("--scores", o->scores_path,
                  "NumericProfile JSON of the deployed model's top-class confidence on the new "
                  "rows (no labels: confidence-based estimation, if the reference's scores are "
                  "calibrated)")
      ->type_name("FILE");
  sub->add_option("--forecast", o->forecast_path,
                  "Carbon-intensity forecast CSV (time,carbon_intensity_g_per_kwh) for "
                  "carbon-aware deferral (policy max_deferral)")
      ->type_name("FILE");
  sub->add_option("--idempotency-key", o->idempotency_key,
                  "Retries with the same key return the stored decision instead of a new one")
      ->type_name("KEY");
  sub->footer(
      "\nOutput: the verdict and one-line reason, each policy check (observed, limit, pass; "
      "'*' marks the decisive one), drifted features, the gain estimate and the cost with "
      "their methods; --json prints the Decision message.\n"
      "Exit codes: 0 APPROVE, 10 REJECT, 11 DEFER, 1 error, 2 usage error.\n"
      "Example: greengate should-retrain --model churn --profile current.json "
      "--labeled-rows 2000 --labeled-correct 1700 --accelerator nvidia-a100-40gb "
      "--accelerators 8 --cpu-cores 32 --memory-gb 256 --hours 10 --region FR --provider gcp");
  SetAction(sub, ctx, o, &RunShouldRetrain);
}

}  // namespace greengate::client
