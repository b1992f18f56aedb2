#include "client/csv_file.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "client/csv_reader.h"
#include "server/common/status_macros.h"
#include "server/core/profile/format.h"

namespace greengate::client::internal {

using profile::internal::QuoteForMessage;

absl::Status Annotate(const absl::Status& status, const std::string& where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

absl::StatusOr<std::unique_ptr<CsvFile>> CsvFile::Open(const std::string& path,
                                                       size_t block_bytes) {
  auto file = std::unique_ptr<CsvFile>(new CsvFile(path, block_bytes));
  if (!*file->in_) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  RETURN_IF_ERROR(file->ReadHeader());
  return file;
}

CsvFile::CsvFile(const std::string& path, size_t block_bytes)
    : path_(path == "-" ? "stdin" : path),
      file_(path == "-" ? std::ifstream() : std::ifstream(path, std::ios::binary)),
      in_(path == "-" ? static_cast<std::istream*>(&std::cin) : &file_),
      reader_(in_, block_bytes, CsvReader::kDefaultMaxRecordBytes) {}

absl::StatusOr<bool> CsvFile::NextBlock(CsvBlock* block, size_t* offset) {
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

absl::Status CsvFile::ReadHeader() {
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

absl::Status CsvFile::CheckHeader() const {
  const std::string where = absl::StrCat(path_, " line ", header_line_);
  absl::flat_hash_map<std::string, size_t> seen;
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": column ", i + 1, " of the header has no name"));
    }
    const auto [it, inserted] = seen.emplace(header_[i], i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": column ", QuoteForMessage(header_[i], 40),
                       " appears twice (columns ", it->second + 1, " and ", i + 1, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace greengate::client::internal
