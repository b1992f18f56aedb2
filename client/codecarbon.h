#pragma once

// Reading CodeCarbon's emissions.csv (mlco2/codecarbon, the file its EmissionsTracker writes).
//
// The format: a header row, then one row per saved measurement. The columns read here are
//   energy_consumed  kWh (total of CPU, GPU and RAM energy, PUE applied),
//   emissions        kg CO2e,
//   duration         seconds,
// and the run identifier `run_id` (CodeCarbon 2.x) or `experiment_id` (1.x). Every value in a
// row is cumulative for its run: a tracker that saves periodically (save_to_file with
// on_csv_write="append", the default) appends a growing row for the same run, and each new
// tracker run appends rows under a new run id. Summing all rows would therefore count the
// periodic saves of one run several times.
//
// The choice made here: a run's measurement is its LAST row; by default the file's last run
// is reported (the retrain that just finished, when the file is shared across runs), and with
// `all_runs` the last rows of every run are summed (a retrain split over several tracked
// processes). Rows without a run id each count as their own run. Other columns are ignored,
// so older and newer CodeCarbon versions read alike.

#include <istream>
#include <string>

#include "absl/status/statusor.h"

namespace greengate::client {

struct CodeCarbonTotals {
  double energy_kwh = 0;
  double co2e_kg = 0;
  double duration_s = 0;
  int runs = 0;  // runs summed (1 unless all_runs)
  int rows = 0;  // data rows in the file
};

// ParseCodeCarbon(): InvalidArgument ("<name>: ...") for a missing column, an unparsable or
// negative number (naming line and column), or a file without data rows.
absl::StatusOr<CodeCarbonTotals> ParseCodeCarbon(std::istream* in, const std::string& name,
                                                 bool all_runs);

// Opens `path` and parses it; NotFound when it cannot be opened.
absl::StatusOr<CodeCarbonTotals> ReadCodeCarbonFile(const std::string& path, bool all_runs);

}  // namespace greengate::client
