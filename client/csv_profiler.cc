#include "client/csv_profiler.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/csv_blocks.h"
#include "client/csv_reader.h"
#include "server/common/status_macros.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/decimal.h"
#include "server/core/profile/validate.h"

namespace greengate::client {
namespace {

using profile::FeatureKind;
using profile::FeatureSpec;
using profile::ProfileBuilder;

// `text` quoted for a message, escaped and cut short so a wild value cannot flood it.
std::string Quote(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string escaped = absl::CEscape(absl::string_view(text.data(), std::min(text.size(), kMax)));
  return absl::StrCat("'", escaped, text.size() > kMax ? "...'" : "'");
}

absl::Status Annotate(const absl::Status& status, const std::string& where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

int ThreadCount(const CsvProfileOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

// A CSV file whose header has been read; NextBlock() yields blocks of whole records.
class CsvFile {
 public:
  static absl::StatusOr<std::unique_ptr<CsvFile>> Open(const std::string& path,
                                                       size_t block_bytes) {
    auto file = std::unique_ptr<CsvFile>(new CsvFile(path, block_bytes));
    if (!*file->in_) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
    }
    RETURN_IF_ERROR(file->ReadHeader());
    return file;
  }

  const std::vector<std::string>& header() const { return header_; }
  const std::string& path() const { return path_; }

  // The next block and the offset of its first record; false at the end of the file.
  absl::StatusOr<bool> NextBlock(CsvBlock* block, size_t* offset) {
    if (first_.has_value()) {
      *block = std::move(*first_);
      first_.reset();
      *offset = first_offset_;
      return true;
    }
    *offset = 0;
    absl::StatusOr<bool> more = reader_.Next(block);
    if (!more.ok()) return Annotate(more.status(), path_);
    return more;
  }

 private:
  // "-" is standard input, which can be read only once.
  CsvFile(const std::string& path, size_t block_bytes)
      : path_(path == "-" ? "stdin" : path),
        file_(path == "-" ? std::ifstream() : std::ifstream(path, std::ios::binary)),
        in_(path == "-" ? static_cast<std::istream*>(&std::cin) : &file_),
        reader_(in_, block_bytes, CsvReader::kDefaultMaxRecordBytes) {}

  absl::Status ReadHeader() {
    CsvBlock block;
    std::vector<std::string_view> fields;
    for (;;) {  // the header is the first record, whichever block it is in
      absl::StatusOr<bool> more = reader_.Next(&block);
      if (!more.ok()) return Annotate(more.status(), path_);
      if (!*more) return absl::InvalidArgumentError(absl::StrCat(path_, ": empty, no header"));
      CsvRecordParser parser(&block);
      absl::StatusOr<bool> got = parser.Next(&fields);
      if (!got.ok()) return Annotate(got.status(), path_);
      if (!*got) continue;  // only blank lines so far
      header_line_ = parser.RecordLine();
      header_.assign(fields.begin(), fields.end());
      first_offset_ = parser.offset();
      first_ = std::move(block);
      return CheckHeader();
    }
  }

  absl::Status CheckHeader() const {
    const std::string where = absl::StrCat(path_, " line ", header_line_);
    absl::flat_hash_map<std::string, size_t> seen;
    for (size_t i = 0; i < header_.size(); ++i) {
      if (header_[i].empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": column ", i + 1, " of the header has no name"));
      }
      const auto [it, inserted] = seen.emplace(header_[i], i);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": column ", Quote(header_[i]),
                                                       " appears twice (columns ", it->second + 1,
                                                       " and ", i + 1, ")"));
      }
    }
    return absl::OkStatus();
  }

  std::string path_;
  std::ifstream file_;
  std::istream* in_;
  CsvBlockReader reader_;
  std::vector<std::string> header_;
  int64_t header_line_ = 1;
  std::optional<CsvBlock> first_;
  size_t first_offset_ = 0;
};

// OK when every name in `names` is a column of `header`; else InvalidArgument naming `flag`.
absl::Status CheckColumns(const std::vector<std::string>& names,
                          const std::vector<std::string>& header, const std::string& flag,
                          const std::string& path) {
  const absl::flat_hash_set<std::string> columns(header.begin(), header.end());
  for (const std::string& name : names) {
    if (!columns.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", Quote(name), " is not a column of ", path));
    }
  }
  return absl::OkStatus();
}

