#pragma once

// Streaming construction of a whole DataProfile from rows of text fields (what the CLI reads
// from a CSV), in memory bounded by the schema and options, not by the number of rows.
//
// A current profile is one pass on the reference's edges:
//   ASSIGN_OR_RETURN(ProfileBuilder b, ProfileBuilder::ForReference(reference, options));
//   for each row: RETURN_IF_ERROR(b.AddRow(fields));
//   DataProfile current = b.Finish();
//
// A reference profile is two passes, because its edges are quantiles of its own data:
// pass 1 (no edges) fills the reservoirs, SecondPass() turns them into edges and a builder
// that counts on them, and pass 2 fills that builder. BuildReferenceProfile() runs both
// passes over a row source. Pass 2 keeps pass 1's reservoirs (it would draw the very same
// sample again), so the reference's sample is the one its edges came from.

#include <cassert>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/core/profile/categorical_builder.h"
#include "server/core/profile/numeric_builder.h"
#include "server/core/profile/profile.h"

namespace greengate::profile {

// Reference bins when a caller does not choose: a fine quantile grid, on which the drift tests
// see every row of both sides (drift/grid_statistics.h) in a profile of tens of kilobytes.
inline constexpr int kDefaultReferenceBins = 1000;

// EdgeSampleCapacity()
//
// Values pass 1 of a reference draws to place `bins` quantile edges: 8 per bin, so that a
// bin's true share of the data stays within about a third of 1 / bins, at most
// kMaxSampleSize. Pass 1 draws this many values per numeric feature in one reservoir, of
// which the profile keeps a uniform subsample (its sample_capacity values).
int64_t EdgeSampleCapacity(int bins);

enum class FeatureKind { kNumeric, kCategorical };

// One column of the input: its feature name and how to profile it.
struct FeatureSpec {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
};

// Options shared by every feature of a ProfileBuilder.
struct ProfileBuilderOptions {
  int64_t sample_capacity = kDefaultSampleCapacity;        // per numeric feature
  int64_t max_categories = kDefaultMaxCategories;          // kept per categorical feature
  int64_t tracked_categories = kDefaultTrackedCategories;  // see categorical_builder.h
  // Seeds every reservoir (feature i uses a seed derived from this and i), so the same rows
  // in the same order give the same profile.
  uint64_t seed = 0;
  // Rows kept in the joint sample of the numeric features (DataProfile::joint); 0 = none.
  // At most kMaxJointSampleRows.
  int64_t joint_sample_capacity = 0;
  // Pass 1 of a reference only (a builder without edges): values each numeric feature draws
  // for its edges (EdgeSampleCapacity()): its reservoir is that large, and SecondPass()
  // keeps a uniform subsample of sample_capacity values. 0, or not more than
  // sample_capacity: the edges come from the kept sample itself.
  int64_t edge_sample_capacity = 0;
};

// Bin edges per feature, indexed like the schema; empty for categorical features.
using BinEdgeSet = std::vector<std::vector<double>>;

// ParseNumericField()
//
// A numeric CSV field as a double. Surrounding ASCII whitespace is ignored; an empty field
// and the usual missing markers (case-insensitive "na", "n/a", "nan", "-nan", "null",
// "none") give NaN, which builders count as missing. Otherwise the field must be a whole
// decimal number within the range of a double ("1", "-2.5e3", "+4"; "inf" gives infinity,
// which builders also count as missing); anything else, "1e400" and "1e-400" included, is
// InvalidArgument. Locale-independent. Pure and thread-safe.
absl::StatusOr<double> ParseNumericField(std::string_view field);

// ProfileBuilder accumulates a DataProfile row by row. Not thread-safe; to profile in
// parallel, give each shard its own builder (same schema, edges and options) and combine the
// results with Merge() (merge.h).
class ProfileBuilder {
 public:
  // Create()
  //
  // A builder for rows laid out as `schema`. `bin_edges` is empty (pass 1 of a reference:
  // every numeric feature has a single bin) or has one entry per feature (empty for
  // categorical ones). InvalidArgument, naming the offending entry ("schema[2].name: ...",
  // "bin_edges[1][4]: ...", "sample_capacity: ..."), on an invalid schema, edges or options.
  static absl::StatusOr<ProfileBuilder> Create(std::vector<FeatureSpec> schema,
                                               const ProfileBuilderOptions& options,
                                               BinEdgeSet bin_edges = {});

