#include "server/core/profile/builder.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/format.h"
#include "server/core/profile/limits.h"
#include "server/core/profile/random.h"

namespace greengate::profile {

using internal::AsAbsl;
using internal::QuoteForMessage;

namespace {

constexpr std::string_view kMissingMarkers[] = {"na", "n/a", "nan", "-nan", "null", "none"};

bool IsMissingMarker(absl::string_view s) {
  for (std::string_view marker : kMissingMarkers) {
    if (absl::EqualsIgnoreCase(s, AsAbsl(marker))) return true;
  }
  return false;
}

absl::Status ValidateSchema(const std::vector<FeatureSpec>& schema) {
  if (schema.empty()) {
    return absl::InvalidArgumentError("schema: must contain at least one feature");
  }
  if (static_cast<int64_t>(schema.size()) > kMaxFeatures) {
    return absl::InvalidArgumentError(absl::StrCat(
        "schema: has ", schema.size(), " features; at most ", kMaxFeatures, " are allowed"));
  }
  absl::flat_hash_map<absl::string_view, std::size_t> first_index;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const std::string& name = schema[i].name;
    const std::string path = absl::StrCat("schema[", i, "].name");
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": must not be empty"));
    if (static_cast<int64_t>(name.size()) > kMaxFeatureNameBytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": is ", name.size(),
                                                     " bytes long; at most ", kMaxFeatureNameBytes,
                                                     " are allowed"));
    }
    const auto [it, inserted] = first_index.emplace(name, i);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": duplicate feature name ",
                                                     QuoteForMessage(name), "; schema[", it->second,
                                                     "] has the same name"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// Powers of ten that a double holds exactly (5^22 < 2^53; 10^23 is not exact).
constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The value of a plain decimal field "-?d+(.d+)?" of at most 15 digits (so the digits, without
// the point, form an integer m < 10^15 < 2^53); false for anything else. Such a number is
// m / 10^k with m and 10^k (k <= 15) both exact doubles, and IEEE division rounds the exact
// quotient correctly, so the result is bit for bit the correctly rounded value that
// std::from_chars gives, at a fraction of its cost (most CSV numbers take this path).
bool ParsePlainDecimal(std::string_view field, double* value) {
  const char* p = field.data();
  const char* const end = p + field.size();
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  uint64_t mantissa = 0;
  const char* const int_begin = p;
  // At most 16 digits are read before the length check, so the mantissa cannot overflow.
  const char* const limit = std::min(end, p + 16);
  while (p < limit && static_cast<unsigned>(*p - '0') < 10) {
    mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  if (p == int_begin) return false;
  int digits = static_cast<int>(p - int_begin);
  int decimals = 0;
  if (p < end && *p == '.') {
    ++p;
    const char* const frac_begin = p;
    const char* const frac_limit = std::min(end, p + 16);
    while (p < frac_limit && static_cast<unsigned>(*p - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
      ++p;
    }
    decimals = static_cast<int>(p - frac_begin);
    if (decimals == 0) return false;
    digits += decimals;
  }
  if (p != end || digits > 15) return false;
  const double magnitude = static_cast<double>(mantissa) / kExactPowersOfTen[decimals];
  *value = negative ? -magnitude : magnitude;
  return true;
}

// ParseNumericField() for the fields ParsePlainDecimal() does not take. Kept out of line so
// that the common path does not pay for this one's stack frame.
[[gnu::noinline]] absl::StatusOr<double> ParseOtherNumericField(std::string_view field) {
  // Fast path for the common case, a plain number: std::from_chars on the raw field. It
  // accepts exactly what the full path below accepts when the field has no surrounding blank
  // and no leading '+' (missing markers it reads, "nan" and "inf", give NaN and inf there too).
  if (!field.empty() && field.front() != '+' && !absl::ascii_isspace(field.front())) {
    double value = 0;
    const char* end = field.data() + field.size();
    const std::from_chars_result result =
        std::from_chars(field.data(), end, value, std::chars_format::general);
    if (result.ec == std::errc() && result.ptr == end) return value;
  }
  absl::string_view s = absl::StripAsciiWhitespace(AsAbsl(field));
  if (s.empty() || IsMissingMarker(s)) return std::numeric_limits<double>::quiet_NaN();
  absl::string_view digits = s;
  // std::from_chars takes no leading '+', which spreadsheets do write.
  if (digits.front() == '+') {
    digits.remove_prefix(1);
    if (digits.empty() || digits.front() == '-') digits = s;  // "+" or "+-1": reject below
  }
  double value = 0;
  const char* end = digits.data() + digits.size();
  const std::from_chars_result result =
      std::from_chars(digits.data(), end, value, std::chars_format::general);
  const std::string_view text(s.data(), s.size());
  if (result.ec == std::errc::result_out_of_range && result.ptr == end) {
    return absl::InvalidArgumentError(
        absl::StrCat(QuoteForMessage(text), " is outside the range of a double"));
  }
  if (result.ec != std::errc() || result.ptr != end) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse ", QuoteForMessage(text),
                     " as a number; write a missing value as an empty field or NA"));
  }
  return value;
}