// What one pass reads: for each schema feature, its CSV column and kind.
struct PassPlan {
  std::vector<size_t> columns;       // CSV column of schema feature j
  std::vector<FeatureSpec> schema;   // kinds as the builder sees them
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
constexpr uint64_t kFieldTag = 0xFFFC000000000000ULL;  // sign, exponent and two top fraction bits

double FieldRef(size_t offset, size_t length) {
  return std::bit_cast<double>(kFieldTag | (static_cast<uint64_t>(offset) << 4) | length);
}

bool IsFieldRef(double v) { return (std::bit_cast<uint64_t>(v) & kFieldTag) == kFieldTag; }

// A pass-1 column entry as a value: a field reference parsed from `text`, else the entry.
double FieldValue(double entry, const char* text) {
  if (!IsFieldRef(entry)) return entry;
  const uint64_t bits = std::bit_cast<uint64_t>(entry) & ~kFieldTag;
  double value = 0;
  const bool parsed = profile::ParsePlainDecimalPadded(
      std::string_view(text + (bits >> 4), static_cast<size_t>(bits & 0xF)), &value);
  assert(parsed);  // IsShortPlainDecimalPadded() took it, so the parser does
  (void)parsed;
  return value;
}

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
  std::vector<std::optional<KindFailure>> failures;       // pass 1: first non-number per feature
  // The first error in the block. `error_row` >= 0 when it is about a value of that row
  // (within the block), whose absolute number is known only once earlier blocks are counted.
  absl::Status error;
  int64_t error_line = 0;
  int64_t error_row = -1;
};

// What ParseBlock() does with the fields of one CSV column.
struct ColumnAction {
  int32_t feature = -1;    // schema feature it feeds; -1: not read
  double* dest = nullptr;  // numeric features: the block's column, indexed by row
};

// Takes the fields of one block into a ParsedBlock's columns: the one place that decides what
// a field means, for both ways of splitting records (below).
class FieldTaker {
 public:
  FieldTaker(const PassPlan& plan, ParsedBlock* out)
      : plan_(plan), out_(out), refs_(plan.detect_kinds), text_(out->block.text.data()),
        text_end_(out->block.text.data() + out->block.text.size()) {}

  // One field of row `row` (within the block), whose record starts at `record`. A value
  // that is not a number is noted (pass 1) or becomes the record's error (Error()),
  // reported once its field count is known to be right (a ragged record's error is about
  // its fields).
  [[gnu::always_inline]] void Take(const ColumnAction& action, std::string_view field,
                                   int64_t row, const char* record) {
    if (action.dest == nullptr) {
      out_->categorical[action.feature].push_back(field);
      return;
    }
    // The fast number parser reads up to 8 bytes past a field; the last fields of a block
    // may not have them.
    if (field.data() + field.size() + 8 <= text_end_) {
      if (refs_ && profile::IsShortPlainDecimalPadded(field)) {
        action.dest[row] = FieldRef(static_cast<size_t>(field.data() - text_), field.size());
        return;
      }
      if (profile::ParsePlainDecimalPadded(field, &action.dest[row])) return;
    }
    TakeOther(action, field, row, record);
  }

  // The first value of the current record that is not a number (pass 2 and current
  // profiles), as the block's error for row `row`, whose record starts at `record`; false
  // when there is none.
  bool Error(const CsvRecordParser& parser, const char* record, int64_t row) {
    if (bad_feature_ < 0) return false;
    out_->error_line = parser.LineAt(record);
    out_->error_row = row;
    out_->error = absl::InvalidArgumentError(
        absl::StrCat("feature ", Quote(plan_.schema[bad_feature_].name), ": ", bad_message_));
    return true;
  }

 private:
  [[gnu::noinline]] void TakeOther(const ColumnAction& action, std::string_view field,
                                   int64_t row, const char* record) {
    const size_t j = static_cast<size_t>(action.feature);
    double& dest = action.dest[row];
    dest = std::numeric_limits<double>::quiet_NaN();
    // Already known not to be numeric (pass 1): what its other values are no longer matters.
    if (plan_.detect_kinds && out_->failures[j].has_value()) return;
    absl::StatusOr<double> value = profile::ParseNumericField(field);
    if (value.ok()) {
      // Any NaN ("-nan" too) as the canonical one, which is never a field reference.
      dest = std::isnan(*value) ? std::numeric_limits<double>::quiet_NaN() : *value;
    } else if (plan_.detect_kinds) {
      out_->failures[j] = KindFailure{record, 0, std::string(field)};
    } else if (bad_feature_ < 0) {
      bad_feature_ = static_cast<int>(j);
      bad_message_ = std::string(value.status().message());
    }
  }

