// Commands about models and their references: register, get-model, models, set-reference.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/csv_profile_flags.h"
#include "client/csv_profiler.h"
#include "client/importance_flags.h"
#include "client/json_io.h"
#include "client/names.h"
#include "client/output.h"
#include "client/profile_io.h"
#include "server/common/status_macros.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct RegisterOptions {
  std::string model;
  std::string version;
  std::string display_name;
  std::string task;
};

absl::StatusOr<int> RunRegister(const CommandContext& ctx, const RegisterOptions& o) {
  v1::RegisterModelRequest request;
  request.set_model_id(ModelId(o.model));
  request.mutable_model()->set_deployed_version(o.version);
  request.mutable_model()->set_display_name(o.display_name);
  request.mutable_model()->set_task(o.task);
  ASSIGN_OR_RETURN(const v1::Model model, ctx.Connect().Call(&Stub::RegisterModel, request));
  if (ctx.global.json) {
    *ctx.out << ToJson(model);
  } else {
    *ctx.out << "registered " << model.name() << " (version " << model.deployed_version() << ")\n";
  }
  return 0;
}

struct ModelOptions {
  std::string model;
};

absl::StatusOr<int> RunGetModel(const CommandContext& ctx, const ModelOptions& o) {
  v1::GetModelRequest request;
  request.set_name(ModelName(o.model));
  ASSIGN_OR_RETURN(const v1::Model model, ctx.Connect().Call(&Stub::GetModel, request));
  *ctx.out << (ctx.global.json ? ToJson(model) : FormatModel(model));
  return 0;
}

struct NoOptions {};

absl::StatusOr<int> RunListModels(const CommandContext& ctx, const NoOptions&) {
  ASSIGN_OR_RETURN(const v1::ListModelsResponse response,
                   ctx.Connect().Call(&Stub::ListModels, v1::ListModelsRequest()));
  *ctx.out << (ctx.global.json ? ToJson(response) : FormatModelList(response));
  return 0;
}

struct SetReferenceOptions {
  std::string model;
  std::string profile_path;
  std::string csv_path;  // instead of profile_path: the training data, profiled here
  CsvProfileOptions csv;
  double accuracy = 0;
  int64_t evaluation_rows = 0;
  std::string scores_path;  // top-class confidence on the evaluation set
  // Feature importance for the importance-weighted drifted share.
  std::vector<std::string> importance;
  std::string importance_file;
  // A retrain that landed: the new version and the decision that approved it.
  std::string version;
  std::string approved_by;
};

// --importance / --importance-file into the reference profile; no-op when neither is given.
absl::Status ApplyImportance(const SetReferenceOptions& o, v1::DataProfile* profile) {
  if (!o.importance_file.empty()) {
    std::ifstream in(o.importance_file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("--importance-file: cannot open ", o.importance_file));
    }
    std::stringstream text;
    text << in.rdbuf();
    ASSIGN_OR_RETURN(const auto weights, ParseImportanceCsv(text.str(), o.importance_file));
    return SetImportance(weights, "--importance-file", profile);
  }
  if (o.importance.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(const auto weights, ParseImportancePairs(o.importance));
  return SetImportance(weights, "--importance", profile);
}

absl::StatusOr<int> RunSetReference(const CommandContext& ctx, const SetReferenceOptions& o) {
  if (o.profile_path.empty() == o.csv_path.empty()) {
    return UsageError(ctx,
                      "set-reference: give the reference as --profile FILE (from `greengate "
                      "profile`) or as --csv FILE (the training data), not both");
  }
  v1::SetReferenceRequest request;
  v1::Reference* reference = request.mutable_reference();
  reference->set_model(ModelName(o.model));
  std::vector<std::string> notes;  // the profiler's, on the kinds it decided
  if (!o.csv_path.empty()) {
    ASSIGN_OR_RETURN(CsvProfile profiled, ProfileReferenceCsv(o.csv_path, o.csv));
    *reference->mutable_profile() = mapping::ProfileToProto(profiled.profile);
    notes = std::move(profiled.notes);
  } else {
    RETURN_IF_ERROR(ReadProfileFile(o.profile_path, reference->mutable_profile()));
  }
  RETURN_IF_ERROR(ApplyImportance(o, reference->mutable_profile()));
  reference->set_accuracy(o.accuracy);
  reference->set_evaluation_rows(o.evaluation_rows);
  reference->set_model_version(o.version);
  if (!o.approved_by.empty()) reference->set_approved_by(DecisionName(o.approved_by));
  if (!o.scores_path.empty()) {
    RETURN_IF_ERROR(ReadJsonFile(o.scores_path, reference->mutable_scores()));
  }
  ASSIGN_OR_RETURN(const v1::Reference stored, ctx.Connect().Call(&Stub::SetReference, request));
  if (ctx.global.json) {
    // The stored reference echoes the profile back (without its samples); the caller
    // already has it.
    v1::Reference summary = stored;
    summary.clear_profile();
    *ctx.out << ToJson(summary);
  } else {
    *ctx.out << "stored " << FormatReference(stored);
    for (const std::string& note : notes) *ctx.out << "  " << note << "\n";
  }
  return 0;
}

