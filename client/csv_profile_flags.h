#pragma once

// The flags that shape a CSV profile, shared by the commands that profile a CSV themselves:
// `profile`, `set-reference --csv` (reference flags and sampling flags) and
// `should-retrain --csv` (--threads).

#include <string>

#include "CLI/CLI.hpp"
#include "client/csv_profiler.h"

namespace greengate::client {

// AddProfileOrCsvFlags()
//
// --profile FILE (a profile file) and --csv FILE (a CSV the command profiles itself), which
// exclude each other (the command checks that one is given); returns --csv.
CLI::Option* AddProfileOrCsvFlags(CLI::App* sub, std::string* profile_path, std::string* csv_path,
                                  const std::string& profile_help, const std::string& csv_help);

// Each adds its flags to `sub`, storing into `options`; with `needs` (say, --csv), every flag
// added requires that option.

// AddReferenceCsvFlags()
//
// --categorical, --exclude and --bins; returns the --bins option (so a caller can tell an
// explicit --bins from the default).
CLI::Option* AddReferenceCsvFlags(CLI::App* sub, CsvProfileOptions* options,
                                  CLI::Option* needs = nullptr);

// AddSamplingCsvFlags()
//
// --sample-size, --top-k, --seed, --joint-sample and --threads.
void AddSamplingCsvFlags(CLI::App* sub, CsvProfileOptions* options, CLI::Option* needs = nullptr);

// AddThreadsFlag()
//
// --threads alone.
void AddThreadsFlag(CLI::App* sub, CsvProfileOptions* options, CLI::Option* needs = nullptr);

}  // namespace greengate::client