  const PassPlan& plan_;
  ParsedBlock* out_;
  const bool refs_;  // pass 1: short plain decimals as field references, not parsed
  const char* text_;
  const char* text_end_;
  int bad_feature_ = -1;
  std::string bad_message_;
};

// Splits `out->block` into records with CsvRecordParser (any CSV, quoted fields included)
// and takes the fields `actions` read; false on an error (in `out`).
bool TakeParsedRecords(size_t width, const std::vector<ColumnAction>& actions,
                       FieldTaker& taker, CsvRecordParser& parser, ParsedBlock* out) {
  std::vector<std::string_view> fields;
  fields.reserve(width);
  for (int64_t row = 0;; ++row) {
    absl::StatusOr<bool> more = parser.Next(&fields);
    if (!more.ok()) {
      out->error = more.status();
      return false;
    }
    if (!*more) return true;
    if (fields.size() != width) {
      out->error_line = parser.RecordLine();
      out->error = absl::InvalidArgumentError(
          absl::StrCat("has ", fields.size(), " fields; the header has ", width));
      return false;
    }
    for (size_t c = 0; c < width; ++c) {
      if (actions[c].feature >= 0) taker.Take(actions[c], fields[c], row, parser.record_start());
    }
    if (taker.Error(parser, parser.record_start(), row)) return false;
    out->rows = row + 1;
  }
}

// The same for a block without quotes (ScanQuoteFreeRecords()); kQuote when it has one after
// all, and then `out` is to be started over.
ScanEnd TakeQuoteFreeRecords(size_t width, const std::vector<ColumnAction>& actions,
                             FieldTaker& taker, const CsvRecordParser& parser, ParsedBlock* out) {
  const char* const begin = out->block.text.data() + out->offset;
  const char* const end = out->block.text.data() + out->block.text.size();
  const ColumnAction* const action = actions.data();
  int64_t row = 0;
  const char* record_start = begin;
  const ScanEnd scan = ScanQuoteFreeRecords(
      begin, end,
      [&](size_t column, const char* field, const char* field_end)
          __attribute__((always_inline)) {
            if (column == 0) record_start = field;
            if (column < width && action[column].feature >= 0) {
              taker.Take(action[column], std::string_view(field, field_end - field), row,
                         record_start);
            }
            return true;
          },
      [&](size_t fields, const char* record) {
        if (fields != width) {
          out->error_line = parser.LineAt(record);
          out->error = absl::InvalidArgumentError(
              absl::StrCat("has ", fields, " fields; the header has ", width));
          return false;
        }
        if (taker.Error(parser, record, row)) return false;
        ++row;
        return true;
      });
  out->rows = row;
  return scan;
}

// Tokenises `out->block` and parses the fields `plan` reads. Runs on a worker thread.
void ParseBlock(const PassPlan& plan, size_t width, ParsedBlock* out) {
  const size_t features = plan.schema.size();
  // The columns keep their capacity from block to block: no allocation in the steady state.
  out->numeric.resize(features);
  out->categorical.resize(features);
  // A block holds at most one record per line break, plus one without a line break at EOF.
  const size_t max_rows = static_cast<size_t>(out->block.lines) + 1;
  std::vector<ColumnAction> actions(width);
  for (size_t j = 0; j < features; ++j) {
    out->numeric[j].clear();
    if (plan.detect_kinds && plan.schema[j].kind == FeatureKind::kCategorical) continue;
    ColumnAction& action = actions[plan.columns[j]];
    action.feature = static_cast<int32_t>(j);
    if (plan.schema[j].kind == FeatureKind::kNumeric) {
      out->numeric[j].resize(max_rows);
      action.dest = out->numeric[j].data();
    }
  }
  auto start = [&] {
    out->rows = 0;
    out->failures.assign(features, std::nullopt);
    for (auto& column : out->categorical) column.clear();
    for (const ColumnAction& action : actions) {
      if (action.feature >= 0 && action.dest == nullptr) {
        out->categorical[action.feature].reserve(max_rows);  // never grows
      }
    }
  };
  start();
  CsvRecordParser parser(&out->block, out->offset);
  bool ok;
  {
    FieldTaker taker(plan, out);
    const ScanEnd scan = TakeQuoteFreeRecords(width, actions, taker, parser, out);
    ok = scan == ScanEnd::kDone;
    if (scan == ScanEnd::kQuote) {  // quoted fields: the general parser, from the start
      start();
      FieldTaker fresh(plan, out);
      ok = TakeParsedRecords(width, actions, fresh, parser, out);
    }
  }
  if (!ok) return;
  for (const ColumnAction& action : actions) {
    if (action.dest != nullptr) out->numeric[action.feature].resize(out->rows);
  }
}