void AddModelFlag(CLI::App* sub, std::string* model) {
  sub->add_option("--model", *model, "Model id (\"churn\") or name (\"models/churn\")")
      ->required()
      ->type_name("ID");
}

}  // namespace

void AddModelCommands(CLI::App* app, CommandContext* ctx) {
  {
    auto o = std::make_shared<RegisterOptions>();
    CLI::App* sub = app->add_subcommand(
        "register",
        "Register a model and the version currently deployed. Fails with ALREADY_EXISTS if "
        "the id is taken.");
    sub->add_option("--model", o->model,
                    "Model id: 1-63 characters of a-z, 0-9 and '-', starting with a letter "
                    "or digit (\"models/\" prefix accepted)")
        ->required()
        ->type_name("ID");
    sub->add_option("--version", o->version, "Deployed version the reference will describe")
        ->required()
        ->type_name("V");
    sub->add_option("--display-name", o->display_name, "Human-readable name");
    sub->add_option("--task", o->task, "Free text, e.g. binary-classification");
    sub->footer(
        "\nExample: greengate register --model churn --version v1 --task "
        "binary-classification");
    SetAction(sub, ctx, o, &RunRegister);
  }
  {
    auto o = std::make_shared<ModelOptions>();
    CLI::App* sub = app->add_subcommand(
        "get-model", "Show a model: deployed version, whether it has a reference, policy version.");
    AddModelFlag(sub, &o->model);
    SetAction(sub, ctx, o, &RunGetModel);
  }
  {
    auto o = std::make_shared<NoOptions>();
    CLI::App* sub = app->add_subcommand("models", "List the registered models.");
    SetAction(sub, ctx, o, &RunListModels);
  }
  {
    auto o = std::make_shared<SetReferenceOptions>();
    CLI::App* sub = app->add_subcommand(
        "set-reference",
        "Store the reference profile of the deployed version (the output of `greengate "
        "profile` on its training data) and, optionally, its accuracy at deployment. Later "
        "current profiles must use this reference's bin edges (`greengate profile --model`).");
    AddModelFlag(sub, &o->model);
    CLI::Option* csv = AddProfileOrCsvFlags(
        sub, &o->profile_path, &o->csv_path,
        "Reference DataProfile, JSON or binary ('-' = stdin); or --csv",
        "The training data as a CSV file, profiled here as `greengate profile --csv` does "
        "(with the flags below), instead of --profile: one step, no profile file");
    AddReferenceCsvFlags(sub, &o->csv, csv);
    AddSamplingCsvFlags(sub, &o->csv, csv);
    auto* accuracy = sub->add_option("--accuracy", o->accuracy,
                                     "Accuracy of the deployed model on its evaluation set, "
                                     "in [0, 1]: the baseline labeled windows are compared with")
                         ->check(CLI::Range(0.0, 1.0));
    auto* rows = sub->add_option("--evaluation-rows", o->evaluation_rows,
                                 "Size of that evaluation set (rows)")
                     ->check(CLI::PositiveNumber);
    accuracy->needs(rows);
    rows->needs(accuracy);
    sub->add_option("--scores", o->scores_path,
                    "NumericProfile JSON of the deployed model's top-class confidence on the "
                    "evaluation set; its calibration against --accuracy is checked, and "
                    "should-retrain --scores can then estimate accuracy without labels")
        ->needs(accuracy)
        ->type_name("FILE");
    auto* importance =
        sub->add_option("--importance", o->importance,
                        "Feature importance, FEATURE=WEIGHT,... (weights >= 0, e.g. the model's "
                        "feature_importances_): the drifted share is then importance-weighted and "
                        "features not listed weigh 0. Replaces any importance in the profile")
            ->delimiter(',')
            ->type_name("F=W,...");
    sub->add_option("--importance-file", o->importance_file,
                    "Feature importance as a CSV of FEATURE,WEIGHT lines (header optional), "
                    "instead of --importance")
        ->excludes(importance)
        ->check(CLI::ExistingFile)
        ->type_name("FILE");
    auto* version = sub->add_option("--version", o->version,
                                    "The version this reference describes (default: the "
                                    "deployed one). A new version records a retrain that "
                                    "landed: it becomes the deployed version")
                        ->type_name("V");
    sub->add_option("--approved-by", o->approved_by,
                    "With --version: the APPROVE decision (id or decisions/ID) whose retrain "
                    "produced it, for the governance report's version history")
        ->needs(version)
        ->type_name("D");
    sub->footer(
        "\nExample: greengate set-reference --model churn --profile ref.json "
        "--accuracy 0.91 --evaluation-rows 5000\n"
        "After an approved retrain: greengate set-reference --model churn --csv train.csv "
        "--accuracy 0.93 --evaluation-rows 5000 --version v8 --approved-by 0123abcd");
    SetAction(sub, ctx, o, &RunSetReference);
  }
}

}  // namespace greengate::client
