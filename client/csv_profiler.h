#pragma once

// CSV file -> DataProfile, streaming: the file is read in blocks of whole records (a few MB)
// that are never kept, so memory is bounded by the number of columns, the block size and the
// profile options, not by the file. Blocks are tokenised and parsed on several threads (a
// block without quotes 64 bytes at a time), and each thread then feeds its block to every
// feature's statistics in row order (after the thread holding the previous block), so the
// profile is the same, bit for bit, whatever the number of threads.
//
// The first record is the header (column names). A reference profile takes two passes:
// pass 1 decides each column's kind (numeric when every value parses as a number, see below)
// and fills the numeric reservoirs; their quantiles become the bin edges; pass 2 counts every
// column on those edges. A current profile takes one pass on a reference's features, kinds
// and edges.
//
// Numeric values: profile::ParseNumericField() (decimal numbers, surrounding blanks
// ignored); empty fields and the markers NA, N/A, NaN, null, none count as missing, and so do
// inf and -inf (a profile holds finite numbers only).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/profile.h"

namespace greengate::client {

inline constexpr int64_t kDefaultCsvSampleSize = 1000;
inline constexpr int64_t kDefaultCsvTopK = 1000;
inline constexpr uint64_t kDefaultCsvSeed = 1;

struct CsvProfileOptions {
  // Reference only: columns profiled as categorical even when every value is a number
  // (ids, codes), and columns left out of the profile. Each must be in the header.
  std::vector<std::string> categorical;
  std::vector<std::string> exclude;
  int bins = profile::kDefaultReferenceBins;  // reference only: quantile bins per numeric column
  // Unset: the defaults below for a reference; for a current profile, the options its
  // reference recorded (DataProfile::options), else those defaults. Set: the value given
  // (on a reference's current profile, top_k bounds the unseen categories listed).
  // Reservoir values kept per numeric column: the exact tests of small data (a profile that
  // holds every value) and the legacy sample comparisons; the grid carries large data.
  std::optional<int64_t> sample_size;
  std::optional<int64_t> top_k;  // categories kept per categorical column
  std::optional<uint64_t> seed;  // the same file and seed give the same profile
  // Complete numeric rows kept jointly for the multivariate tests; 0 = none. Unset on a
  // current profile: its reference's recorded size, or the size of the reference's sample.
  std::optional<int64_t> joint_sample_size;
  // Threads that parse and profile; 0 = the machine's hardware threads (at most 8). The
  // output does not depend on it.
  int threads = 0;
  // Bytes of CSV read per block (per thread at a time); rounded up to a whole record.
  size_t block_bytes = size_t{1024} << 10;
};

// A profile and what the profiler noticed on the way, for people.
struct CsvProfile {
  profile::DataProfile profile;
  // One line per column detected as categorical, with the value that made it so,
  // e.g. "city: categorical (train.csv line 2: 'Paris' is not a number)".
  std::vector<std::string> notes;
};

// ProfileReferenceCsv()
//
// The reference profile of the CSV at `path` (two passes over the file, so not "-" for
// stdin). Errors name the file and line: NotFound when it cannot be opened, InvalidArgument
// for malformed CSV, a record whose field count differs from the header's, duplicate or
// empty column names, an unknown column in `categorical` / `exclude` ("--categorical: ..."),
// or no column left to profile.
absl::StatusOr<CsvProfile> ProfileReferenceCsv(const std::string& path,
                                               const CsvProfileOptions& options);

// ProfileCurrentCsv()
//
// The current profile of the CSV at `path` ("-": standard input) on `reference`'s features,
// kinds, bin edges and categories, in one pass, with the options the reference recorded
// unless `options` sets them (CurrentBuilderOptions()); `categorical`, `exclude` and `bins`
// are ignored (the reference fixes them). A note says which options were used.
// Columns not in the reference are ignored. InvalidArgument naming the feature when a
// reference feature is missing from the header or a value of a numeric feature is not a
// number (with file and line), plus the errors of ProfileReferenceCsv().
absl::StatusOr<CsvProfile> ProfileCurrentCsv(const std::string& path,
                                             const profile::DataProfile& reference,
                                             const CsvProfileOptions& options);

// BuilderOptions(), CurrentBuilderOptions() (in profile_options.cc)
//
// The ProfileBuilder options behind ProfileReferenceCsv() and ProfileCurrentCsv() of
// `reference`: both profiles equal a ProfileBuilder with these options fed the same rows one
// by one (AddRow), which tests and the fuzzer check. A current profile takes each option
// `options` leaves unset from the reference (profile::ReferenceOptions()).
profile::ProfileBuilderOptions BuilderOptions(const CsvProfileOptions& options);
profile::ProfileBuilderOptions CurrentBuilderOptions(const CsvProfileOptions& options,
                                                     const profile::DataProfile& reference);

// MergeTopK()
//
// The categories a merge of `shards` keeps per feature when the caller sets none (`greengate
// profile merge` without --top-k, greengate.merge without max_categories): the top-K the
// shards recorded (they record the same options), else kDefaultCsvTopK.
int64_t MergeTopK(const std::vector<profile::DataProfile>& shards);

}  // namespace greengate::client