// Threads 1..n-1 that live for a whole pass (the caller is thread 0): starting threads for
// every group of blocks cost as much as the work on a small block. Not thread-safe (one
// caller).
class Workers {
 public:
  explicit Workers(int n) {
    threads_.reserve(n - 1);
    for (int t = 1; t < n; ++t) threads_.emplace_back([this, t] { Loop(t); });
  }
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      ++generation_;
    }
    start_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  // Runs `work(t)` for t in [0, n) (n at most the threads given) and waits for all of them.
  void Run(int n, const std::function<void(int)>& work) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      work_ = &work;
      active_ = n;
      running_ = n - 1;
      ++generation_;
    }
    start_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return running_ == 0; });
  }

 private:
  void Loop(int t) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* work = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        start_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (t >= active_) continue;
        work = work_;
      }
      (*work)(t);
      std::lock_guard<std::mutex> lock(mu_);
      if (--running_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(int)>* work_ = nullptr;
  int active_ = 0;
  int running_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// One pass over the data rows of `file` into `builder`. Blocks are read `threads` at a time;
// thread t parses block t of the group and then feeds its columns to every feature's builder,
// feature by feature, each only once thread t-1 has fed its block to that feature: every
// feature sees the blocks in row order, so the result does not depend on `threads`, and a
// block's columns never leave the core that parsed them (when another core read them, the
// next block's writes to the same memory cost a third more CPU). Pass 1 of a reference
// records each numeric feature's first non-number (in file order) in `failures`.
absl::Status RunPass(CsvFile& file, const PassPlan& plan, int threads, ProfileBuilder& builder,
                     std::vector<std::optional<KindFailure>>* failures) {
  const size_t width = file.header().size();
  const size_t features = plan.schema.size();
  if (failures != nullptr) failures->assign(features, std::nullopt);
  std::vector<ParsedBlock> group(threads);
  // Features each thread has fed its block of the current group to, in schema order.
  std::vector<std::atomic<size_t>> fed(threads);
  auto feed = [&](int t) {
    const ParsedBlock& parsed = group[t];
    for (size_t j = 0; j < features; ++j) {
      if (t > 0) {
        for (size_t before = fed[t - 1].load(std::memory_order_acquire); before <= j;
             before = fed[t - 1].load(std::memory_order_acquire)) {
          fed[t - 1].wait(before, std::memory_order_acquire);
        }
      }
      // A block with an error feeds nothing (the pass fails); later blocks need not wait.
      if (parsed.error.ok()) {
        if (plan.schema[j].kind == FeatureKind::kNumeric && plan.detect_kinds) {
          // Pass 1: the edges' sample, parsing only the fields the reservoir draws.
          const NumericColumn& column = parsed.numeric[j];
          const char* const text = parsed.block.text.data();
          builder.SampleNumericLazily(
              j, column.size(),
              [&column](size_t i) { return IsFieldRef(column[i]) || std::isfinite(column[i]); },
              [&column, text](size_t i) { return FieldValue(column[i], text); });
        } else if (plan.schema[j].kind == FeatureKind::kNumeric) {
          builder.AddNumericValues(j, parsed.numeric[j]);
        } else if (!plan.detect_kinds) {  // pass 1 does not read categorical features
          builder.AddCategoricalValues(j, parsed.categorical[j]);
        }
      }
      fed[t].store(j + 1, std::memory_order_release);
      fed[t].notify_one();
    }
  };
  Workers workers(threads);
  int64_t rows_before = 0;
  for (;;) {
    int blocks = 0;
    for (; blocks < threads; ++blocks) {
      ParsedBlock& parsed = group[blocks];
      ASSIGN_OR_RETURN(const bool more, file.NextBlock(&parsed.block, &parsed.offset));
      if (!more) break;
      parsed.rows = 0;
      parsed.error = absl::OkStatus();
      parsed.error_row = -1;
    }
    if (blocks == 0) return absl::OkStatus();
    for (std::atomic<size_t>& f : fed) f.store(0, std::memory_order_relaxed);
    workers.Run(blocks, [&](int t) {
      ParseBlock(plan, width, &group[t]);
      feed(t);
    });
    for (int b = 0; b < blocks; ++b) {
      const ParsedBlock& parsed = group[b];
      if (!parsed.error.ok()) {
        if (parsed.error_line == 0) return Annotate(parsed.error, file.path());  // malformed
        const std::string where = absl::StrCat(file.path(), " line ", parsed.error_line);
        if (parsed.error_row < 0) return Annotate(parsed.error, where);
        return absl::Status(parsed.error.code(),
                            absl::StrCat(where, ": row ", rows_before + parsed.error_row + 1, ", ",
                                         parsed.error.message()));
      }
      rows_before += parsed.rows;
      if (failures == nullptr) continue;
      for (size_t j = 0; j < features; ++j) {
        if (!(*failures)[j].has_value() && parsed.failures[j].has_value()) {
          (*failures)[j] = parsed.failures[j];
          (*failures)[j]->line = CsvRecordParser(&group[b].block).LineAt((*failures)[j]->record);
          (*failures)[j]->record = nullptr;  // the block's text is reused
        }
      }
    }
    for (int b = 0; b < blocks; ++b) {
      // The joint sample is drawn in pass 2 (pass 1's columns hold field references).
      std::vector<absl::Span<const double>> columns;
      for (size_t j = 0; j < features && !plan.detect_kinds; ++j) {
        if (plan.schema[j].kind == FeatureKind::kNumeric) columns.emplace_back(group[b].numeric[j]);
      }
      builder.EndBlock(group[b].rows, columns);
    }
  }
}

}  // namespace

