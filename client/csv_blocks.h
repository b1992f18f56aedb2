#pragma once

// Fast CSV input for the profiler: the file is read in large blocks cut at record boundaries,
// so blocks can be tokenised in parallel, and records are split into fields in place (no
// per-field allocation). Same dialect and errors as CsvReader (csv_reader.h): RFC 4180,
// LF / CRLF / CR line ends, blank lines skipped, a UTF-8 byte-order mark skipped, quoted
// fields with "" for a quote; malformed input is InvalidArgument "line N: ...".

#include <bit>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace greengate::client {

// An allocator whose value-initialisation is default-initialisation, so that growing a
// vector of chars leaves the new bytes as they are: a block is read into right after, and
// zero-filling a megabyte per block showed up in profiles.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Whole records of a CSV file, as raw text.
struct CsvBlock {
  // Complete records (the last may lack its line break at EOF).
  std::vector<char, DefaultInitAllocator<char>> text;
  int64_t first_line = 1;  // line number of text[0]
  int64_t lines = 0;       // line breaks in `text` (CRLF counts once)
};

// CsvBlockReader cuts an istream it does not own into CsvBlocks of about `block_bytes` each.
// A block ends at a line break outside quotes, so a quoted field with line breaks is never
// split. Not thread-safe; the blocks it returns are independent of each other.
class CsvBlockReader {
 public:
  CsvBlockReader(std::istream* in, size_t block_bytes, int64_t max_record_bytes);

  // Next()
  //
  // Fills `*block` with the next records; false at the end of the input. InvalidArgument
  // when a record (or an unclosed quote) runs past `max_record_bytes`, DataLoss on a read
  // error.
  absl::StatusOr<bool> Next(CsvBlock* block);

 private:
  bool Fill(size_t want);

  std::istream* in_;
  size_t block_bytes_;
  int64_t max_record_bytes_;
  std::vector<char, DefaultInitAllocator<char>> pending_;  // bytes read, not yet handed out
  bool eof_ = false;
  bool bad_ = false;
  bool started_ = false;
  int64_t line_ = 1;
};

// CsvRecordParser splits the records of one block into fields. Quoted fields are unescaped
// in place, so fields point into the block's text and live as long as it. Not thread-safe;
// one per thread.
class CsvRecordParser {
 public:
  // Parses `block` from byte `offset` on (a record boundary).
  explicit CsvRecordParser(CsvBlock* block, size_t offset = 0) : block_(block) {
    pos_ = block->text.data() + offset;
    end_ = block->text.data() + block->text.size();
  }

  // Next()
  //
  // The next record's fields into `*fields` (cleared first); false at the end of the block.
  // InvalidArgument "line N: ..." on malformed CSV.
  absl::StatusOr<bool> Next(std::vector<std::string_view>* fields);

  // Line (1-based, in the file) on which the record last returned starts; computed on demand
  // (for messages), by counting the line breaks before it.
  int64_t RecordLine() const;
  // Start of the record last returned, in the block's text.
  const char* record_start() const { return record_start_; }
  // The same for the position `p` in the block's text.
  int64_t LineAt(const char* p) const;

  // Byte offset of the next unread record in the block's text (after a header, say).
  size_t offset() const { return static_cast<size_t>(pos_ - block_->text.data()); }

 private:
  absl::Status Error(const char* at, const std::string& what) const;

  CsvBlock* block_;
  char* pos_;
  char* end_;
  const char* record_start_ = nullptr;
};

namespace internal {

// Bits i set where byte i of the 64 at `p` is a field delimiter (',', LF or CR) and where it
// is a '"'; bytes at or past `end` count as neither (and are not read).
struct ByteMasks {
  uint64_t delimiters;
  uint64_t quotes;
};
ByteMasks DelimiterMasks64(const char* p, const char* end);

}  // namespace internal

// What ScanQuoteFreeRecords() ended on.
enum class ScanEnd {
  kDone,     // every record was handed out
  kStopped,  // a callback returned false
  kQuote,    // a '"' was met: the text needs CsvRecordParser (quoted fields to unescape)
};

// ScanQuoteFreeRecords()
//
// Splits the records of [begin, end) into fields exactly as CsvRecordParser::Next() would,
// as long as the text holds no '"'. Calls `on_field(column, field_begin, field_end)` for each
// field (column 0 first) and `on_record(fields, record_begin)` after each record's last
// field; each returns false to stop the scan. Stops with kQuote, before any field of the 64
// bytes that hold it, at the first '"' (the caller then starts over with CsvRecordParser).
// Nothing is allocated and nothing copied: delimiters are found 64 bytes at a time and each
// costs a bit scan, so a field costs a few instructions besides what `on_field` does. Blank
// lines are skipped; LF, CRLF and a lone CR end a record; the last may lack its line break.
template <typename OnField, typename OnRecord>
ScanEnd ScanQuoteFreeRecords(const char* begin, const char* end, OnField&& on_field,
                             OnRecord&& on_record) {
  size_t column = 0;          // fields seen of the current record
  const char* field = begin;  // where the current field starts
  const char* record = begin;
  for (const char* base = begin; base < end; base += 64) {
    const internal::ByteMasks masks = internal::DelimiterMasks64(base, end);
    if (masks.quotes != 0) return ScanEnd::kQuote;
    for (uint64_t mask = masks.delimiters; mask != 0; mask &= mask - 1) {
      const char* const p = base + std::countr_zero(mask);
      if (column == 0) {
        // A line break before a record's first field: a blank line or the LF of a CRLF.
        if (p == field && *p != ',') {
          field = p + 1;
          continue;
        }
        record = field;
      }
      if (!on_field(column, field, p)) return ScanEnd::kStopped;
      ++column;
      field = p + 1;
      if (*p != ',') {
        if (!on_record(column, record)) return ScanEnd::kStopped;
        column = 0;
      }
    }
  }
  if (column == 0 && field >= end) return ScanEnd::kDone;
  if (column == 0) record = field;
  if (!on_field(column, field, end) || !on_record(column + 1, record)) return ScanEnd::kStopped;
  return ScanEnd::kDone;
}

}  // namespace greengate::client
