#include "client/forecast_reader.h"

#include <fstream>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/csv_reader.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/status_macros.h"

namespace greengate::client {

absl::StatusOr<std::vector<v1::CarbonForecastPoint>> ParseForecast(std::istream* in,
                                                                   const std::string& name) {
  CsvReader reader(in);
  std::vector<std::string> fields;
  ASSIGN_OR_RETURN(const bool has_header, reader.Next(&fields));
  std::optional<size_t> time_col, ci_col;
  if (has_header) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == "time") time_col = i;
      if (fields[i] == "carbon_intensity_g_per_kwh") ci_col = i;
    }
  }
  if (!time_col || !ci_col) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the header needs the columns time and carbon_intensity_g_per_kwh"));
  }
  std::vector<v1::CarbonForecastPoint> out;
  while (true) {
    ASSIGN_OR_RETURN(const bool has_row, reader.Next(&fields));
    if (!has_row) break;
    const int64_t line = reader.record_line();
    absl::Time time;
    std::string error;
    if (*time_col >= fields.size() ||
        !absl::ParseTime(absl::RFC3339_full, fields[*time_col], &time, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": line ", line,
                                                     ": time: expected RFC 3339, e.g. "
                                                     "2026-11-23T22:00:00Z"));
    }
    double ci = 0;
    if (*ci_col >= fields.size() || !absl::SimpleAtod(fields[*ci_col], &ci)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": line ", line, ": carbon_intensity_g_per_kwh: expected a number"));
    }
    v1::CarbonForecastPoint& p = out.emplace_back();
    *p.mutable_time() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(time));
    p.set_carbon_intensity_g_per_kwh(ci);
  }
  return out;
}

absl::StatusOr<std::vector<v1::CarbonForecastPoint>> ReadForecastFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  return ParseForecast(&in, path);
}

}  // namespace greengate::client