// OK when `profile`, just built from `path`, is one the server takes. Finite values can
// still make one it does not: numbers near the range of a double (1e200, say) have squared
// deviations that overflow, so m2 is infinite. That is the data's problem, named here with
// its column (InvalidArgument) rather than by set-reference or should-retrain later; any
// other invalidity would be a bug of the profiler (Internal).
absl::Status CheckBuiltProfile(const profile::DataProfile& profile, const std::string& path,
                               bool reference) {
  for (const profile::FeatureProfile& feature : profile.features) {
    if (feature.is_numeric() && !std::isfinite(feature.numeric().m2)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": column ", Quote(feature.name),
          ": its values are too spread out for a double (from ", feature.numeric().min, " to ",
          feature.numeric().max, ", the sum of squared deviations from the mean overflows); "
          "rescale the column or leave it out with --exclude"));
    }
  }
  const absl::Status valid = reference ? profile::ValidateReference(profile, "profile")
                                       : profile::ValidateProfile(profile, "profile");
  if (!valid.ok()) {
    return absl::InternalError(
        absl::StrCat(path, ": the profiler built an invalid profile (a bug): ", valid.message()));
  }
  return absl::OkStatus();
}

profile::ProfileBuilderOptions BuilderOptions(const CsvProfileOptions& options) {
  profile::ProfileBuilderOptions b;
  b.sample_capacity = options.sample_size;
  b.joint_sample_capacity = options.joint_sample_size;
  b.max_categories = options.top_k;
  b.tracked_categories = std::max(b.tracked_categories, options.top_k);
  b.seed = options.seed;
  return b;
}

profile::ProfileBuilderOptions CurrentBuilderOptions(const CsvProfileOptions& options,
                                                     const profile::DataProfile& reference) {
  profile::ProfileBuilderOptions b = BuilderOptions(options);
  // A current profile carries a joint sample whenever its reference does: the multivariate
  // tests need one on both sides.
  if (b.joint_sample_capacity == 0 && reference.joint.has_value()) {
    b.joint_sample_capacity = reference.joint->rows;
  }
  return b;
}

