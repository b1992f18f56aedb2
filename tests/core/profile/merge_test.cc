#include "server/core/profile/merge.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/numeric_builder.h"
#include "server/core/profile/validate.h"
#include "tests/core/profile/test_profiles.h"

namespace greengate::profile {
namespace {

using testing::Categorical;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Numeric;
using ::testing::Pair;
using testing::ValidProfile;

using Rows = std::vector<std::vector<std::string>>;

// 3000 rows: an irregular numeric column with some missing values and a categorical one.
Rows Data() {
  Rows rows;
  const char* colors[] = {"red", "green", "blue", "cyan", "black"};
  for (int i = 0; i < 3000; ++i) {
    const std::string x =
        i % 23 == 0 ? "" : absl::StrFormat("%.17g", std::sin(i * 1.3) * 10 + i * 0.001);
    const std::string color = i % 7 == 0 ? "" : colors[(i * i) % 5];
    rows.push_back({x, color});
  }
  return rows;
}

DataProfile Profile(const Rows& rows, std::size_t begin, std::size_t end, uint64_t seed) {
  ProfileBuilderOptions options;
  options.sample_capacity = 200;
  options.seed = seed;
  absl::StatusOr<ProfileBuilder> builder =
      ProfileBuilder::Create({{"x", FeatureKind::kNumeric}, {"color", FeatureKind::kCategorical}},
                             options, {{-5, 0, 5}, {}});
  EXPECT_TRUE(builder.ok()) << builder.status();
  for (std::size_t i = begin; i < end; ++i) EXPECT_TRUE(builder->AddRow(rows[i]).ok());
  return builder->Finish();
}

void ExpectRelativelyNear(double actual, double expected, double relative) {
  EXPECT_NEAR(actual, expected, relative * std::max(std::abs(expected), 1e-300));
}

TEST(MergeTest, ShardsMergeToTheOnePassProfile) {
  const Rows rows = Data();
  const DataProfile whole = Profile(rows, 0, rows.size(), 1);
  // Uneven shards, one of them empty, each with its own seed.
  const std::vector<DataProfile> shards = {
      Profile(rows, 0, 1000, 11), Profile(rows, 1000, 1100, 12), Profile(rows, 1100, 1100, 13),
      Profile(rows, 1100, 3000, 14)};
  absl::StatusOr<DataProfile> merged = MergeAll(shards);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(ValidateReference(*merged, "merged").ok());
  EXPECT_TRUE(ValidateAgainstReference(whole, *merged, "merged").ok());

  EXPECT_EQ(merged->rows, whole.rows);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(merged->features[i].name, whole.features[i].name);
    EXPECT_EQ(merged->features[i].count, whole.features[i].count);
    EXPECT_EQ(merged->features[i].missing, whole.features[i].missing);
  }
  const NumericProfile& m = merged->features[0].numeric();
  const NumericProfile& w = whole.features[0].numeric();
  EXPECT_EQ(m.bin_edges, w.bin_edges);
  EXPECT_EQ(m.bin_counts, w.bin_counts);
  EXPECT_EQ(m.edge_counts, w.edge_counts);
  ExpectRelativelyNear(m.low_bin_sum, w.low_bin_sum, 1e-12);
  ExpectRelativelyNear(m.high_bin_sum, w.high_bin_sum, 1e-12);
  EXPECT_EQ(m.min, w.min);
  EXPECT_EQ(m.max, w.max);
  ExpectRelativelyNear(m.mean, w.mean, 1e-9);
  ExpectRelativelyNear(m.m2, w.m2, 1e-9);
  EXPECT_EQ(m.sample_seen, w.sample_seen);

  // The merged reservoir is a sample of the data, not the one-pass sample itself.
  EXPECT_EQ(m.sample.size(), 200u);
  std::set<double> values;
  for (const auto& row : rows) {
    if (!row[0].empty()) values.insert(std::stod(row[0]));
  }
  for (double v : m.sample) EXPECT_EQ(values.count(v), 1u) << v;