// `capacity` values of the sorted `values` drawn uniformly without replacement (all of them
// when they are not more), sorted. A uniform subsample of a uniform reservoir is a uniform
// sample of the data the reservoir was drawn from.
std::vector<double> UniformSubsample(std::vector<double> values, int64_t capacity, uint64_t seed) {
  const std::size_t keep = static_cast<std::size_t>(std::max<int64_t>(capacity, 0));
  if (values.size() <= keep) return values;
  internal::Rng rng(seed);
  // Partial Fisher-Yates: the first `keep` slots end up a uniform draw of the values.
  for (std::size_t i = 0; i < keep; ++i) {
    const std::size_t j = i + internal::UniformBelow(rng, values.size() - i);
    std::swap(values[i], values[j]);
  }
  values.resize(keep);
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace

absl::StatusOr<double> ParseNumericField(std::string_view field) {
  double plain = 0;
  if (ParsePlainDecimal(field, &plain)) return plain;
  return ParseOtherNumericField(field);
}

absl::StatusOr<ProfileBuilder> ProfileBuilder::Create(std::vector<FeatureSpec> schema,
                                                      const ProfileBuilderOptions& options,
                                                      BinEdgeSet bin_edges) {
  return CreateImpl(std::move(schema), options, std::move(bin_edges), nullptr);
}

absl::StatusOr<ProfileBuilder> ProfileBuilder::CreateImpl(std::vector<FeatureSpec> schema,
                                                          const ProfileBuilderOptions& options,
                                                          BinEdgeSet bin_edges,
                                                          const DataProfile* reference) {
  RETURN_IF_ERROR(ValidateSchema(schema));
  if (!bin_edges.empty() && bin_edges.size() != schema.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bin_edges: has ", bin_edges.size(), " entries; expected ", schema.size(),
                     ", one per schema feature (empty for categorical features), or none at all"));
  }
  if (options.edge_sample_capacity < 0 || options.edge_sample_capacity > kMaxSampleSize) {
    return absl::InvalidArgumentError(absl::StrCat("edge_sample_capacity: must be in [0, ",
                                                   kMaxSampleSize, "], got ",
                                                   options.edge_sample_capacity));
  }
  // Pass 1 of a reference draws one reservoir per numeric feature, as large as its edges
  // need; SecondPass() keeps a uniform subsample of it as the profile's sample.
  const bool edge_sampling =
      bin_edges.empty() && options.edge_sample_capacity > options.sample_capacity;
  const int64_t reservoir_capacity =
      edge_sampling ? options.edge_sample_capacity : options.sample_capacity;
  std::vector<FeatureBuilder> builders;
  builders.reserve(schema.size());
  for (std::size_t i = 0; i < schema.size(); ++i) {
    std::vector<double> edges = bin_edges.empty() ? std::vector<double>() : bin_edges[i];
    const std::string edges_path = absl::StrCat("bin_edges[", i, "]");
    if (schema[i].kind == FeatureKind::kCategorical) {
      if (!edges.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(edges_path, ": feature ",
                                                       QuoteForMessage(schema[i].name),
                                                       " is categorical and takes no edges"));
      }
      // ForReference() lays the schema out as the reference's features, index for index.
      const CategoricalProfile* listed =
          reference == nullptr ? nullptr : &reference->features[i].categorical();
      absl::StatusOr<CategoricalBuilder> builder =
          CategoricalBuilder::Create({.max_categories = options.max_categories,
                                      .tracked_categories = options.tracked_categories,
                                      .reference = listed});
      if (!builder.ok()) {
        // Only a reference's list can be at fault here: the options were checked above.
        return absl::InvalidArgumentError(absl::StrCat(
            reference == nullptr ? "" : absl::StrCat("reference.features[", i, "].categorical: "),
            builder.status().message()));
      }
      builders.emplace_back(*std::move(builder));
      continue;
    }
    RETURN_IF_ERROR(ValidateBinEdges(edges, edges_path));
    ASSIGN_OR_RETURN(NumericBuilder builder,
                     NumericBuilder::Create({.bin_edges = std::move(edges),
                                             .sample_capacity = reservoir_capacity,
                                             .seed = internal::MixSeed(options.seed, i)}));
    builders.emplace_back(std::move(builder));
  }
  if (options.joint_sample_capacity < 0 || options.joint_sample_capacity > kMaxJointSampleRows) {
    return absl::InvalidArgumentError(absl::StrCat("joint_sample_capacity: must be in [0, ",
                                                   kMaxJointSampleRows, "], got ",
                                                   options.joint_sample_capacity));
  }
  ProfileBuilder builder(std::move(schema), std::move(builders));
  builder.edge_sampling_ = edge_sampling;
  builder.recorded_ = {.top_k = options.max_categories,
                       .tracked_categories = options.tracked_categories,
                       .sample_size = options.sample_capacity,
                       .joint_sample_rows = options.joint_sample_capacity,
                       .seed = options.seed,
                       .bins = 0};
  builder.joint_capacity_ = options.joint_sample_capacity;
  // A stream number no feature uses, so the joint draw is independent of the per-feature ones.
  builder.joint_rng_ = internal::Rng(internal::MixSeed(options.seed, uint64_t{1} << 32));
  return builder;
}