absl::StatusOr<CsvProfile> ProfileReferenceCsv(const std::string& path,
                                               const CsvProfileOptions& options) {
  if (path == "-") {
    return absl::InvalidArgumentError(
        "--csv: a reference profile reads the file twice, so it cannot come from stdin");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<CsvFile> file, CsvFile::Open(path, options.block_bytes));
  const std::vector<std::string> header = file->header();
  RETURN_IF_ERROR(CheckColumns(options.categorical, header, "--categorical", path));
  RETURN_IF_ERROR(CheckColumns(options.exclude, header, "--exclude", path));
  const absl::flat_hash_set<std::string> excluded(options.exclude.begin(), options.exclude.end());
  const absl::flat_hash_set<std::string> categorical(options.categorical.begin(),
                                                     options.categorical.end());
  PassPlan plan;
  for (size_t i = 0; i < header.size(); ++i) {
    if (excluded.contains(header[i])) continue;
    plan.columns.push_back(i);
    plan.schema.push_back({header[i], categorical.contains(header[i]) ? FeatureKind::kCategorical
                                                                      : FeatureKind::kNumeric});
  }
  if (plan.schema.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--exclude: leaves no column of ", path, " to profile"));
  }
  const int threads = ThreadCount(options);
  const profile::ProfileBuilderOptions builder_options = BuilderOptions(options);
  CsvProfile result;

  // Pass 1: each column's kind (a numeric candidate turns categorical at its first value
  // that is not a number) and the numeric reservoirs, whose quantiles become the edges.
  absl::StatusOr<ProfileBuilder> created = ProfileBuilder::Create(plan.schema, builder_options);
  if (!created.ok()) return Annotate(created.status(), path);
  ProfileBuilder pass1 = *std::move(created);
  plan.detect_kinds = true;
  std::vector<std::optional<KindFailure>> failures;
  RETURN_IF_ERROR(RunPass(*file, plan, threads, pass1, &failures));
  for (size_t j = 0; j < plan.schema.size(); ++j) {
    if (!failures[j].has_value()) continue;
    plan.schema[j].kind = FeatureKind::kCategorical;
    result.notes.push_back(absl::StrCat(plan.schema[j].name, ": categorical (", path, " line ",
                                        failures[j]->line, ": ", Quote(failures[j]->text),
                                        " is not a number)"));
  }
  // The edges and a builder counting on them; it keeps pass 1's reservoirs. Only the bin
  // count can be wrong here (the schema and options passed Create() above).
  absl::StatusOr<ProfileBuilder> pass2 =
      pass1.SecondPass(plan.schema, builder_options, options.bins);
  if (!pass2.ok()) return Annotate(pass2.status(), "--bins");

  // Pass 2 reads the file again from the start and counts every column on those edges.
  ASSIGN_OR_RETURN(file, CsvFile::Open(path, options.block_bytes));
  if (file->header() != header) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": the header changed between the two passes"));
  }
  plan.detect_kinds = false;
  RETURN_IF_ERROR(RunPass(*file, plan, threads, *pass2, nullptr));
  if (pass2->rows() != pass1.rows()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": had ", pass1.rows(), " rows on the first pass and ", pass2->rows(),
                     " on the second; was it changed while being read?"));
  }
  result.profile = pass2->Finish();
  RETURN_IF_ERROR(CheckBuiltProfile(result.profile, file->path(), true));
  return result;
}

absl::StatusOr<CsvProfile> ProfileCurrentCsv(const std::string& path,
                                             const profile::DataProfile& reference,
                                             const CsvProfileOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<CsvFile> file, CsvFile::Open(path, options.block_bytes));
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < file->header().size(); ++i) index.emplace(file->header()[i], i);
  PassPlan plan;
  for (const profile::FeatureProfile& feature : reference.features) {
    const auto it = index.find(feature.name);
    if (it == index.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the reference feature ", Quote(feature.name),
                       " is not a column of the header; the current data must have every reference "
                       "feature"));
    }
    plan.columns.push_back(it->second);
    plan.schema.push_back({feature.name, feature.is_numeric() ? FeatureKind::kNumeric
                                                              : FeatureKind::kCategorical});
  }
  absl::StatusOr<ProfileBuilder> builder =
      ProfileBuilder::ForReference(reference, CurrentBuilderOptions(options, reference));
  if (!builder.ok()) return Annotate(builder.status(), "reference");
  RETURN_IF_ERROR(RunPass(*file, plan, ThreadCount(options), *builder, nullptr));
  CsvProfile result;
  result.profile = builder->Finish();
  RETURN_IF_ERROR(CheckBuiltProfile(result.profile, file->path(), false));
  return result;
}

}  // namespace greengate::client
