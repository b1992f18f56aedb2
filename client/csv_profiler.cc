#include "client/csv_profiler.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/csv_reader.h"
#include "server/common/status_macros.h"
#include "server/core/profile/builder.h"

namespace greengate::client {
namespace {

using profile::BinEdgeSet;
using profile::FeatureKind;
using profile::FeatureSpec;
using profile::ProfileBuilder;

// `text` quoted for a message, escaped and cut short so a wild value cannot flood it.
std::string Quote(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string escaped = absl::CEscape(absl::string_view(text.data(), std::min(text.size(), kMax)));
  return absl::StrCat("'", escaped, text.size() > kMax ? "...'" : "'");
}

absl::Status Annotate(const absl::Status& status, const std::string& where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

// A CSV file whose header has been read; Next() yields records with the header's width.
class CsvFile {
 public:
  static absl::StatusOr<std::unique_ptr<CsvFile>> Open(const std::string& path) {
    auto file = std::unique_ptr<CsvFile>(new CsvFile(path));
    if (!*file->in_) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
    }
    ASSIGN_OR_RETURN(const bool has_header, file->Read(&file->header_));
    if (!has_header) return absl::InvalidArgumentError(absl::StrCat(path, ": empty, no header"));
    RETURN_IF_ERROR(file->CheckHeader());
    return file;
  }

  const std::vector<std::string>& header() const { return header_; }
  const std::string& path() const { return path_; }

  // "path line N" of the record last read.
  std::string Where() const { return absl::StrCat(path_, " line ", reader_.record_line()); }

  // The next record; InvalidArgument when its width differs from the header's.
  absl::StatusOr<bool> Next(std::vector<std::string>* fields) {
    ASSIGN_OR_RETURN(const bool more, Read(fields));
    if (more && fields->size() != header_.size()) {
      return absl::InvalidArgumentError(absl::StrCat(Where(), ": has ", fields->size(),
                                                     " fields; the header has ", header_.size()));
    }
    return more;
  }

 private:
  // "-" is standard input, which can be read only once.
  explicit CsvFile(const std::string& path)
      : path_(path == "-" ? "stdin" : path),
        file_(path == "-" ? std::ifstream() : std::ifstream(path, std::ios::binary)),
        in_(path == "-" ? static_cast<std::istream*>(&std::cin) : &file_),
        reader_(in_) {}

  absl::StatusOr<bool> Read(std::vector<std::string>* fields) {
    absl::StatusOr<bool> more = reader_.Next(fields);
    if (!more.ok()) return Annotate(more.status(), path_);
    return more;
  }

  absl::Status CheckHeader() const {
    absl::flat_hash_map<std::string, size_t> seen;
    for (size_t i = 0; i < header_.size(); ++i) {
      if (header_[i].empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(), ": column ", i + 1, " of the header has no name"));
      }
      const auto [it, inserted] = seen.emplace(header_[i], i);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(Where(), ": column ", Quote(header_[i]),
                                                       " appears twice (columns ", it->second + 1,
                                                       " and ", i + 1, ")"));
      }
    }
    return absl::OkStatus();
  }

  std::string path_;
  std::ifstream file_;
  std::istream* in_;
  CsvReader reader_;
  std::vector<std::string> header_;
};

// OK when every name in `names` is a column of `header`; else InvalidArgument naming `flag`.
absl::Status CheckColumns(const std::vector<std::string>& names,
                          const std::vector<std::string>& header, const std::string& flag,
                          const std::string& path) {
  const absl::flat_hash_set<std::string> columns(header.begin(), header.end());
  for (const std::string& name : names) {
    if (!columns.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", Quote(name), " is not a column of ", path));
    }
  }
  return absl::OkStatus();
}

profile::ProfileBuilderOptions BuilderOptions(const CsvProfileOptions& options) {
  profile::ProfileBuilderOptions b;
  b.sample_capacity = options.sample_size;
  b.joint_sample_capacity = options.joint_sample_size;
  b.max_categories = options.top_k;
  b.tracked_categories = std::max(b.tracked_categories, options.top_k);
  b.seed = options.seed;
  return b;
}

// A current profile carries a joint sample whenever its reference does: the multivariate
// tests need one on both sides.
profile::ProfileBuilderOptions CurrentOptions(const CsvProfileOptions& options,
                                              const profile::DataProfile& reference) {
  profile::ProfileBuilderOptions b = BuilderOptions(options);
  if (b.joint_sample_capacity == 0 && reference.joint.has_value()) {
    b.joint_sample_capacity = reference.joint->rows;
  }
  return b;
}

// Feeds every record of `file` to `builder`, the fields at `columns` in that order.
absl::Status CountRows(CsvFile& file, const std::vector<size_t>& columns, ProfileBuilder& builder) {
  std::vector<std::string> fields;
  std::vector<std::string_view> row(columns.size());
  for (;;) {
    ASSIGN_OR_RETURN(const bool more, file.Next(&fields));
    if (!more) return absl::OkStatus();
    for (size_t j = 0; j < columns.size(); ++j) row[j] = fields[columns[j]];
    RETURN_IF_ERROR(Annotate(builder.AddRow(absl::MakeConstSpan(row)), file.Where()));
  }
}

