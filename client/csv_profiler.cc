#include "client/csv_profiler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "client/csv_block_parser.h"
#include "client/csv_blocks.h"
#include "client/csv_file.h"
#include "server/common/status_macros.h"
#include "server/common/worker_threads.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/columns.h"
#include "server/core/profile/format.h"

namespace greengate::client {
namespace {

using ::greengate::Workers;
using internal::Annotate;
using internal::CsvFile;
using internal::FieldValue;
using internal::IsFieldRef;
using internal::KindFailure;
using internal::NumericColumn;
using internal::ParsedBlock;
using internal::PassPlan;
using profile::FeatureKind;
using profile::ProfileBuilder;
using profile::internal::QuoteForMessage;

// OK when every name in `names` is a column of `header`; else InvalidArgument naming `flag`.
absl::Status CheckColumns(const std::vector<std::string>& names,
                          const std::vector<std::string>& header, const std::string& flag,
                          const std::string& path) {
  const absl::flat_hash_set<std::string> columns(header.begin(), header.end());
  for (const std::string& name : names) {
    if (!columns.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", QuoteForMessage(name, 40), " is not a column of ", path));
    }
  }
  return absl::OkStatus();
}

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
  const int threads = ProfilingThreads(options.threads);
  const profile::ProfileBuilderOptions builder_options = BuilderOptions(options);
  CsvProfile result;

  // Pass 1: each column's kind (a numeric candidate turns categorical at its first value
  // that is not a number) and the numeric reservoirs, whose quantiles become the edges.
  absl::StatusOr<ProfileBuilder> created =
      ProfileBuilder::FirstPass(plan.schema, builder_options, options.bins);
  if (!created.ok()) return Annotate(created.status(), path);
  ProfileBuilder pass1 = *std::move(created);
  plan.detect_kinds = true;
  std::vector<std::optional<KindFailure>> failures;
  RETURN_IF_ERROR(RunPass(*file, plan, threads, pass1, &failures));
  for (size_t j = 0; j < plan.schema.size(); ++j) {
    if (!failures[j].has_value()) continue;
    plan.schema[j].kind = FeatureKind::kCategorical;
    result.notes.push_back(
        absl::StrCat(plan.schema[j].name, ": categorical (", path, " line ", failures[j]->line,
                     ": ", QuoteForMessage(failures[j]->text, 40), " is not a number)"));
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
  RETURN_IF_ERROR(profile::CheckBuiltProfile(result.profile, file->path(), true, "--exclude"));
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
          absl::StrCat(path, ": the reference feature ", QuoteForMessage(feature.name, 40),
                       " is not a column of the header; the current data must have every reference "
                       "feature"));
    }
    plan.columns.push_back(it->second);
    plan.schema.push_back(
        {feature.name, feature.is_numeric() ? FeatureKind::kNumeric : FeatureKind::kCategorical});
  }
  const profile::ProfileBuilderOptions builder_options = CurrentBuilderOptions(options, reference);
  absl::StatusOr<ProfileBuilder> builder = ProfileBuilder::ForReference(reference, builder_options);
  if (!builder.ok()) return Annotate(builder.status(), "reference");
  RETURN_IF_ERROR(RunPass(*file, plan, ProfilingThreads(options.threads), *builder, nullptr));
  CsvProfile result;
  result.notes.push_back(absl::StrCat(
      "options: top-k ", builder_options.max_categories, ", sample size ",
      builder_options.sample_capacity, ", joint sample ", builder_options.joint_sample_capacity,
      ", seed ", builder_options.seed,
      reference.options ? " (the reference's, unless given)" : " (the reference records none)"));
  result.profile = builder->Finish();
  RETURN_IF_ERROR(profile::CheckBuiltProfile(result.profile, file->path(), false, "--exclude"));
  return result;
}

}  // namespace greengate::client
