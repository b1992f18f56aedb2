#pragma once

// A carbon-intensity forecast for `should-retrain --forecast FILE`: CSV with the header
// `time,carbon_intensity_g_per_kwh`, times in RFC 3339 ("2026-11-23T22:00:00Z"), one row per
// point in time order (each holds until the next). Electricity Maps or National Grid ESO
// forecasts export to this shape with one column rename.

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "greengate/v1/greengate.pb.h"

namespace greengate::client {

// InvalidArgument ("<name>: line N: ...") for a missing column, a bad time or number.
absl::StatusOr<std::vector<v1::CarbonForecastPoint>> ParseForecast(std::istream* in,
                                                                   const std::string& name);
// NotFound when the file cannot be opened.
absl::StatusOr<std::vector<v1::CarbonForecastPoint>> ReadForecastFile(const std::string& path);

}  // namespace greengate::client
