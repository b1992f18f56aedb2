#include "client/codecarbon.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/csv_reader.h"
#include "server/common/status_macros.h"

namespace greengate::client {
namespace {

// One run's last row.
struct RunTotals {
  double energy_kwh = 0;
  double co2e_kg = 0;
  double duration_s = 0;
};

std::optional<size_t> FindColumn(const std::vector<std::string>& header, const char* name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

absl::StatusOr<double> Number(const std::vector<std::string>& fields, size_t column,
                              const std::string& name, int64_t line, const char* column_name) {
  double value = 0;
  if (column >= fields.size() || !absl::SimpleAtod(fields[column], &value) ||
      !std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": line ", line, ": column ", column_name, ": expected a number >= 0, got '",
        column < fields.size() ? fields[column] : "", "'"));
  }
  return value;
}

}  // namespace

absl::StatusOr<CodeCarbonTotals> ParseCodeCarbon(std::istream* in, const std::string& name,
                                                 bool all_runs) {
  CsvReader reader(in);
  std::vector<std::string> header;
  ASSIGN_OR_RETURN(const bool has_header, reader.Next(&header));
  if (!has_header) return absl::InvalidArgumentError(absl::StrCat(name, ": empty file"));
  const std::optional<size_t> energy = FindColumn(header, "energy_consumed");
  const std::optional<size_t> emissions = FindColumn(header, "emissions");
  const std::optional<size_t> duration = FindColumn(header, "duration");
  if (!energy || !emissions || !duration) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        ": not a CodeCarbon emissions.csv: the header needs the columns energy_consumed, "
        "emissions and duration"));
  }
  std::optional<size_t> run_column = FindColumn(header, "run_id");
  if (!run_column) run_column = FindColumn(header, "experiment_id");

  // Runs in order of first appearance; each keeps its last row.
  std::vector<std::string> order;
  std::map<std::string, RunTotals> runs;
  int rows = 0;
  std::vector<std::string> fields;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, reader.Next(&fields));
    if (!has_row) break;
    ++rows;
    const int64_t line = reader.record_line();
    RunTotals totals;
    ASSIGN_OR_RETURN(totals.energy_kwh, Number(fields, *energy, name, line, "energy_consumed"));
    ASSIGN_OR_RETURN(totals.co2e_kg, Number(fields, *emissions, name, line, "emissions"));
    ASSIGN_OR_RETURN(totals.duration_s, Number(fields, *duration, name, line, "duration"));
    std::string run = run_column && *run_column < fields.size() && !fields[*run_column].empty()
                          ? fields[*run_column]
                          : absl::StrCat("\n row ", line);  // no id: a run of its own
    if (runs.find(run) == runs.end()) {
      order.push_back(run);
    } else {
      // A later row of a known run moves it to the end: it is the most recent.
      order.erase(std::find(order.begin(), order.end(), run));
      order.push_back(run);
    }
    runs[run] = totals;
  }
  if (rows == 0) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": no data rows"));
  }
  CodeCarbonTotals out;
  out.rows = rows;
  const auto add = [&](const RunTotals& t) {
    out.energy_kwh += t.energy_kwh;
    out.co2e_kg += t.co2e_kg;
    out.duration_s += t.duration_s;
    ++out.runs;
  };
  if (all_runs) {
    for (const std::string& run : order) add(runs[run]);
  } else {
    add(runs[order.back()]);
  }
  return out;
}

absl::StatusOr<CodeCarbonTotals> ReadCodeCarbonFile(const std::string& path, bool all_runs) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  return ParseCodeCarbon(&in, path, all_runs);
}

}  // namespace greengate::client
