// libFuzzer target: untrusted bytes as a CSV file -> the CLI's profiler (client/csv_profiler.h),
// as `greengate profile --csv` runs it: a reference profile (two passes), then a current
// profile of the same file on the reference's bins. Invariants: whatever the profiler returns
// passes the server's validation, so the CLI never produces a profile the server rejects.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "client/csv_profiler.h"
#include "server/core/profile/validate.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// The profiler reads files; one per fuzzing process, rewritten for every input.
const std::string& CsvPath() {
  static const std::string* const path =
      new std::string("/tmp/greengate-csv-fuzz-" + std::to_string(getpid()) + ".csv");
  return *path;
}

bool WriteFile(const std::string& path, const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

namespace greengate::fuzz {

int OneInput(const uint8_t* data, size_t size) {
  if (!WriteFile(CsvPath(), data, size)) return 0;
  // Small sizes keep each run fast; the code paths are the same as the CLI's defaults.
  client::CsvProfileOptions options;
  options.bins = 4;
  options.sample_size = 64;
  options.top_k = 8;
  options.joint_sample_size = 16;
  absl::StatusOr<client::CsvProfile> reference = client::ProfileReferenceCsv(CsvPath(), options);
  if (!reference.ok()) return 0;
  CheckOk(profile::ValidateReference(reference->profile, "reference"),
                "the profiler's reference profile");
  absl::StatusOr<client::CsvProfile> current =
      client::ProfileCurrentCsv(CsvPath(), reference->profile, options);
  CheckOk(current.status(), "current profile of the file the reference came from");
  CheckOk(profile::ValidateProfile(current->profile, "current"),
                "the profiler's current profile");
  CheckOk(profile::ValidateAgainstReference(reference->profile, current->profile, "current"),
                "current profile against its reference");
  return 0;
}

}  // namespace greengate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return greengate::fuzz::OneInput(data, size);
}
