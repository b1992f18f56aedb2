#include "server/core/profile/columns.h"

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::profile {
namespace {

using ::testing::HasSubstr;

constexpr int kRows = 500;

// A table of three columns: x (numeric, NaN and inf missing), city (categorical, empty
// missing), y (numeric); and the same rows as CSV text fields for AddRow().
struct Table {
  std::vector<double> x, y;
  std::vector<std::string> city_storage;
  std::vector<std::string_view> city;

  Table() {
    const char* cities[] = {"Paris", "Lyon", "Nantes", "Brest"};
    for (int i = 0; i < kRows; ++i) {
      x.push_back(i % 13 == 0   ? std::nan("")
                  : i % 29 == 0 ? std::numeric_limits<double>::infinity()
                                : std::sin(i) * 100 + i * 0.25);
      y.push_back(static_cast<double>((i * 7919) % 1000) / 8);
      city_storage.push_back(i % 9 == 0 ? "" : cities[(i * i) % 4]);
    }
    for (const std::string& c : city_storage) city.push_back(c);
  }

  ColumnTable Columns() const {
    ColumnTable table;
    table.schema = {{"x", FeatureKind::kNumeric},
                    {"city", FeatureKind::kCategorical},
                    {"y", FeatureKind::kNumeric}};
    table.rows = kRows;
    table.read = [this](std::size_t feature, int64_t begin, int64_t rows, ColumnSlice* slice) {
      if (feature == 1) {
        slice->categorical = absl::MakeConstSpan(city).subspan(begin, rows);
      } else {
        slice->numeric = absl::MakeConstSpan(feature == 0 ? x : y).subspan(begin, rows);
      }
      return absl::OkStatus();
    };
    return table;
  }

  // The rows as the CSV profiler reads them: "%.17g" text gives back every double exactly.
  absl::Status FeedRows(ProfileBuilder& builder) const {
    for (int i = 0; i < kRows; ++i) {
      const std::vector<std::string> row = {std::isnan(x[i])   ? ""
                                            : std::isinf(x[i]) ? "inf"
                                                               : absl::StrFormat("%.17g", x[i]),
                                            city_storage[i], absl::StrFormat("%.17g", y[i])};
      absl::Status status = builder.AddRow(row);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }
};

ProfileBuilderOptions Options() {
  ProfileBuilderOptions options;
  options.sample_capacity = 40;  // a real reservoir
  options.seed = 11;
  options.joint_sample_capacity = 25;
  return options;
}

void ExpectSame(const DataProfile& a, const DataProfile& b) {
  ASSERT_EQ(a.rows, b.rows);
  ASSERT_EQ(a.features.size(), b.features.size());
  for (std::size_t i = 0; i < a.features.size(); ++i) {
    const FeatureProfile& fa = a.features[i];
    const FeatureProfile& fb = b.features[i];
    EXPECT_EQ(fa.name, fb.name);
    EXPECT_EQ(fa.count, fb.count);
    EXPECT_EQ(fa.missing, fb.missing);
    ASSERT_EQ(fa.is_numeric(), fb.is_numeric());
    if (fa.is_numeric()) {
      EXPECT_EQ(fa.numeric().bin_edges, fb.numeric().bin_edges) << fa.name;
      EXPECT_EQ(fa.numeric().bin_counts, fb.numeric().bin_counts) << fa.name;
      EXPECT_EQ(fa.numeric().sample, fb.numeric().sample) << fa.name;
      EXPECT_EQ(fa.numeric().sample_seen, fb.numeric().sample_seen);
      EXPECT_EQ(fa.numeric().min, fb.numeric().min);
      EXPECT_EQ(fa.numeric().max, fb.numeric().max);
      EXPECT_EQ(fa.numeric().mean, fb.numeric().mean);  // same values in the same order
      EXPECT_EQ(fa.numeric().m2, fb.numeric().m2);
    } else {
      EXPECT_EQ(fa.categorical().counts, fb.categorical().counts);
      EXPECT_EQ(fa.categorical().other, fb.categorical().other);
    }
  }
  ASSERT_EQ(a.joint.has_value(), b.joint.has_value());
  if (a.joint.has_value()) {
    EXPECT_EQ(a.joint->values, b.joint->values);
    EXPECT_EQ(a.joint->seen, b.joint->seen);
  }
}

TEST(ProfileColumnsTest, ReferenceEqualsRowsAsTextWhateverTheBlocks) {
  const Table table;
  const absl::StatusOr<DataProfile> rows =
      BuildReferenceProfile(table.Columns().schema, Options(), 6,
                            [&table](ProfileBuilder& builder) { return table.FeedRows(builder); });
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const int64_t block_rows : {1, 7, 64, 100000}) {
    // Features split over threads (more threads than features too) give the same profile.
    for (const int threads : {1, 2, 3, 16}) {
      const absl::StatusOr<DataProfile> columns =
          ProfileReferenceColumns(table.Columns(), Options(), 6, block_rows, threads);
      ASSERT_TRUE(columns.ok()) << columns.status();
      SCOPED_TRACE(absl::StrCat(block_rows, " rows per block, ", threads, " threads"));
      ExpectSame(*columns, *rows);
    }
  }
  // NaN at every 13th row (39), inf at every 29th (18), rows 0 and 377 being both.
  EXPECT_EQ(rows->features[0].missing, 39 + 18 - 2);
  EXPECT_EQ(rows->features[0].numeric().bin_edges.size(), 5u);
}

TEST(ProfileColumnsTest, CurrentEqualsRowsAsTextOnTheReference) {
  const Table table;
  const absl::StatusOr<DataProfile> reference =
      ProfileReferenceColumns(table.Columns(), Options(), 4);
  ASSERT_TRUE(reference.ok()) << reference.status();
  ProfileBuilderOptions options = Options();
  options.seed = 5;
  absl::StatusOr<ProfileBuilder> builder = ProfileBuilder::ForReference(*reference, options);
  ASSERT_TRUE(builder.ok());
  ASSERT_TRUE(table.FeedRows(*builder).ok());
  const DataProfile rows = builder->Finish();
  for (const int threads : {1, 2}) {
    const absl::StatusOr<DataProfile> columns =
        ProfileColumnsOn(table.Columns(), *reference, options, 33, threads);
    ASSERT_TRUE(columns.ok()) << columns.status();
    ExpectSame(*columns, rows);
  }
}

TEST(ProfileColumnsTest, ErrorsNameTheField) {
  const Table table;
  const absl::StatusOr<DataProfile> reference =
      ProfileReferenceColumns(table.Columns(), Options(), 4);
  ASSERT_TRUE(reference.ok());
  ColumnTable swapped = table.Columns();
  swapped.schema[1].kind = FeatureKind::kNumeric;
  EXPECT_THAT(std::string(ProfileColumnsOn(swapped, *reference, Options()).status().message()),
              HasSubstr("schema[1]: is 'city'; the reference's feature 1 is 'city' (categorical)"));
  EXPECT_THAT(
      std::string(ProfileReferenceColumns(table.Columns(), Options(), 0).status().message()),
      HasSubstr("bins: "));
  EXPECT_EQ(ProfileReferenceColumns(table.Columns(), Options(), 4, 0).status().message(),
            "block_rows: is 0; must be >= 1");
  ColumnTable failing = table.Columns();
  failing.read = [](std::size_t, int64_t, int64_t, ColumnSlice*) {
    return absl::InvalidArgumentError("column 'x': row 3: bad");
  };
  EXPECT_EQ(ProfileReferenceColumns(failing, Options(), 4).status().message(),
            "column 'x': row 3: bad");
  // Features read on several threads: the error of the first feature in schema order.
  failing.read = [](std::size_t feature, int64_t, int64_t, ColumnSlice*) {
    return absl::InvalidArgumentError(absl::StrCat("feature ", feature, ": bad"));
  };
  EXPECT_EQ(ProfileReferenceColumns(failing, Options(), 4, 7, 3).status().message(),
            "feature 0: bad");
}

TEST(ProfileColumnsTest, OverflowingMomentsAreTheDatasFault) {
  const std::vector<double> huge = {-1e200, 1e200, 3e200};
  ColumnTable table;
  table.schema = {{"big", FeatureKind::kNumeric}};
  table.rows = 3;
  table.read = [&huge](std::size_t, int64_t begin, int64_t rows, ColumnSlice* slice) {
    slice->numeric = absl::MakeConstSpan(huge).subspan(begin, rows);
    return absl::OkStatus();
  };
  const absl::StatusOr<DataProfile> profile = ProfileReferenceColumns(table, Options(), 2);
  ASSERT_TRUE(profile.ok()) << profile.status();
  const absl::Status status = CheckBuiltProfile(*profile, "data", true, "exclude=");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("data: column 'big': its values are too spread out for a double"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("leave it out with exclude="));
  // The same rows in a valid range make a profile the server takes.
  const std::vector<double> fine = {-1, 1, 3};
  table.read = [&fine](std::size_t, int64_t begin, int64_t rows, ColumnSlice* slice) {
    slice->numeric = absl::MakeConstSpan(fine).subspan(begin, rows);
    return absl::OkStatus();
  };
  const absl::StatusOr<DataProfile> valid = ProfileReferenceColumns(table, Options(), 2);
  ASSERT_TRUE(valid.ok());
  EXPECT_TRUE(CheckBuiltProfile(*valid, "data", true, "exclude=").ok());
}

}  // namespace
}  // namespace greengate::profile
