#pragma once

// One block of a CSV file parsed for a profiling pass (csv_profiler.cc): its records split
// into fields (the quote-free scanner, or the RFC 4180 parser when the block has a quote)
// and each read column's fields taken as numbers or categories into per-feature columns.
// Internal to the CLI's CSV profiler.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "client/csv_blocks.h"
#include "server/core/profile/builder.h"

namespace greengate::client::internal {

// What one pass reads: for each schema feature, its CSV column and kind.
struct PassPlan {
  std::vector<size_t> columns;               // CSV column of schema feature j
  std::vector<profile::FeatureSpec> schema;  // kinds as the builder sees them
  // Pass 1 of a reference: a value of a numeric feature that is not a number is noted (the
  // feature turns categorical), not an error; categorical features are not read at all.
  bool detect_kinds = false;
};

// A non-number met in pass 1: where (its record's start in the block, then its line once
// the block is known to hold the first one) and what.
struct KindFailure {
  const char* record = nullptr;
  int64_t line = 0;
  std::string text;
};

// Pass 1 of a reference classifies a short plain decimal without parsing it
// (IsShortPlainDecimalPadded()) and keeps where it is instead: its offset in the block's text
// and its length, in the payload of a NaN with kFieldTag set. A value never has those bits
// (a missing one is a NaN without them: TakeOther() stores the canonical quiet NaN), so a
// pass-1 column holds parsed values, missing ones and field references side by side, and
// the reservoir parses only the fields it draws (FieldValue()).
inline constexpr uint64_t kFieldTag = 0xFFFC000000000000ULL;  // sign, exponent, two fraction bits

inline bool IsFieldRef(double v) { return (std::bit_cast<uint64_t>(v) & kFieldTag) == kFieldTag; }

// A pass-1 column entry as a value: a field reference parsed from `text` (the block's text),
// else the entry.
double FieldValue(double entry, const char* text);

// A block's values of one numeric feature. Sized for the most rows a block can hold before
// it is parsed (its line breaks + 1) and written by row, without initialising it first.
using NumericColumn = std::vector<double, DefaultInitAllocator<double>>;

// One block's rows, parsed: the fields of each schema feature as a column.
struct ParsedBlock {
  CsvBlock block;  // owns the text the categorical views point into
  size_t offset = 0;
  int64_t rows = 0;
  std::vector<NumericColumn> numeric;                      // by schema feature (numeric ones)
  std::vector<std::vector<std::string_view>> categorical;  // by schema feature
  std::vector<std::optional<KindFailure>> failures;        // pass 1: first non-number per feature
  // The first error in the block. `error_row` >= 0 when it is about a value of that row
  // (within the block), whose absolute number is known only once earlier blocks are counted.
  absl::Status error;
  int64_t error_line = 0;
  int64_t error_row = -1;
};

// Tokenises `out->block` and parses the fields `plan` reads. Runs on a worker thread.
void ParseBlock(const PassPlan& plan, size_t width, ParsedBlock* out);

}  // namespace greengate::client::internal