  // FirstPass()
  //
  // Pass 1 of a reference with `bins` bins: Create() without edges, drawing each numeric
  // feature's edge sample (EdgeSampleCapacity(bins) values, unless options set another) beside
  // the kept sample. Every reference profiler starts here, so that the same rows give the same
  // edges whichever front end reads them.
  static absl::StatusOr<ProfileBuilder> FirstPass(std::vector<FeatureSpec> schema,
                                                  const ProfileBuilderOptions& options, int bins);

  // ForReference()
  //
  // A builder for current data: the reference's features, kinds and bin edges, in the
  // reference's order, and each categorical feature counted on the reference's categories
  // (CategoricalProfile::reference_aligned; `max_categories` then bounds the unseen ones
  // listed). The profile it builds passes ValidateAgainstReference(). ReferenceOptions()
  // gives the options the reference was made with.
  static absl::StatusOr<ProfileBuilder> ForReference(const DataProfile& reference,
                                                     const ProfileBuilderOptions& options);

  // AddRow()
  //
  // Counts one row: one text field per schema feature, in schema order. Numeric fields go
  // through ParseNumericField(); an empty categorical field is missing. On error
  // (InvalidArgument: wrong field count, unparseable number, naming the row and feature) the
  // row is not counted at all.
  absl::Status AddRow(absl::Span<const std::string> fields);
  absl::Status AddRow(absl::Span<const std::string_view> fields);

  // Column-wise input, for callers that parse blocks of rows in parallel (the CLI's CSV
  // profiler). A block of n rows is one AddNumericValues() (n parsed values, NaN or inf for a
  // missing one) or AddCategoricalValues() (n fields, empty for a missing one) per feature,
  // then EndBlock(). The profile is the same, bit for bit, as AddRow() of those rows in
  // order. Calls for different features touch disjoint state and may run concurrently;
  // EndBlock() must not overlap any other call. `feature` is a schema index of that kind
  // (asserted).
  void AddNumericValues(std::size_t feature, absl::Span<const double> values);
  void AddCategoricalValues(std::size_t feature, absl::Span<const std::string_view> values);
  // Pass 1 of a reference needs only counts and reservoirs (its edges come from them):
  // NumericBuilder::SampleLazily(), which parses only the values the reservoir takes, and
  // draws the same sample as AddNumericValues() of the parsed values. The feature's min,
  // max, moments and bin counts are then not filled.
  template <typename Finite, typename Value>
  void SampleNumericLazily(std::size_t feature, std::size_t count, Finite finite, Value value) {
    auto* numeric = std::get_if<NumericBuilder>(&builders_[feature]);
    assert(numeric != nullptr);
    numeric->SampleLazily(count, finite, value);
  }

  // EndBlock()
  //
  // Ends a block of `rows` rows: counts them and feeds the joint sample. `numeric_columns`
  // holds the block's values of every numeric feature, in schema order (each `rows` long);
  // it may be empty when the joint sample is off.
  void EndBlock(int64_t rows, absl::Span<const absl::Span<const double>> numeric_columns);

  // SecondPass()
  //
  // After pass 1 of a reference (this builder, made by Create() without edges): the builder
  // for pass 2, laid out as `schema`, which has pass 1's feature names in pass 1's order
  // (a numeric feature may have turned categorical, as the CSV profiler decides from pass
  // 1's values). Each numeric feature counts on QuantileEdges() (edges.h) of its pass-1
  // reservoir with `bins` bins, and keeps that reservoir (or, when pass 1 drew an edge sample
  // larger than `options.sample_capacity`, a uniform subsample of it) instead of drawing a
  // sample again in pass 2: one reservoir per feature is the cheapest draw. Feed it the same
  // rows as pass 1. InvalidArgument when
  // `bins` is out of range, `schema` does not match, or `options` are invalid.
  absl::StatusOr<ProfileBuilder> SecondPass(std::vector<FeatureSpec> schema,
                                            const ProfileBuilderOptions& options,
                                            int bins = kDefaultReferenceBins) const;