int64_t EdgeSampleCapacity(int bins) {
  return std::clamp<int64_t>(int64_t{8} * bins, 0, kMaxSampleSize);
}

absl::StatusOr<ProfileBuilder> ProfileBuilder::FirstPass(std::vector<FeatureSpec> schema,
                                                         const ProfileBuilderOptions& options,
                                                         int bins) {
  ProfileBuilderOptions pass1 = options;
  if (pass1.edge_sample_capacity == 0) pass1.edge_sample_capacity = EdgeSampleCapacity(bins);
  return Create(std::move(schema), pass1);
}

absl::StatusOr<ProfileBuilder> ProfileBuilder::ForReference(const DataProfile& reference,
                                                            const ProfileBuilderOptions& options) {
  std::vector<FeatureSpec> schema;
  BinEdgeSet edges;
  schema.reserve(reference.features.size());
  edges.reserve(reference.features.size());
  for (const FeatureProfile& f : reference.features) {
    schema.push_back({f.name, f.is_numeric() ? FeatureKind::kNumeric : FeatureKind::kCategorical});
    edges.push_back(f.is_numeric() ? f.numeric().bin_edges : std::vector<double>());
  }
  return CreateImpl(std::move(schema), options, std::move(edges), &reference);
}

ProfileBuilderOptions ReferenceOptions(const DataProfile& reference,
                                       const ProfileBuilderOptions& defaults) {
  ProfileBuilderOptions out = defaults;
  if (!reference.options) return out;
  const ProfileOptions& recorded = *reference.options;
  // 0 marks a count the reference did not record (a top-K or tracked count is never 0).
  if (recorded.top_k > 0) out.max_categories = recorded.top_k;
  if (recorded.tracked_categories > 0) out.tracked_categories = recorded.tracked_categories;
  out.tracked_categories = std::max(out.tracked_categories, out.max_categories);
  out.sample_capacity = recorded.sample_size;
  out.joint_sample_capacity = recorded.joint_sample_rows;
  out.seed = recorded.seed;
  return out;
}