  EXPECT_EQ(merged->features[1].categorical().counts, whole.features[1].categorical().counts);
  EXPECT_EQ(merged->features[1].categorical().other, whole.features[1].categorical().other);
}

// Discrete values on the edges: the ties each shard counts add up to the one pass's.
TEST(MergeTest, EdgeTiesAndOuterSumsAddUp) {
  auto profile = [](int begin, int end) {
    absl::StatusOr<ProfileBuilder> builder =
        ProfileBuilder::Create({{"x", FeatureKind::kNumeric}}, {}, {{2, 5, 8}});
    EXPECT_TRUE(builder.ok());
    for (int i = begin; i < end; ++i) {
      EXPECT_TRUE(builder->AddRow(std::vector<std::string>{std::to_string(i % 11)}).ok());
    }
    return builder->Finish();
  };
  const DataProfile whole = profile(0, 1000);
  absl::StatusOr<DataProfile> merged = MergeAll({profile(0, 300), profile(300, 1000)});
  ASSERT_TRUE(merged.ok()) << merged.status();
  const NumericProfile& m = merged->features[0].numeric();
  const NumericProfile& w = whole.features[0].numeric();
  EXPECT_EQ(w.edge_counts, (std::vector<int64_t>{91, 91, 91}));  // 2, 5 and 8 in 1000 rows
  EXPECT_EQ(m.edge_counts, w.edge_counts);
  EXPECT_EQ(w.low_bin_sum, 0 * 91 + 1 * 91.0);  // values 0 and 1, below the first edge
  EXPECT_EQ(m.low_bin_sum, w.low_bin_sum);
  EXPECT_EQ(w.high_bin_sum, (8 + 9 + 10) * 91.0 - 10);  // 10 appears 90 times in 0..999
  EXPECT_EQ(m.high_bin_sum, w.high_bin_sum);
}

TEST(MergeTest, SameSeedSameSampleOtherSeedOtherSample) {
  const Rows rows = Data();
  const DataProfile a = Profile(rows, 0, 1500, 1);
  const DataProfile b = Profile(rows, 1500, 3000, 2);
  absl::StatusOr<DataProfile> m1 = Merge(a, b, {.seed = 5});
  absl::StatusOr<DataProfile> m2 = Merge(a, b, {.seed = 5});
  absl::StatusOr<DataProfile> m3 = Merge(a, b, {.seed = 6});
  ASSERT_TRUE(m1.ok() && m2.ok() && m3.ok());
  EXPECT_EQ(m1->features[0].numeric().sample, m2->features[0].numeric().sample);
  EXPECT_NE(m1->features[0].numeric().sample, m3->features[0].numeric().sample);
}

DataProfile NumericOnly(const NumericBuilder& b) {
  DataProfile p;
  FeatureProfile f;
  f.name = "v";
  f.count = b.count();
  f.missing = b.missing();
  f.kind = b.Finish();
  p.features.push_back(f);
  p.rows = b.count();
  return p;
}

NumericBuilder Stream(int from, int to, int64_t capacity, uint64_t seed) {
  absl::StatusOr<NumericBuilder> b =
      NumericBuilder::Create({.sample_capacity = capacity, .seed = seed});
  EXPECT_TRUE(b.ok());
  for (int v = from; v < to; ++v) b->Add(v);
  return *std::move(b);
}

// A full reservoir of 10 from the 30 values 0..29 merged with all 10 values 30..39: a uniform
// sample of 10 from the 40 values keeps each with probability 1/4, wherever it came from.
// Over 4000 trials, each value should be kept about 1000 times (binomial sd 27.4); the bound
// is 5 sd. Deterministic: fixed seeds.
TEST(MergeTest, MergedReservoirIsUniformOverTheUnion) {
  std::vector<int> kept(40, 0);
  for (uint64_t trial = 0; trial < 4000; ++trial) {
    const DataProfile a = NumericOnly(Stream(0, 30, 10, 2 * trial));
    const DataProfile b = NumericOnly(Stream(30, 40, 10, 2 * trial + 1));
    absl::StatusOr<DataProfile> merged = Merge(a, b, {.seed = trial});
    ASSERT_TRUE(merged.ok()) << merged.status();
    const std::vector<double>& sample = merged->features[0].numeric().sample;
    ASSERT_EQ(sample.size(), 10u);
    for (double v : sample) ++kept[static_cast<int>(v)];
  }
  for (int v = 0; v < 40; ++v) EXPECT_NEAR(kept[v], 1000, 137) << "value " << v;
}

TEST(MergeTest, MergedReservoirSizeNeverOutgrowsAFullReservoir) {
  const DataProfile a = NumericOnly(Stream(0, 100, 5, 1));     // full: 5 of 100
  const DataProfile b = NumericOnly(Stream(100, 200, 10, 2));  // full: 10 of 100
  EXPECT_EQ(Merge(a, b)->features[0].numeric().sample.size(), 5u);
  EXPECT_EQ(Merge(a, b, {.sample_capacity = 3})->features[0].numeric().sample.size(), 3u);
  const DataProfile small = NumericOnly(Stream(0, 4, 10, 3));  // complete: all 4 values
  const DataProfile other = NumericOnly(Stream(4, 7, 10, 4));  // complete: all 3 values
  EXPECT_THAT(Merge(small, other)->features[0].numeric().sample, ElementsAre(0, 1, 2, 3, 4, 5, 6));
}

TEST(MergeTest, SideWithoutValuesKeepsTheOthersMoments) {
  DataProfile a = ValidProfile();
  DataProfile b = ValidProfile();
  // In b, "age" has no values: its zero placeholders must not pull min down to 0.
  b.features[0].missing = 12;
  Numeric(b, 0) = NumericProfile();
  Numeric(b, 0).bin_edges = {10, 20, 30};
  Numeric(b, 0).bin_counts = {0, 0, 0, 0};
  absl::StatusOr<DataProfile> merged = Merge(a, b);
  ASSERT_TRUE(merged.ok()) << merged.status();
  const NumericProfile& m = merged->features[0].numeric();
  EXPECT_EQ(m.min, 5);
  EXPECT_EQ(m.max, 40);
  EXPECT_EQ(m.mean, 22);
  EXPECT_EQ(m.m2, 100);
  EXPECT_EQ(merged->features[0].count, 24);
  EXPECT_EQ(merged->features[0].missing, 14);
}

TEST(MergeTest, CategoriesAddAndFoldBeyondTheLimit) {
  DataProfile a = ValidProfile();  // blue 3, red 5, other 1
  DataProfile b = ValidProfile();
  Categorical(b, 1).counts = {{"green", 4}, {"red", 1}};
  Categorical(b, 1).other = 0;
  absl::StatusOr<DataProfile> merged = Merge(a, b, {.max_categories = 2});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_THAT(merged->features[1].categorical().counts,
              ElementsAre(Pair("green", 4), Pair("red", 6)));
  EXPECT_EQ(merged->features[1].categorical().other, 4);  // 1 + 0 + blue's 3
}

struct RejectCase {
  std::string name;
  std::function<void(DataProfile&)> mutate_b;
  std::string message;
};

class MergeRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(MergeRejectTest, RejectsIncompatibleOrInvalidShards) {
  const DataProfile a = ValidProfile();
  DataProfile b = ValidProfile();
  GetParam().mutate_b(b);
  const absl::Status status = Merge(a, b).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MergeRejectTest,
    ::testing::Values(
        RejectCase{"DifferentEdges", [](DataProfile& p) { Numeric(p, 0).bin_edges[1] = 21; },
                   "b.features[0].numeric.bin_edges[1]: is 21 but a has 20 for feature 'age'"},
        RejectCase{"MoreEdges",
                   [](DataProfile& p) {
                     Numeric(p, 2).bin_edges = {1};
                     Numeric(p, 2).bin_counts = {0, 0};
                   },
                   "b.features[2].numeric.bin_edges: has 1 edges but a has 0 for feature "
                   "'income'"},
        RejectCase{"MissingFeature", [](DataProfile& p) { p.features.erase(p.features.begin()); },
                   "b.features: feature 'age' of a is missing"},
        RejectCase{"KindDiffers",
                   [](DataProfile& p) {
                     NumericProfile n;
                     n.bin_counts = {10};
                     p.features[1].kind = n;
                   },
                   "b.features[1]: feature 'color' is numeric but categorical in a"},
        RejectCase{"InvalidShard", [](DataProfile& p) { p.rows = -2; },
                   "b.rows: must be >= 0, got -2"},
        RejectCase{"CountOverflow",
                   [](DataProfile& p) {
                     p.rows = p.features[2].count = p.features[2].missing =
                         std::numeric_limits<int64_t>::max() - 5;
                   },
                   "rows: 12 + 9223372036854775802 overflows a 64-bit count"}),
    [](const ::testing::TestParamInfo<RejectCase>& info) { return info.param.name; });

TEST(MergeTest, NamesTheFirstShardToo) {
  DataProfile a = ValidProfile();
  a.features[0].count = -1;
  EXPECT_THAT(std::string(Merge(a, ValidProfile()).status().message()),
              HasSubstr("a.features[0].count: must be >= 0"));
}

TEST(MergeAllTest, EmptyAndSingle) {
  EXPECT_EQ(MergeAll({}).status().message(), "shards: must not be empty");
  const std::vector<DataProfile> one = {ValidProfile()};
  absl::StatusOr<DataProfile> merged = MergeAll(one);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->features[0].numeric().sample, ValidProfile().features[0].numeric().sample);
  std::vector<DataProfile> two = {ValidProfile(), ValidProfile()};
  Numeric(two[1], 0).bin_edges[0] = 9;
  EXPECT_THAT(std::string(MergeAll(two).status().message()),
              HasSubstr("shards[1].features[0].numeric.bin_edges[0]: is 9 but shards[0] has 10"));
}

TEST(MergeTest, RejectsBadOptions) {
  EXPECT_EQ(Merge(ValidProfile(), ValidProfile(), {.sample_capacity = -1}).status().message(),
            "sample_capacity: must be in [0, 100000], got -1");
  EXPECT_EQ(Merge(ValidProfile(), ValidProfile(), {.max_categories = 0}).status().message(),
            "max_categories: must be in [1, 100000], got 0");
}

}  // namespace
}  // namespace greengate::profile