  // Rows counted so far.
  int64_t rows() const { return rows_; }

  // The options this builder records in its profiles (DataProfile::options).
  const ProfileOptions& recorded_options() const { return recorded_; }

  const std::vector<FeatureSpec>& schema() const { return schema_; }

  // Finish()
  //
  // The profile of the rows so far (the builder stays usable): one feature per schema entry,
  // in schema order, and `rows`. Samples are sorted ascending, so a reference built this
  // way passes ValidateReference().
  DataProfile Finish() const;

 private:
  using FeatureBuilder = std::variant<NumericBuilder, CategoricalBuilder>;

  ProfileBuilder(std::vector<FeatureSpec> schema, std::vector<FeatureBuilder> builders);

  // Create() of a builder whose categorical features count on `reference`'s (null: none).
  static absl::StatusOr<ProfileBuilder> CreateImpl(std::vector<FeatureSpec> schema,
                                                   const ProfileBuilderOptions& options,
                                                   BinEdgeSet bin_edges,
                                                   const DataProfile* reference);

  template <typename Text>
  absl::Status AddRowImpl(absl::Span<const Text> fields);

  std::vector<FeatureSpec> schema_;
  std::vector<FeatureBuilder> builders_;
  std::vector<double> parsed_;  // scratch for one row's numeric fields
  ProfileOptions recorded_;
  // Pass 2 of a reference (SecondPass()): pass 1's sorted reservoir of each numeric feature,
  // which Finish() reports instead of the (empty) one of the feature's builder.
  std::vector<std::vector<double>> kept_samples_;
  // Pass 1 of a reference with an edge sample larger than the kept one: each numeric
  // feature's reservoir holds the edge sample; SecondPass() keeps a uniform subsample of it.
  bool edge_sampling_ = false;
  int64_t rows_ = 0;
  // Joint reservoir of complete numeric rows (Algorithm R), when its capacity is > 0.
  void SampleJointRow();
  void SampleJointValues(const double* numeric_values, std::size_t numeric);
  int64_t joint_capacity_ = 0;
  internal::Rng joint_rng_{0};
  int64_t joint_seen_ = 0;
  std::vector<double> joint_values_;  // row-major, numeric features in schema order
  std::vector<double> joint_row_;     // scratch for SampleJointRow()
};

// ReferenceOptions()
//
// The builder options `reference` was made with (DataProfile::options), for a current profile
// on it: its top-K, tracked categories, reservoir size, joint sample rows and seed. Fields the
// reference does not record (a profile of an older client) keep `defaults`' values. Pure.
ProfileBuilderOptions ReferenceOptions(const DataProfile& reference,
                                       const ProfileBuilderOptions& defaults = {});

// A source of rows for BuildReferenceProfile(): feeds every row of the data, in the same
// order each time it is called, to `builder` (through AddRow), and returns the first error.
using RowSource = std::function<absl::Status(ProfileBuilder& builder)>;

// BuildReferenceProfile()
//
// The two-pass reference profile: calls `rows` once to collect reservoirs, derives `bins`
// quantile edges per numeric feature from them, and calls `rows` again to count on those
// edges. Returns the second pass's profile. The function does no I/O itself; `rows` does.
// Errors from `rows` are returned as they are; InvalidArgument for a bad schema, options or
// bins, or when the two passes saw different numbers of rows.
absl::StatusOr<DataProfile> BuildReferenceProfile(std::vector<FeatureSpec> schema,
                                                  const ProfileBuilderOptions& options, int bins,
                                                  const RowSource& rows);

}  // namespace greengate::profile
