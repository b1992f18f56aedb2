#pragma once

// A CSV file opened for the block-parallel profiler (csv_profiler.cc): its header read and
// checked, then its data rows handed out as blocks of whole records. Internal to the CLI's
// CSV profiler.

#include <cstddef>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/csv_blocks.h"

namespace greengate::client::internal {

// `status` with "`where`: " before its message; OK stays OK.
absl::Status Annotate(const absl::Status& status, const std::string& where);

// A CSV file whose header has been read; NextBlock() yields blocks of whole records. Not
// thread-safe.
class CsvFile {
 public:
  // Open()
  //
  // Opens `path` ("-" = standard input, which can be read only once) and reads its header
  // (the first record; blank lines before it are skipped). NotFound when it cannot be opened;
  // InvalidArgument "<path>: ..." when it is empty, malformed, or its header has an unnamed
  // or a repeated column.
  static absl::StatusOr<std::unique_ptr<CsvFile>> Open(const std::string& path, size_t block_bytes);

  const std::vector<std::string>& header() const { return header_; }
  // The file's name for messages ("stdin" for "-").
  const std::string& path() const { return path_; }

  // The next block and the offset of its first record; false at the end of the file.
  absl::StatusOr<bool> NextBlock(CsvBlock* block, size_t* offset);

 private:
  CsvFile(const std::string& path, size_t block_bytes);
  absl::Status ReadHeader();
  absl::Status CheckHeader() const;

  std::string path_;
  std::ifstream file_;
  std::istream* in_;
  CsvBlockReader reader_;
  std::vector<std::string> header_;
  int64_t header_line_ = 1;
  std::optional<CsvBlock> first_;  // the block the header is in, with the first data rows
  size_t first_offset_ = 0;
};

}  // namespace greengate::client::internal
