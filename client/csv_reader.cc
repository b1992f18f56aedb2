#include "client/csv_reader.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::client {
namespace {

constexpr size_t kBufferBytes = size_t{64} << 10;

bool IsLineBreak(int c) { return c == '\n' || c == '\r'; }

// A printable rendering of a byte for error messages.
std::string Describe(int c) {
  if (c >= 0x20 && c < 0x7f) return absl::StrFormat("'%c'", static_cast<char>(c));
  return absl::StrFormat("byte 0x%02x", c);
}

}  // namespace

CsvReader::CsvReader(std::istream* in, int64_t max_record_bytes)
    : in_(in), max_record_bytes_(max_record_bytes), buffer_(kBufferBytes) {}

bool CsvReader::Fill() {
  if (eof_) return false;
  in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  const std::streamsize n = in_->gcount();
  if (in_->bad()) bad_ = true;
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  if (in_->eof()) eof_ = true;  // a short read: nothing further will come
  pos_ = 0;
  end_ = static_cast<size_t>(n);
  return true;
}

int CsvReader::Get() {
  if (pos_ == end_ && !Fill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_++]);
}

int CsvReader::Peek() {
  if (pos_ == end_ && !Fill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_]);
}

void CsvReader::EndLine(int c) {
  if (c == '\r' && Peek() == '\n') ++pos_;
  ++line_;
}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  if (!started_) {
    started_ = true;
    // The first Fill() reads a whole buffer (or the whole input), so a BOM is in one piece.
    if (Fill() && end_ >= 3 && buffer_[0] == '\xEF' && buffer_[1] == '\xBB' &&
        buffer_[2] == '\xBF') {
      pos_ = 3;
    }
  }
  int c = Peek();
  while (IsLineBreak(c)) {  // blank lines
    EndLine(Get());
    c = Peek();
  }
  if (c < 0) {
    if (bad_) return absl::DataLossError(absl::StrCat("line ", line_, ": read error"));
    return false;
  }
  record_line_ = line_;
  int64_t record_bytes = 0;
  auto append = [&](std::string& field, int byte) -> absl::Status {
    if (++record_bytes > max_record_bytes_) {
      return absl::InvalidArgumentError(absl::StrCat("line ", record_line_, ": record longer than ",
                                                     max_record_bytes_,
                                                     " bytes (an unclosed quote?)"));
    }
    field.push_back(static_cast<char>(byte));
    return absl::OkStatus();
  };

  for (;;) {  // one field per iteration
    std::string field;
    c = Get();
    if (c == '"') {
      const int64_t open_line = line_;
      for (;;) {
        c = Get();
        if (c < 0) {
          if (bad_) return absl::DataLossError(absl::StrCat("line ", line_, ": read error"));
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", open_line, ": quoted field is not closed before the end of the input"));
        }
        if (c == '"') {
          if (Peek() != '"') break;  // closing quote
          Get();                     // "" is a literal quote
        } else if (c == '\r' && Peek() == '\n') {
          if (auto s = append(field, c); !s.ok()) return s;
          c = Get();
          ++line_;
        } else if (IsLineBreak(c)) {
          ++line_;
        }
        if (auto s = append(field, c); !s.ok()) return s;
      }
      c = Get();
      if (c >= 0 && c != ',' && !IsLineBreak(c)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_, ": unexpected ", Describe(c), " after a closing quote"));
      }
    } else {
      while (c >= 0 && c != ',' && !IsLineBreak(c)) {
        if (c == '"') {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line_, ": quote inside an unquoted field (field ", fields->size() + 1,
              "); enclose the whole field in quotes and double the inner quote"));
        }
        if (auto s = append(field, c); !s.ok()) return s;
        c = Get();
      }
    }
    fields->push_back(std::move(field));
    if (c == ',') continue;
    if (IsLineBreak(c)) EndLine(c);
    if (c < 0 && bad_) return absl::DataLossError(absl::StrCat("line ", line_, ": read error"));
    return true;
  }
}

}  // namespace greengate::client
