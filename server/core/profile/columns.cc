#include "server/core/profile/columns.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/common/worker_threads.h"
#include "server/core/profile/format.h"
#include "server/core/profile/validate.h"

namespace greengate::profile {
namespace {

using internal::QuoteForMessage;

// Reads feature `j`'s rows of the block starting at `begin` into `slice` and feeds them to
// `builder`: the values only to the reservoir in pass 1 of a reference (`sample_only`, as the
// CSV profiler's pass 1 does, which does not read categorical features at all).
absl::Status FeedFeature(const ColumnTable& table, std::size_t j, int64_t begin, int64_t rows,
                         bool sample_only, ColumnSlice& slice, ProfileBuilder& builder) {
  const bool numeric = table.schema[j].kind == FeatureKind::kNumeric;
  if (sample_only && !numeric) return absl::OkStatus();
  slice = {};
  RETURN_IF_ERROR(table.read(j, begin, rows, &slice));
  const std::size_t got = numeric ? slice.numeric.size() : slice.categorical.size();
  if (got != static_cast<std::size_t>(rows)) {
    return absl::InternalError(absl::StrCat("column ", QuoteForMessage(table.schema[j].name),
                                            ": read ", got, " rows of ", rows));
  }
  if (numeric && sample_only) {
    const absl::Span<const double> values = slice.numeric;
    builder.SampleNumericLazily(
        j, values.size(), [values](std::size_t i) { return std::isfinite(values[i]); },
        [values](std::size_t i) { return values[i]; });
  } else if (numeric) {
    builder.AddNumericValues(j, slice.numeric);
  } else {
    builder.AddCategoricalValues(j, slice.categorical);
  }
  return absl::OkStatus();
}

// One pass over `table` into `builder`, block by block: each block feeds every feature, then
// EndBlock(), as the CSV profiler does. With `threads` > 1 the features of a block are split
// over the threads (feature j on thread j % threads: features touch disjoint builder state);
// each feature still sees the blocks in row order and EndBlock() runs alone, so the profile
// does not depend on `threads`. The first error in feature order is returned.
absl::Status RunPass(const ColumnTable& table, int64_t block_rows, bool sample_only, int threads,
                     ProfileBuilder& builder) {
  const std::size_t features = table.schema.size();
  threads =
      static_cast<int>(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(features, 1)));
  std::vector<ColumnSlice> slices(features);
  std::vector<absl::Status> errors(features);
  std::vector<absl::Span<const double>> numeric_columns;
  std::optional<Workers> workers;
  if (threads > 1) workers.emplace(threads);
  for (int64_t begin = 0; begin < table.rows; begin += block_rows) {
    const int64_t rows = std::min(block_rows, table.rows - begin);
    auto feed = [&](int t) {
      for (std::size_t j = static_cast<std::size_t>(t); j < features; j += threads) {
        errors[j] = FeedFeature(table, j, begin, rows, sample_only, slices[j], builder);
      }
    };
    if (workers) {
      workers->Run(threads, feed);
    } else {
      feed(0);
    }
    numeric_columns.clear();
    for (std::size_t j = 0; j < features; ++j) {
      RETURN_IF_ERROR(errors[j]);
      if (table.schema[j].kind == FeatureKind::kNumeric) {
        numeric_columns.push_back(slices[j].numeric);
      }
    }
    // Pass 1 draws no joint sample (the CSV profiler's pass 1 has no parsed columns yet).
    builder.EndBlock(rows, sample_only ? absl::Span<const absl::Span<const double>>()
                                       : absl::MakeConstSpan(numeric_columns));
  }
  return absl::OkStatus();
}

absl::Status CheckBlockRows(int64_t block_rows, int64_t rows) {
  if (block_rows < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("block_rows: is ", block_rows, "; must be >= 1"));
  }
  if (rows < 0)
    return absl::InvalidArgumentError(absl::StrCat("rows: is ", rows, "; must be >= 0"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DataProfile> ProfileReferenceColumns(const ColumnTable& table,
                                                    const ProfileBuilderOptions& options, int bins,
                                                    int64_t block_rows, int threads) {
  RETURN_IF_ERROR(CheckBlockRows(block_rows, table.rows));
  // Pass 1 draws its edges from a reservoir sized for `bins`, as the CSV profiler's does.
  ASSIGN_OR_RETURN(ProfileBuilder pass1, ProfileBuilder::FirstPass(table.schema, options, bins));
  RETURN_IF_ERROR(RunPass(table, block_rows, /*sample_only=*/true, threads, pass1));
  absl::StatusOr<ProfileBuilder> pass2 = pass1.SecondPass(table.schema, options, bins);
  if (!pass2.ok()) {
    return absl::Status(pass2.status().code(), absl::StrCat("bins: ", pass2.status().message()));
  }
  RETURN_IF_ERROR(RunPass(table, block_rows, /*sample_only=*/false, threads, *pass2));
  return pass2->Finish();
}

absl::StatusOr<DataProfile> ProfileColumnsOn(const ColumnTable& table, const DataProfile& reference,
                                             const ProfileBuilderOptions& options,
                                             int64_t block_rows, int threads) {
  RETURN_IF_ERROR(CheckBlockRows(block_rows, table.rows));
  if (table.schema.size() != reference.features.size()) {
    return absl::InvalidArgumentError(absl::StrCat("schema: has ", table.schema.size(),
                                                   " features; the reference has ",
                                                   reference.features.size()));
  }
  for (std::size_t i = 0; i < table.schema.size(); ++i) {
    const FeatureProfile& feature = reference.features[i];
    const FeatureKind kind =
        feature.is_numeric() ? FeatureKind::kNumeric : FeatureKind::kCategorical;
    if (table.schema[i].name != feature.name || table.schema[i].kind != kind) {
      return absl::InvalidArgumentError(
          absl::StrCat("schema[", i, "]: is ", QuoteForMessage(table.schema[i].name),
                       "; the reference's feature ", i, " is ", QuoteForMessage(feature.name),
                       kind == FeatureKind::kNumeric ? " (numeric)" : " (categorical)"));
    }
  }
  absl::StatusOr<ProfileBuilder> builder = ProfileBuilder::ForReference(reference, options);
  if (!builder.ok()) {
    return absl::Status(builder.status().code(),
                        absl::StrCat("reference: ", builder.status().message()));
  }
  RETURN_IF_ERROR(RunPass(table, block_rows, /*sample_only=*/false, threads, *builder));
  return builder->Finish();
}

absl::Status CheckBuiltProfile(const DataProfile& profile, std::string_view source, bool reference,
                               std::string_view leave_out) {
  for (const FeatureProfile& feature : profile.features) {
    if (feature.is_numeric() && !std::isfinite(feature.numeric().m2)) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(source), ": column ", QuoteForMessage(feature.name, 40),
                       ": its values are too spread out for a double (from ", feature.numeric().min,
                       " to ", feature.numeric().max,
                       ", the sum of squared deviations from the mean overflows); "
                       "rescale the column or leave it out with ",
                       std::string(leave_out)));
    }
  }
  const absl::Status valid =
      reference ? ValidateReference(profile, "profile") : ValidateProfile(profile, "profile");
  if (!valid.ok()) {
    return absl::InternalError(absl::StrCat(
        std::string(source), ": the profiler built an invalid profile (a bug): ", valid.message()));
  }
  return absl::OkStatus();
}

}  // namespace greengate::profile