ProfileBuilder::ProfileBuilder(std::vector<FeatureSpec> schema,
                               std::vector<FeatureBuilder> builders)
    : schema_(std::move(schema)), builders_(std::move(builders)), parsed_(schema_.size()) {}

absl::Status ProfileBuilder::AddRow(absl::Span<const std::string> fields) {
  return AddRowImpl(fields);
}

absl::Status ProfileBuilder::AddRow(absl::Span<const std::string_view> fields) {
  return AddRowImpl(fields);
}

template <typename Text>
absl::Status ProfileBuilder::AddRowImpl(absl::Span<const Text> fields) {
  if (fields.size() != schema_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("row ", rows_ + 1, ": has ", fields.size(),
                                                   " fields; expected ", schema_.size(),
                                                   ", one per feature"));
  }
  // Parse every number before counting anything, so a bad row leaves no trace.
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (schema_[i].kind != FeatureKind::kNumeric) continue;
    absl::StatusOr<double> value = ParseNumericField(fields[i]);
    if (!value.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("row ", rows_ + 1, ", feature ",
                                                     QuoteForMessage(schema_[i].name), ": ",
                                                     value.status().message()));
    }
    parsed_[i] = *value;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (auto* numeric = std::get_if<NumericBuilder>(&builders_[i])) {
      numeric->Add(parsed_[i]);
    } else {
      std::get<CategoricalBuilder>(builders_[i]).Add(std::string_view(fields[i]));
    }
  }
  if (joint_capacity_ > 0) SampleJointRow();
  ++rows_;
  return absl::OkStatus();
}

void ProfileBuilder::AddNumericValues(std::size_t feature, absl::Span<const double> values) {
  auto* numeric = std::get_if<NumericBuilder>(&builders_[feature]);
  assert(numeric != nullptr);
  numeric->AddValues(values);
}

void ProfileBuilder::AddCategoricalValues(std::size_t feature,
                                          absl::Span<const std::string_view> values) {
  auto* categorical = std::get_if<CategoricalBuilder>(&builders_[feature]);
  assert(categorical != nullptr);
  for (std::string_view v : values) categorical->Add(v);
}

void ProfileBuilder::EndBlock(int64_t rows,
                              absl::Span<const absl::Span<const double>> numeric_columns) {
  if (joint_capacity_ > 0 && !numeric_columns.empty()) {
    std::vector<double> row(numeric_columns.size());
    for (int64_t r = 0; r < rows; ++r) {
      for (std::size_t k = 0; k < numeric_columns.size(); ++k) row[k] = numeric_columns[k][r];
      SampleJointValues(row.data(), row.size());
    }
  }
  rows_ += rows;
}

absl::StatusOr<ProfileBuilder> ProfileBuilder::SecondPass(std::vector<FeatureSpec> schema,
                                                          const ProfileBuilderOptions& options,
                                                          int bins) const {
  if (schema.size() != schema_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema: has ", schema.size(), " features; pass 1 had ", schema_.size()));
  }
  BinEdgeSet edges(schema.size());
  std::vector<std::vector<double>> samples(schema.size());
  for (std::size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name != schema_[i].name) {
      return absl::InvalidArgumentError(
          absl::StrCat("schema[", i, "].name: is ", QuoteForMessage(schema[i].name),
                       "; pass 1 had ", QuoteForMessage(schema_[i].name)));
    }
    const auto* numeric = std::get_if<NumericBuilder>(&builders_[i]);
    if (numeric == nullptr || schema[i].kind != FeatureKind::kNumeric) continue;
    std::vector<double> reservoir = numeric->SortedSample();
    ASSIGN_OR_RETURN(edges[i], QuantileEdges(reservoir, bins));
    samples[i] = edge_sampling_
                     ? UniformSubsample(std::move(reservoir), options.sample_capacity,
                                        internal::MixSeed(options.seed, (uint64_t{2} << 32) + i))
                     : std::move(reservoir);
  }
  // The reservoirs are kept, not drawn again: capacity 0 makes pass 2's builders skip the draws.
  ProfileBuilderOptions counting = options;
  counting.sample_capacity = 0;
  ASSIGN_OR_RETURN(ProfileBuilder pass2, Create(std::move(schema), counting, std::move(edges)));
  pass2.kept_samples_ = std::move(samples);
  // Pass 2 counts with capacity 0 but reports pass 1's reservoirs: record their capacity.
  pass2.recorded_.sample_size = options.sample_capacity;
  pass2.recorded_.bins = bins;
  return pass2;
}

