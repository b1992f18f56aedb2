#pragma once

// TensorFlow Data Validation statistics -> DataProfile, for users who already compute TFDV
// statistics (`greengate profile from-tfdv stats.json`). The input is the protobuf JSON of a
// tensorflow_metadata DatasetFeatureStatisticsList:
//   datasets[].features[] with name (or path.step), and either
//   num_stats {common_stats {num_non_missing, num_missing}, mean, std_dev, min, max,
//              histograms[] {num_nan, type STANDARD|QUANTILES,
//                            buckets[] {low_value, high_value, sample_count}}}
//   or string_stats {common_stats, rank_histogram {buckets[] {label, sample_count}},
//                    top_values[] {value, frequency}}.
//
// Mapping. Numeric: the histogram (QUANTILES preferred, else STANDARD) gives the bins:
// the boundaries between buckets become bin_edges (equal boundaries merged, so edges stay
// strictly increasing), the bucket counts bin_counts, kept as doubles, so TFDV's fractional
// (weighted) counts are accepted; when they do not add up to a whole number they are scaled
// to the nearest one (a note says so), since count - missing is an integer. Missing is
// num_missing plus the histogram's num_nan; mean, min and max are TFDV's; m2 = std_dev^2 x n
// (TFDV's std_dev is the population one). TFDV keeps no sample, so the drift engine compares
// such features by PSI on the bins. Categorical: the rank histogram's (else top_values')
// counts, rounded to integers (the profile's categorical counts are integers; a note says
// when that changed a count); categories beyond them go to `other`.
//
// With a reference (a current profile), numeric histograms are re-binned onto the
// reference's edges, assuming values spread uniformly within each TFDV bucket (a
// zero-width bucket is a point mass): counts become fractional, which the profile allows.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/profile/profile.h"

namespace greengate::client {

struct TfdvImportOptions {
  // Dataset to convert, by name; empty: the first (TFDV writes one per slice).
  std::string dataset;
  // When set, a current profile on this reference's features, kinds and bin edges; features
  // of the reference missing from the statistics are an error.
  const profile::DataProfile* reference = nullptr;
};

struct TfdvImport {
  profile::DataProfile profile;
  std::vector<std::string> notes;  // one line per approximation or skipped feature
};

// ProfileFromTfdvJson()
//
// Converts `json` (a DatasetFeatureStatisticsList) as described above. InvalidArgument
// naming the JSON path ("datasets[0].features[3].num_stats.histograms[0].buckets[2]: ...")
// for malformed or inconsistent statistics, an unknown --dataset, or no convertible feature.
// Pure and thread-safe.
absl::StatusOr<TfdvImport> ProfileFromTfdvJson(const std::string& json,
                                               const TfdvImportOptions& options);

}  // namespace greengate::client
