#include "client/csv_profile_flags.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/core/profile/limits.h"

namespace greengate::client {
namespace {

CLI::Option* Needing(CLI::Option* option, CLI::Option* needs) {
  return needs == nullptr ? option : option->needs(needs);
}

}  // namespace

CLI::Option* AddProfileOrCsvFlags(CLI::App* sub, std::string* profile_path, std::string* csv_path,
                                  const std::string& profile_help, const std::string& csv_help) {
  CLI::Option* profile =
      sub->add_option("--profile", *profile_path, profile_help)->type_name("FILE");
  CLI::Option* csv = sub->add_option("--csv", *csv_path, csv_help)->type_name("FILE");
  profile->excludes(csv);
  return csv;
}

CLI::Option* AddReferenceCsvFlags(CLI::App* sub, CsvProfileOptions* options, CLI::Option* needs) {
  Needing(sub->add_option("--categorical", options->categorical,
                          "Reference: columns to treat as categorical even if numeric (ids, "
                          "codes)"),
          needs)
      ->delimiter(',')
      ->type_name("COLS");
  Needing(sub->add_option("--exclude", options->exclude, "Reference: columns to leave out"), needs)
      ->delimiter(',')
      ->type_name("COLS");
  return Needing(sub->add_option("--bins", options->bins,
                                 "Reference: quantile bins per numeric column (ties can give "
                                 "fewer)"),
                 needs)
      ->check(CLI::Range(1, static_cast<int>(profile::kMaxBinEdges) + 1));
}

// An option stored in `field` only when given, so that a current profile can tell it from
// the default and take its reference's value instead.
template <typename T>
CLI::Option* AddOptional(CLI::App* sub, const std::string& name, std::optional<T>* field,
                         const std::string& help) {
  return sub->add_option_function<T>(
      name, [field](const T& value) { *field = value; }, help);
}

void AddSamplingCsvFlags(CLI::App* sub, CsvProfileOptions* options, CLI::Option* needs) {
  const std::string current_note =
      "; with --model: the reference's own value (recorded in it) unless given";
  Needing(AddOptional(sub, "--sample-size", &options->sample_size,
                      absl::StrCat("Reservoir sample kept per numeric column (for KS and "
                                   "Wasserstein tests); default ",
                                   kDefaultCsvSampleSize, current_note)),
          needs)
      ->check(CLI::Range(int64_t{0}, profile::kMaxSampleSize));
  Needing(AddOptional(sub, "--top-k", &options->top_k,
                      absl::StrCat("Categories kept per categorical column, the rest count as "
                                   "other; default ",
                                   kDefaultCsvTopK,
                                   ". With --model every reference category is counted and "
                                   "this bounds the new categories listed; the reference's "
                                   "own value unless given")),
          needs)
      ->check(CLI::Range(int64_t{1}, profile::kMaxCategories));
  Needing(AddOptional(sub, "--seed", &options->seed,
                      absl::StrCat("Seeds the reservoir samples: same file and seed, same "
                                   "profile; default ",
                                   kDefaultCsvSeed, ".", current_note)),
          needs);
  Needing(AddOptional(sub, "--joint-sample", &options->joint_sample_size,
                      absl::StrCat("Complete numeric rows kept jointly for the multivariate "
                                   "drift tests (MMD, PCA error); default 0 = none.",
                                   current_note)),
          needs)
      ->check(CLI::Range(int64_t{0}, profile::kMaxJointSampleRows));
  AddThreadsFlag(sub, options, needs);
}

void AddThreadsFlag(CLI::App* sub, CsvProfileOptions* options, CLI::Option* needs) {
  Needing(sub->add_option("--threads", options->threads,
                          "Threads parsing and profiling the CSV (0 = one per hardware thread, "
                          "at most 8); the profile is the same for any number"),
          needs)
      ->check(CLI::Range(0, 64));
}

}  // namespace greengate::client
