#pragma once

// Fast CSV input for the profiler: the file is read in large blocks cut at record boundaries,
// so blocks can be tokenised in parallel, and records are split into fields in place (no
// per-field allocation). Same dialect and errors as CsvReader (csv_reader.h): RFC 4180,
// LF / CRLF / CR line ends, blank lines skipped, a UTF-8 byte-order mark skipped, quoted
// fields with "" for a quote; malformed input is InvalidArgument "line N: ...".

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace greengate::client {

// Whole records of a CSV file, as raw text.
struct CsvBlock {
  std::vector<char> text;  // complete records (the last may lack its line break at EOF)
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
  std::vector<char> pending_;  // bytes read but not yet handed out
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

}  // namespace greengate::client
