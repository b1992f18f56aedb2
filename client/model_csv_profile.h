#pragma once

// The current profile of a CSV file on a model's stored reference: what `greengate profile
// --model` writes and `greengate should-retrain --csv` sends, one code path for both.

#include <string>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "client/csv_profiler.h"

namespace greengate::client {

// ProfileCsvOnModel()
//
// Fetches `model`'s reference (its basic view: features, kinds and bin edges, without the
// samples) over `connection` and profiles `csv` on it with ProfileCurrentCsv(). The errors
// of GetReference (NotFound: no such model or no reference yet) and of the profiler.
absl::StatusOr<CsvProfile> ProfileCsvOnModel(Connection& connection, const std::string& model,
                                             const std::string& csv,
                                             const CsvProfileOptions& options);

}  // namespace greengate::client
