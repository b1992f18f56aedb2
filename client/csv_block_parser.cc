#include "client/csv_block_parser.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/core/profile/decimal.h"
#include "server/core/profile/format.h"

namespace greengate::client::internal {
namespace {

using profile::FeatureKind;
using profile::internal::QuoteForMessage;

// The field reference (kFieldTag) of the field at `offset` in the block's text, `length`
// bytes long (at most 9: a sign and 8 bytes).
double FieldRef(size_t offset, size_t length) {
  return std::bit_cast<double>(kFieldTag | (static_cast<uint64_t>(offset) << 4) | length);
}

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
      : plan_(plan),
        out_(out),
        refs_(plan.detect_kinds),
        text_(out->block.text.data()),
        text_end_(out->block.text.data() + out->block.text.size()) {}

  // One field of row `row` (within the block), whose record starts at `record`. A value
  // that is not a number is noted (pass 1) or becomes the record's error (Error()),
  // reported once its field count is known to be right (a ragged record's error is about
  // its fields).
  [[gnu::always_inline]] void Take(const ColumnAction& action, std::string_view field, int64_t row,
                                   const char* record) {
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
    out_->error = absl::InvalidArgumentError(absl::StrCat(
        "feature ", QuoteForMessage(plan_.schema[bad_feature_].name, 40), ": ", bad_message_));
    return true;
  }

 private:
  [[gnu::noinline]] void TakeOther(const ColumnAction& action, std::string_view field, int64_t row,
                                   const char* record) {
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
bool TakeParsedRecords(size_t width, const std::vector<ColumnAction>& actions, FieldTaker& taker,
                       CsvRecordParser& parser, ParsedBlock* out) {
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
      [&](size_t column, const char* field, const char* field_end) __attribute__((always_inline)) {
        if (column == 0) record_start = field;
        if (column < width && action[column].feature >= 0) {
          taker.Take(action[column], std::string_view(field, field_end - field), row, record_start);
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

}  // namespace

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

}  // namespace greengate::client::internal
