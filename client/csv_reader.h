#pragma once

// A streaming RFC 4180 CSV reader: one record at a time, so a file of any size is read in
// memory bounded by its longest record.
//
// Accepted input: fields separated by ','; records ended by LF, CRLF or a lone CR; fields
// optionally enclosed in double quotes, inside which commas, line breaks and doubled quotes
// ("") are literal. A UTF-8 byte-order mark at the start is skipped. Blank lines (nothing
// between two line breaks) are skipped, so a trailing newline never yields an empty record;
// an empty single-column value must therefore be written as "".
//
// Rejected input (InvalidArgument, "line N: ..."): a quote inside an unquoted field, any
// character other than ',' or a line break after a closing quote, a quoted field still open
// at the end of the input, and a record longer than `max_record_bytes`.

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace greengate::client {

// CsvReader reads records from an istream it does not own. Not thread-safe.
class CsvReader {
 public:
  // Longest accepted record, in bytes: a stray opening quote would otherwise read the whole
  // file into one field.
  static constexpr int64_t kDefaultMaxRecordBytes = int64_t{64} << 20;

  explicit CsvReader(std::istream* in, int64_t max_record_bytes = kDefaultMaxRecordBytes);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Next()
  //
  // Reads the next record into `*fields` (cleared first). Returns true when a record was
  // read, false at the end of the input, InvalidArgument on malformed input and DataLoss when
  // the stream fails to read. After an error the reader should be discarded.
  absl::StatusOr<bool> Next(std::vector<std::string>* fields);

  // Line (1-based) on which the record last returned by Next() starts.
  int64_t record_line() const { return record_line_; }

 private:
  // Returns the next byte, or -1 at the end of the input (or on a read error, see bad_).
  int Get();
  // Returns the next byte without consuming it, or -1 at the end of the input.
  int Peek();
  bool Fill();
  // Consumes the LF of a CRLF pair after `c` == '\r', and counts the line break.
  void EndLine(int c);

  std::istream* in_;
  int64_t max_record_bytes_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool bad_ = false;
  bool started_ = false;  // the byte-order-mark check has run
  int64_t line_ = 1;      // line of the next unread byte
  int64_t record_line_ = 0;
};

}  // namespace greengate::client