// Pass 1 of a reference: settles each column's kind (a numeric candidate turns categorical at
// its first value that is not a number) while numeric columns fill their reservoirs.
// `schema` kinds are updated in place.
absl::StatusOr<ProfileBuilder> FirstPass(CsvFile& file, const std::vector<size_t>& columns,
                                         std::vector<FeatureSpec>& schema,
                                         const profile::ProfileBuilderOptions& options,
                                         std::vector<std::string>* notes) {
  absl::StatusOr<ProfileBuilder> created = ProfileBuilder::Create(schema, options);
  if (!created.ok()) return Annotate(created.status(), file.path());
  ProfileBuilder builder = *std::move(created);
  std::vector<std::string> fields;
  std::vector<std::string_view> row(columns.size());
  for (;;) {
    ASSIGN_OR_RETURN(const bool more, file.Next(&fields));
    if (!more) return builder;
    for (size_t j = 0; j < columns.size(); ++j) {
      row[j] = std::string_view();  // categorical columns wait for pass 2
      if (schema[j].kind != FeatureKind::kNumeric) continue;
      const std::string& field = fields[columns[j]];
      if (profile::ParseNumericField(field).ok()) {
        row[j] = field;
        continue;
      }
      schema[j].kind = FeatureKind::kCategorical;
      notes->push_back(absl::StrCat(schema[j].name, ": categorical (", file.Where(), ": ",
                                    Quote(field), " is not a number)"));
    }
    RETURN_IF_ERROR(Annotate(builder.AddRow(absl::MakeConstSpan(row)), file.Where()));
  }
}

}  // namespace

absl::StatusOr<CsvProfile> ProfileReferenceCsv(const std::string& path,
                                               const CsvProfileOptions& options) {
  if (path == "-") {
    return absl::InvalidArgumentError(
        "--csv: a reference profile reads the file twice, so it cannot come from stdin");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<CsvFile> file, CsvFile::Open(path));
  const std::vector<std::string> header = file->header();
  RETURN_IF_ERROR(CheckColumns(options.categorical, header, "--categorical", path));
  RETURN_IF_ERROR(CheckColumns(options.exclude, header, "--exclude", path));
  const absl::flat_hash_set<std::string> excluded(options.exclude.begin(), options.exclude.end());
  const absl::flat_hash_set<std::string> categorical(options.categorical.begin(),
                                                     options.categorical.end());
  std::vector<size_t> columns;
  std::vector<FeatureSpec> schema;
  for (size_t i = 0; i < header.size(); ++i) {
    if (excluded.contains(header[i])) continue;
    columns.push_back(i);
    schema.push_back({header[i], categorical.contains(header[i]) ? FeatureKind::kCategorical
                                                                 : FeatureKind::kNumeric});
  }
  if (schema.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--exclude: leaves no column of ", path, " to profile"));
  }
  const profile::ProfileBuilderOptions builder_options = BuilderOptions(options);
  CsvProfile result;
  ASSIGN_OR_RETURN(ProfileBuilder pass1,
                   FirstPass(*file, columns, schema, builder_options, &result.notes));
  absl::StatusOr<BinEdgeSet> edges = pass1.QuantileBinEdges(options.bins);
  if (!edges.ok()) return Annotate(edges.status(), "--bins");
  for (size_t j = 0; j < schema.size(); ++j) {
    if (schema[j].kind == FeatureKind::kCategorical) (*edges)[j].clear();
  }
  absl::StatusOr<ProfileBuilder> pass2 =
      ProfileBuilder::Create(schema, builder_options, *std::move(edges));
  if (!pass2.ok()) return Annotate(pass2.status(), path);

  // Pass 2 reads the file again from the start.
  ASSIGN_OR_RETURN(file, CsvFile::Open(path));
  if (file->header() != header) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": the header changed between the two passes"));
  }
  RETURN_IF_ERROR(CountRows(*file, columns, *pass2));
  if (pass2->rows() != pass1.rows()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": had ", pass1.rows(), " rows on the first pass and ", pass2->rows(),
                     " on the second; was it changed while being read?"));
  }
  result.profile = pass2->Finish();
  return result;
}

absl::StatusOr<CsvProfile> ProfileCurrentCsv(const std::string& path,
                                             const profile::DataProfile& reference,
                                             const CsvProfileOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<CsvFile> file, CsvFile::Open(path));
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < file->header().size(); ++i) index.emplace(file->header()[i], i);
  std::vector<size_t> columns;
  for (const profile::FeatureProfile& feature : reference.features) {
    const auto it = index.find(feature.name);
    if (it == index.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the reference feature ", Quote(feature.name),
                       " is not a column of the header; the current data must have every reference "
                       "feature"));
    }
    columns.push_back(it->second);
  }
  absl::StatusOr<ProfileBuilder> builder =
      ProfileBuilder::ForReference(reference, CurrentOptions(options, reference));
  if (!builder.ok()) return Annotate(builder.status(), "reference");
  RETURN_IF_ERROR(CountRows(*file, columns, *builder));
  CsvProfile result;
  result.profile = builder->Finish();
  return result;
}

}  // namespace greengate::client
