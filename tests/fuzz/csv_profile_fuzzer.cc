// libFuzzer target: untrusted bytes as a CSV file -> the CLI's profiler (client/csv_profiler.h),
// as `greengate profile --csv` runs it: a reference profile (two passes), then a current
// profile of the same file on the reference's bins. Invariants: whatever the profiler returns
// passes the server's validation, so the CLI never produces a profile the server rejects; and
// both profiles are the ones ProfileBuilder::AddRow() gives for the records CsvReader reads
// one by one (BuildReferenceProfile() with the kinds the profiler found, for the reference):
// the block-parallel and quote-free paths, and pass 1's field references, change nothing.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "client/csv_profiler.h"
#include "client/csv_reader.h"
#include "server/core/profile/builder.h"
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
namespace {

// Whether two profiles hold the same numbers, bit for bit where the contract says so.
bool SameProfile(const profile::DataProfile& a, const profile::DataProfile& b) {
  if (a.rows != b.rows || a.features.size() != b.features.size()) return false;
  for (size_t i = 0; i < a.features.size(); ++i) {
    const profile::FeatureProfile& fa = a.features[i];
    const profile::FeatureProfile& fb = b.features[i];
    if (fa.name != fb.name || fa.count != fb.count || fa.missing != fb.missing ||
        fa.is_numeric() != fb.is_numeric()) {
      return false;
    }
    if (fa.is_numeric()) {
      const profile::NumericProfile& na = fa.numeric();
      const profile::NumericProfile& nb = fb.numeric();
      if (na.bin_edges != nb.bin_edges || na.bin_counts != nb.bin_counts || na.min != nb.min ||
          na.max != nb.max || na.mean != nb.mean || na.m2 != nb.m2 || na.sample != nb.sample ||
          na.sample_seen != nb.sample_seen) {
        return false;
      }
    } else if (fa.categorical().counts != fb.categorical().counts ||
               fa.categorical().other != fb.categorical().other) {
      return false;
    }
  }
  if (a.joint.has_value() != b.joint.has_value()) return false;
  return !a.joint.has_value() ||
         (a.joint->values == b.joint->values && a.joint->seen == b.joint->seen);
}

// AddRow() of each record after the header that CsvReader reads from `path`.
absl::Status AddEveryRow(const std::string& path, profile::ProfileBuilder& builder) {
  std::ifstream in(path, std::ios::binary);
  client::CsvReader reader(&in);
  std::vector<std::string> fields;
  bool header = true;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (header) {
      header = false;
      continue;
    }
    absl::Status added = builder.AddRow(absl::MakeConstSpan(fields));
    if (!added.ok()) return added;
  }
}

// The current profile of `path` row by row (the reference names every column of the header,
// in order).
absl::StatusOr<profile::DataProfile> RowByRow(const std::string& path,
                                              const profile::DataProfile& reference,
                                              const client::CsvProfileOptions& options) {
  absl::StatusOr<profile::ProfileBuilder> builder = profile::ProfileBuilder::ForReference(
      reference, client::CurrentBuilderOptions(options, reference));
  if (!builder.ok()) return builder.status();
  if (absl::Status added = AddEveryRow(path, *builder); !added.ok()) return added;
  return builder->Finish();
}

// The reference profile of `path` row by row, with the kinds of `found` (the profiler's).
absl::StatusOr<profile::DataProfile> ReferenceRowByRow(const std::string& path,
                                                       const profile::DataProfile& found,
                                                       const client::CsvProfileOptions& options) {
  std::vector<profile::FeatureSpec> schema;
  for (const profile::FeatureProfile& f : found.features) {
    schema.push_back({f.name, f.is_numeric() ? profile::FeatureKind::kNumeric
                                             : profile::FeatureKind::kCategorical});
  }
  return profile::BuildReferenceProfile(
      schema, client::BuilderOptions(options), options.bins,
      [&path](profile::ProfileBuilder& builder) { return AddEveryRow(path, builder); });
}

}  // namespace

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
  absl::StatusOr<profile::DataProfile> reference_row_by_row =
      ReferenceRowByRow(CsvPath(), reference->profile, options);
  CheckOk(reference_row_by_row.status(), "row-by-row reference profile of a file it read");
  Check(SameProfile(reference->profile, *reference_row_by_row) &&
            reference->profile.features.size() == reference_row_by_row->features.size(),
        "the profiler's reference profile equals BuildReferenceProfile() over every record");
  absl::StatusOr<client::CsvProfile> current =
      client::ProfileCurrentCsv(CsvPath(), reference->profile, options);
  CheckOk(current.status(), "current profile of the file the reference came from");
  CheckOk(profile::ValidateProfile(current->profile, "current"), "the profiler's current profile");
  CheckOk(profile::ValidateAgainstReference(reference->profile, current->profile, "current"),
          "current profile against its reference");
  absl::StatusOr<profile::DataProfile> row_by_row =
      RowByRow(CsvPath(), reference->profile, options);
  CheckOk(row_by_row.status(), "row-by-row profile of a file the profiler read");
  Check(SameProfile(current->profile, *row_by_row),
        "the profiler's current profile equals AddRow() of every record");
  return 0;
}

}  // namespace greengate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return greengate::fuzz::OneInput(data, size);
}
