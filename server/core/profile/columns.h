#pragma once

// Profiles of data held in columns (a DataFrame's arrays) rather than CSV text: the same
// ProfileBuilder calls, in the same order and with the same options, as the CLI's CSV
// profiler (client/csv_profiler.h) makes for the same rows, so the profile is the one
// `greengate profile` writes for those rows as CSV, bit for bit. Rows are read a block at a
// time, so memory beyond the caller's columns is bounded by the block size.
//
// Unlike the CSV profiler, column kinds are the caller's (a DataFrame's dtypes say them); the
// CSV profiler's kinds agree when every non-numeric column is named in its --categorical.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/profile.h"

namespace greengate::profile {

// Rows [begin, begin + rows) of one feature. Exactly one of the two spans is filled, `rows`
// long: `numeric` for a numeric feature (NaN or infinity for a missing value), `categorical`
// for a categorical one (an empty view for a missing value).
struct ColumnSlice {
  absl::Span<const double> numeric;
  absl::Span<const std::string_view> categorical;
};

// Reads rows [begin, begin + rows) of schema feature `feature` into `slice`. The spans must
// stay valid until the next call for the same feature. Errors are returned as they are.
using ColumnReader = std::function<absl::Status(std::size_t feature, int64_t begin, int64_t rows,
                                                ColumnSlice* slice)>;

// A table in columns: its schema, row count and reader.
struct ColumnTable {
  std::vector<FeatureSpec> schema;
  int64_t rows = 0;
  ColumnReader read;
};

// Rows per block: a few hundred KB of any column, as the CSV profiler's blocks are. The
// profilers below take `threads` (>= 1; features of a block are split over them, and the
// profile does not depend on it) and call `table.read` from those threads, for different
// features at once.
inline constexpr int64_t kDefaultColumnBlockRows = 8192;

// ProfileReferenceColumns()
//
// The reference profile of `table` with `bins` quantile bins per numeric feature: pass 1
// fills the numeric reservoirs (and an edge sample of EdgeSampleCapacity(bins) values, as the
// CSV profiler's pass 1 does), their quantiles become the edges, pass 2 counts every
// feature on them (ProfileBuilder::SecondPass). InvalidArgument for a bad schema, options or
// bins (naming them); a reader's errors as they are. Check the result with
// CheckBuiltProfile() before sending it.
absl::StatusOr<DataProfile> ProfileReferenceColumns(const ColumnTable& table,
                                                    const ProfileBuilderOptions& options, int bins,
                                                    int64_t block_rows = kDefaultColumnBlockRows,
                                                    int threads = 1);

// ProfileColumnsOn()
//
// The profile of `table` on `reference`'s features, kinds and bin edges (one pass). The
// table's schema must have the reference's features, in its order and with its kinds
// (InvalidArgument naming "schema[i]" otherwise); the caller picks those columns out.
absl::StatusOr<DataProfile> ProfileColumnsOn(const ColumnTable& table, const DataProfile& reference,
                                             const ProfileBuilderOptions& options,
                                             int64_t block_rows = kDefaultColumnBlockRows,
                                             int threads = 1);

// CheckBuiltProfile()
//
// OK when `profile`, just built from data the caller names `source` (a file's path, say), is
// one the server takes. Finite values can still make one it does not: numbers near the range
// of a double (1e200, say) have squared deviations that overflow, so m2 is infinite; that is
// the data's problem (InvalidArgument naming the column and suggesting `leave_out`, the
// caller's way of leaving a column out, e.g. "--exclude"). Any other invalidity is a bug of
// the builder (Internal). The CSV and column profilers both end with it.
absl::Status CheckBuiltProfile(const DataProfile& profile, std::string_view source, bool reference,
                               std::string_view leave_out);

}  // namespace greengate::profile
