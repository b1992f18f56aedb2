// Profiling: `profile` (CSV -> reference or current DataProfile JSON) and `profile merge`
// (shard profiles -> one profile).

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/command.h"
#include "client/csv_profile_flags.h"
#include "client/csv_profiler.h"
#include "client/json_io.h"
#include "client/model_csv_profile.h"
#include "client/names.h"
#include "client/profile_io.h"
#include "client/tfdv_import.h"
#include "server/common/status_macros.h"
#include "server/core/profile/limits.h"
#include "server/core/profile/merge.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::client {
namespace {

using Stub = v1::RetrainGatekeeper::Stub;

struct ProfileOptions {
  std::string csv;
  std::string model;
  std::string out;
  std::string format = "auto";
  CsvProfileOptions csv_options;
  CLI::Option* bins_option = nullptr;  // to tell an explicit --bins from the default
};

std::string Summary(const profile::DataProfile& p, const std::string& kind, const std::string& csv,
                    const std::string& out) {
  int numeric = 0;
  for (const profile::FeatureProfile& f : p.features) numeric += f.is_numeric();
  return absl::StrCat(kind, " profile of ", csv, ": ", p.rows, " rows, ", p.features.size(),
                      " features (", numeric, " numeric, ", p.features.size() - numeric,
                      " categorical) -> ", out, "\n");
}

absl::StatusOr<int> RunProfile(const CommandContext& ctx, const ProfileOptions& o) {
  if (o.csv.empty()) {
    return UsageError(
        ctx, "profile: --csv is required (or use `greengate profile merge` / `from-tfdv`)");
  }
  ASSIGN_OR_RETURN(const ProfileFormat format, ParseProfileFormat(o.format, "--format"));
  CsvProfile result;
  if (o.model.empty()) {
    ASSIGN_OR_RETURN(result, ProfileReferenceCsv(o.csv, o.csv_options));
  } else {
    if (o.bins_option->count() > 0 || !o.csv_options.categorical.empty() ||
        !o.csv_options.exclude.empty()) {
      return UsageError(ctx,
                        "profile: --bins, --categorical and --exclude shape a reference; with "
                        "--model the model's reference fixes features, kinds and bin edges");
    }
    Connection connection = ctx.Connect();
    ASSIGN_OR_RETURN(result, ProfileCsvOnModel(connection, o.model, o.csv, o.csv_options));
  }
  RETURN_IF_ERROR(WriteProfile(mapping::ProfileToProto(result.profile), format, o.out, *ctx.out));
  if (!o.out.empty() && o.out != "-" && !ctx.global.json) {
    *ctx.out << Summary(result.profile, o.model.empty() ? "reference" : "current", o.csv, o.out);
    for (const std::string& note : result.notes) *ctx.out << "  " << note << "\n";
  }
  return 0;
}

struct MergeOptions {
  std::vector<std::string> files;
  std::string out;
  std::string format = "auto";
  profile::MergeOptions merge;
  std::optional<int64_t> top_k;
};

// MergeAll names a shard "shards[i]"; say which file that is.
absl::Status NameShard(const absl::Status& status, const std::vector<std::string>& files) {
  const std::string message(status.message());
  const std::string prefix = "shards[";
  size_t index = 0;
  const size_t close = message.find(']');
  if (message.rfind(prefix, 0) == 0 && close != std::string::npos &&
      absl::SimpleAtoi(message.substr(prefix.size(), close - prefix.size()), &index) &&
      index < files.size()) {
    return absl::Status(status.code(), absl::StrCat(files[index], ": ", message));
  }
  return status;
}

absl::StatusOr<int> RunMerge(const CommandContext& ctx, const MergeOptions& o) {
  ASSIGN_OR_RETURN(const ProfileFormat format, ParseProfileFormat(o.format, "--format"));
  std::vector<profile::DataProfile> shards;
  for (const std::string& path : o.files) {
    v1::DataProfile proto;
    RETURN_IF_ERROR(ReadProfileFile(path, &proto));
    absl::StatusOr<profile::DataProfile> shard = mapping::ProfileFromProto(proto, "profile");
    if (!shard.ok()) {
      return absl::Status(shard.status().code(),
                          absl::StrCat(path, ": ", shard.status().message()));
    }
    shards.push_back(*std::move(shard));
  }
  // The shards' own top-K (they record the same options) unless --top-k is given.
  profile::MergeOptions merge = o.merge;
  merge.max_categories = o.top_k.value_or(MergeTopK(shards));
  absl::StatusOr<profile::DataProfile> merged = profile::MergeAll(shards, merge);
  if (!merged.ok()) return NameShard(merged.status(), o.files);
  RETURN_IF_ERROR(WriteProfile(mapping::ProfileToProto(*merged), format, o.out, *ctx.out));
  if (!o.out.empty() && o.out != "-" && !ctx.global.json) {
    *ctx.out << "merged " << o.files.size() << " profiles (" << merged->rows << " rows, "
             << merged->features.size() << " features) -> " << o.out << "\n";
  }
  return 0;
}

struct FromTfdvOptions {
  std::string file;
  std::string model;
  std::string dataset;
  std::string out;
  std::string format = "auto";
};

absl::StatusOr<int> RunFromTfdv(const CommandContext& ctx, const FromTfdvOptions& o) {
  ASSIGN_OR_RETURN(const ProfileFormat format, ParseProfileFormat(o.format, "--format"));
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(o.file, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  TfdvImportOptions options;
  options.dataset = o.dataset;
  profile::DataProfile reference;
  if (!o.model.empty()) {
    v1::GetReferenceRequest request;
    request.set_model(ModelName(o.model));
    request.set_view(v1::REFERENCE_VIEW_BASIC);  // its edges and kinds; not its samples
    ASSIGN_OR_RETURN(const v1::Reference stored, ctx.Connect().Call(&Stub::GetReference, request));
    ASSIGN_OR_RETURN(reference, mapping::ProfileFromProto(stored.profile(), "reference.profile"));
    options.reference = &reference;
  }
  absl::StatusOr<TfdvImport> imported = ProfileFromTfdvJson(text.str(), options);
  if (!imported.ok()) {
    return absl::Status(imported.status().code(),
                        absl::StrCat(o.file, ": ", imported.status().message()));
  }
  RETURN_IF_ERROR(
      WriteProfile(mapping::ProfileToProto(imported->profile), format, o.out, *ctx.out));
  if (!o.out.empty() && o.out != "-" && !ctx.global.json) {
    *ctx.out << Summary(imported->profile, o.model.empty() ? "reference" : "current", o.file,
                        o.out);
    for (const std::string& note : imported->notes) *ctx.out << "  " << note << "\n";
  }
  return 0;
}

void AddFormatOption(CLI::App* sub, std::string* format) {
  sub->add_option("--format", *format,
                  "Output format: json; binary (serialized protobuf: smaller, and much faster "
                  "to write and read; every command that reads a profile accepts both); auto "
                  "(default): binary when the --out file name ends in .pb, else json")
      ->check(CLI::IsMember({"auto", "json", "binary"}))
      ->type_name("FORMAT");
}

void AddFromTfdvCommand(CLI::App* profile_cmd, CommandContext* ctx) {
  auto o = std::make_shared<FromTfdvOptions>();
  CLI::App* sub = profile_cmd->add_subcommand(
      "from-tfdv",
      "Convert TensorFlow Data Validation statistics (the JSON of a DatasetFeatureStatisticsList) "
      "into a DataProfile. Numeric features: the histogram's buckets become the bins (QUANTILES "
      "preferred), fractional counts kept; categorical: the rank histogram's counts, rounded. "
      "No sample is kept, so those features are compared by PSI. Without --model: a "
      "REFERENCE profile; with --model: a CURRENT profile whose histograms are re-binned onto "
      "the model's reference edges (uniform within each bucket).");
  sub->add_option("stats", o->file, "TFDV statistics JSON")
      ->required()
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  sub->add_option("--model", o->model, "Convert as current data of this model, on its reference")
      ->type_name("ID");
  sub->add_option("--dataset", o->dataset, "Dataset (slice) name; default: the first")
      ->type_name("NAME");
  sub->add_option("--out", o->out, "Write the profile here instead of stdout")->type_name("FILE");
  AddFormatOption(sub, &o->format);
  sub->footer("\nExample: greengate profile from-tfdv train_stats.json --out ref.json");
  SetAction(sub, ctx, o, &RunFromTfdv);
}

void AddMergeCommand(CLI::App* profile_cmd, CommandContext* ctx) {
  auto o = std::make_shared<MergeOptions>();
  o->merge.seed = 1;
  CLI::App* sub = profile_cmd->add_subcommand(
      "merge",
      "Merge profiles of disjoint shards of one dataset into the profile of the whole (e.g. "
      "partitions profiled in parallel). The shards must have the same features, kinds and "
      "bin edges: current profiles made with the same --model, or shards of a reference "
      "counted on shared edges. Counts, missing, bin counts, min and max add up exactly; mean "
      "and m2 agree with a single pass to rounding; the merged sample is a uniform sample of "
      "the union.");
  sub->add_option("profiles", o->files, "DataProfile files (JSON or binary), two or more")
      ->required()
      ->expected(2, 1 << 20)
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  sub->add_option("--out", o->out, "Write the merged profile here instead of stdout")
      ->type_name("FILE");
  AddFormatOption(sub, &o->format);
  sub->add_option("--seed", o->merge.seed,
                  "Seeds the reservoir merge (same inputs and seed, "
                  "same output)");
  sub->add_option("--sample-size", o->merge.sample_capacity,
                  "Merged reservoir size per numeric feature (0 = the larger input's; lowered "
                  "when a full shard reservoir is smaller, to stay uniform)")
      ->check(CLI::Range(int64_t{0}, profile::kMaxSampleSize));
  sub->add_option_function<int64_t>(
         "--top-k", [o](int64_t value) { o->top_k = value; },
         "Categories kept per categorical feature after adding counts (of current profiles "
         "counted on a reference: new categories kept; the reference's are all kept); "
         "default: the shards' own top-k (recorded in them), else 1000")
      ->check(CLI::Range(int64_t{1}, profile::kMaxCategories));
  sub->footer("\nExample: greengate profile merge part-0.json part-1.json --out all.json");
  SetAction(sub, ctx, o, &RunMerge);
}

}  // namespace

void AddProfileCommands(CLI::App* app, CommandContext* ctx) {
  auto o = std::make_shared<ProfileOptions>();
  CLI::App* sub = app->add_subcommand(
      "profile",
      "Profile a CSV file into a DataProfile (JSON or binary, see --format): statistics per "
      "column, never rows. "
      "Without --model: a REFERENCE profile (two passes over the file; numeric columns get "
      "quantile bin edges), for set-reference; it records the options it was made with. With "
      "--model: a CURRENT profile on that model's reference features, kinds, bin edges and "
      "categories (one pass), made with the reference's recorded options (--top-k, "
      "--sample-size, --seed, --joint-sample) unless given, for should-retrain. Memory "
      "stays bounded whatever the file size.");
  sub->require_subcommand(0, 1);
  sub->add_option("--csv", o->csv,
                  "CSV file: RFC 4180, header row first, ',' separated, quotes for fields "
                  "with commas, quotes or line breaks ('-' = stdin, with --model only)")
      ->type_name("FILE");
  sub->add_option("--model", o->model,
                  "Profile as current data of this model (id or models/ID), on its reference")
      ->type_name("ID");
  o->bins_option = AddReferenceCsvFlags(sub, &o->csv_options);
  AddSamplingCsvFlags(sub, &o->csv_options);
  sub->add_option("--out", o->out, "Write the profile here instead of stdout")->type_name("FILE");
  AddFormatOption(sub, &o->format);
  sub->footer(
      "\nColumn kinds (reference): numeric when every non-empty value is a number (empty, "
      "NA, N/A, NaN, null, none, inf count as missing), else categorical.\n"
      "Examples:\n"
      "  greengate profile --csv train.csv --categorical zip --exclude id --out ref.json\n"
      "  greengate profile --csv today.csv --model churn --out current.json");
  SetAction(sub, ctx, o, &RunProfile);
  AddMergeCommand(sub, ctx);
  AddFromTfdvCommand(sub, ctx);
}

}  // namespace greengate::client