void ProfileBuilder::SampleJointRow() {
  std::vector<double>& numeric_values = joint_row_;
  numeric_values.clear();
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    if (schema_[i].kind == FeatureKind::kNumeric) numeric_values.push_back(parsed_[i]);
  }
  SampleJointValues(numeric_values.data(), numeric_values.size());
}

// One row's numeric values, in schema order.
void ProfileBuilder::SampleJointValues(const double* values, std::size_t numeric) {
  if (numeric == 0) return;
  for (std::size_t k = 0; k < numeric; ++k) {
    if (!std::isfinite(values[k])) return;  // only complete rows
  }
  const int64_t seen = joint_seen_++;
  std::size_t slot;
  if (seen < joint_capacity_) {
    slot = static_cast<std::size_t>(seen);
    joint_values_.resize(joint_values_.size() + numeric);
  } else {
    const uint64_t j = internal::UniformBelow(joint_rng_, static_cast<uint64_t>(seen) + 1);
    if (j >= static_cast<uint64_t>(joint_capacity_)) return;
    slot = static_cast<std::size_t>(j);
  }
  std::copy(values, values + numeric, joint_values_.data() + slot * numeric);
}

DataProfile ProfileBuilder::Finish() const {
  DataProfile profile;
  profile.rows = rows_;
  profile.options = recorded_;
  profile.features.reserve(builders_.size());
  for (std::size_t i = 0; i < builders_.size(); ++i) {
    FeatureProfile f;
    f.name = schema_[i].name;
    if (const auto* numeric = std::get_if<NumericBuilder>(&builders_[i])) {
      f.count = numeric->count();
      f.missing = numeric->missing();
      f.kind = numeric->Finish();
      if (!kept_samples_.empty()) std::get<NumericProfile>(f.kind).sample = kept_samples_[i];
    } else {
      const auto& categorical = std::get<CategoricalBuilder>(builders_[i]);
      f.count = categorical.count();
      f.missing = categorical.missing();
      f.kind = categorical.Finish();
    }
    profile.features.push_back(std::move(f));
  }
  if (joint_capacity_ > 0) {
    JointSample joint;
    for (const FeatureSpec& spec : schema_) {
      if (spec.kind == FeatureKind::kNumeric) joint.features.push_back(spec.name);
    }
    // Fewer complete rows than the multivariate tests need: no joint sample at all.
    if (!joint.features.empty() &&
        static_cast<int64_t>(joint_values_.size() / joint.features.size()) >= kMinJointSampleRows) {
      joint.values = joint_values_;
      joint.rows = static_cast<int64_t>(joint_values_.size() / joint.features.size());
      joint.seen = joint_seen_;
      profile.joint = std::move(joint);
    }
  }
  return profile;
}

absl::StatusOr<DataProfile> BuildReferenceProfile(std::vector<FeatureSpec> schema,
                                                  const ProfileBuilderOptions& options, int bins,
                                                  const RowSource& rows) {
  // Check `bins` before reading any data: an empty sample exercises only that check.
  RETURN_IF_ERROR(QuantileEdges({}, bins).status());
  ASSIGN_OR_RETURN(ProfileBuilder pass1, ProfileBuilder::FirstPass(schema, options, bins));
  RETURN_IF_ERROR(rows(pass1));
  ASSIGN_OR_RETURN(ProfileBuilder pass2, pass1.SecondPass(std::move(schema), options, bins));
  RETURN_IF_ERROR(rows(pass2));
  if (pass2.rows() != pass1.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows: the row source gave ", pass1.rows(), " rows on the first pass and ",
                     pass2.rows(), " on the second; it must give the same rows both times"));
  }
  return pass2.Finish();
}

}  // namespace greengate::profile
