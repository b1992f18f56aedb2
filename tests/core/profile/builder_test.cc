#include "server/core/profile/builder.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/validate.h"

namespace greengate::profile {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Pair;

struct ParseCase {
  std::string field;
  double expected;  // NaN: missing
};

TEST(ParseNumericFieldTest, ParsesNumbersAndMissingMarkers) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const ParseCase cases[] = {
      {"1", 1},      {" 2.5\t", 2.5}, {"+4", 4},     {"-1e3", -1000}, {".5", 0.5},
      {"", nan},     {"  ", nan},     {"NA", nan},   {"n/a", nan},    {"NaN", nan},
      {"-nan", nan}, {"null", nan},   {"None", nan},
  };
  for (const ParseCase& c : cases) {
    absl::StatusOr<double> v = ParseNumericField(c.field);
    ASSERT_TRUE(v.ok()) << c.field << ": " << v.status();
    if (std::isnan(c.expected)) {
      EXPECT_TRUE(std::isnan(*v)) << c.field;
    } else {
      EXPECT_EQ(*v, c.expected) << c.field;
    }
  }
  EXPECT_EQ(*ParseNumericField("inf"), std::numeric_limits<double>::infinity());
}

// The value std::from_chars gives `field` (the correctly rounded double), bit for bit.
uint64_t FromCharsBits(const std::string& field) {
  double value = 0;
  const std::from_chars_result r =
      std::from_chars(field.data(), field.data() + field.size(), value);
  EXPECT_EQ(r.ec, std::errc()) << field;
  EXPECT_EQ(r.ptr, field.data() + field.size()) << field;
  return std::bit_cast<uint64_t>(value);
}

// ParseNumericField() reads plain decimals itself (m / 10^k, see builder.cc); its result must
// be std::from_chars's bit for bit, rounding-sensitive cases and the 15/16-digit boundary of
// that path included.
TEST(ParseNumericFieldTest, PlainDecimalsMatchFromCharsBitForBit) {
  std::vector<std::string> fields = {"0",
                                     "-0",
                                     "0.0",
                                     "-0.000",
                                     "007",
                                     "1.5",
                                     "0.1",
                                     "0.3",
                                     "-2.675",
                                     "1.005",
                                     "123456789012345",
                                     "999999999999999",
                                     "0.999999999999999",
                                     "-0.000000000000001",
                                     "9007199254740993",
                                     "1234567890123456",
                                     "0.1234567890123456",
                                     "12345678.90123456",
                                     "4503599627370497.5",
                                     "0.30000000000000004"};
  // Seeded pseudo-random decimals "-?d{1,9}(.d{1,12})?", a spread of digit counts and values.
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string f = next() % 2 ? "-" : "";
    const int int_digits = 1 + static_cast<int>(next() % 9);
    for (int d = 0; d < int_digits; ++d) f += static_cast<char>('0' + next() % 10);
    const int decimals = static_cast<int>(next() % 13);
    if (decimals > 0) {
      f += '.';
      for (int d = 0; d < decimals; ++d) f += static_cast<char>('0' + next() % 10);
    }
    fields.push_back(f);
  }
  for (const std::string& f : fields) {
    absl::StatusOr<double> v = ParseNumericField(f);
    ASSERT_TRUE(v.ok()) << f << ": " << v.status();
    EXPECT_EQ(std::bit_cast<uint64_t>(*v), FromCharsBits(f)) << f;
  }
}

TEST(ParseNumericFieldTest, RejectsNonNumbers) {
  for (const char* field : {"abc", "1.5x", "+", "+-1", "1,5", "0x10", "--1", "1 2", "1e400",
                            "1e-400", "-", "1.2.3", "1-2", "-.5x"}) {
    EXPECT_EQ(ParseNumericField(field).status().code(), absl::StatusCode::kInvalidArgument)
        << field;
  }
  EXPECT_EQ(ParseNumericField("abc").status().message(),
            "cannot parse 'abc' as a number; write a missing value as an empty field or NA");
  EXPECT_EQ(ParseNumericField("1e400").status().message(),
            "'1e400' is outside the range of a double");
}

std::vector<FeatureSpec> Schema() {
  return {{"x", FeatureKind::kNumeric}, {"color", FeatureKind::kCategorical}};
}

ProfileBuilderOptions Options() {
  ProfileBuilderOptions options;
  options.sample_capacity = 1000;
  options.seed = 3;
  return options;
}

// 200 rows: x = ((i*37) % 101) / 4 (missing when i % 17 == 0), color cycles red/green/blue
// (missing when i % 11 == 0).
absl::Status FeedRows(ProfileBuilder& builder) {
  const char* colors[] = {"red", "green", "blue"};
  for (int i = 0; i < 200; ++i) {
    const std::string x = i % 17 == 0 ? "" : std::to_string(((i * 37) % 101) / 4.0);
    const std::string color = i % 11 == 0 ? "" : colors[i % 3];
    const std::vector<std::string> row = {x, color};
    absl::Status status = builder.AddRow(row);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

TEST(BuildReferenceProfileTest, TwoPassesGiveQuantileEdgesAndCountsOnThem) {
  absl::StatusOr<DataProfile> reference = BuildReferenceProfile(Schema(), Options(), 10, FeedRows);
  ASSERT_TRUE(reference.ok()) << reference.status();
  EXPECT_TRUE(ValidateReference(*reference, "reference").ok());
  EXPECT_EQ(reference->rows, 200);

  const FeatureProfile& x = reference->features[0];
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.count, 200);
  EXPECT_EQ(x.missing, 12);
  // The reservoir (capacity 1000) holds all 188 values, so the edges are the data's deciles:
  // numpy.quantile(x, np.arange(1, 10) / 10, method="linear") over the 188 values.
  const NumericProfile& n = x.numeric();
  const std::vector<double> expected_edges = {
      2.5, 5.0, 7.75, 10.2, 12.625, 15.25, 17.75, 20.15, 22.575000000000003};
  ASSERT_EQ(n.bin_edges.size(), expected_edges.size());
  for (std::size_t i = 0; i < expected_edges.size(); ++i) {
    EXPECT_DOUBLE_EQ(n.bin_edges[i], expected_edges[i]);
  }
  // np.bincount(np.searchsorted(edges, x, side="right"), minlength=10)
  EXPECT_THAT(n.bin_counts, ElementsAre(18, 19, 19, 19, 19, 18, 18, 20, 19, 19));
  // x.mean(), ((x - x.mean())**2).sum(), x.min(), x.max()
  EXPECT_NEAR(n.mean, 12.634308510638299, 1e-12);
  EXPECT_NEAR(n.m2, 10024.171210106382, 1e-8);
  EXPECT_EQ(n.min, 0);
  EXPECT_EQ(n.max, 25);
  EXPECT_EQ(n.sample.size(), 188u);
  EXPECT_EQ(n.sample_seen, 188);

  const FeatureProfile& color = reference->features[1];
  EXPECT_EQ(color.count, 200);
  EXPECT_EQ(color.missing, 19);  // i % 11 == 0 for i in [0, 200)
  int64_t red = 0, green = 0, blue = 0;
  for (int i = 0; i < 200; ++i) {
    if (i % 11 == 0) continue;
    (i % 3 == 0 ? red : i % 3 == 1 ? green : blue) += 1;
  }
  EXPECT_THAT(color.categorical().counts,
              ElementsAre(Pair("blue", blue), Pair("green", green), Pair("red", red)));
}

TEST(BuildReferenceProfileTest, SameRowsSameProfile) {
  ProfileBuilderOptions options = Options();
  options.sample_capacity = 20;  // a real reservoir, not the whole column
  absl::StatusOr<DataProfile> a = BuildReferenceProfile(Schema(), options, 5, FeedRows);
  absl::StatusOr<DataProfile> b = BuildReferenceProfile(Schema(), options, 5, FeedRows);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->features[0].numeric().sample, b->features[0].numeric().sample);
  EXPECT_EQ(a->features[0].numeric().bin_edges, b->features[0].numeric().bin_edges);
  EXPECT_EQ(a->features[0].numeric().sample.size(), 20u);
  EXPECT_TRUE(ValidateReference(*a, "reference").ok());
}

TEST(BuildReferenceProfileTest, RejectsASourceThatChangesBetweenPasses) {
  int calls = 0;
  auto source = [&calls](ProfileBuilder& builder) {
    ++calls;
    for (int i = 0; i < (calls == 1 ? 3 : 2); ++i) {
      const std::vector<std::string> row = {"1", "a"};
      absl::Status status = builder.AddRow(row);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  };
  EXPECT_THAT(
      std::string(BuildReferenceProfile(Schema(), Options(), 10, source).status().message()),
      HasSubstr("gave 3 rows on the first pass and 2 on the second"));
  EXPECT_EQ(BuildReferenceProfile(Schema(), Options(), 0, source).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Pass 2 keeps pass 1's reservoirs instead of drawing them again; the profile must be the
// one a pass 2 that draws its own reservoir (the same seed, the same values) gives.
TEST(SecondPassTest, KeepsPassOnesSampleWhichEqualsADrawnOne) {
  ProfileBuilderOptions options = Options();
  options.sample_capacity = 20;  // a real reservoir: most values are drawn and replaced
  absl::StatusOr<ProfileBuilder> pass1 = ProfileBuilder::Create(Schema(), options);
  ASSERT_TRUE(pass1.ok());
  ASSERT_TRUE(FeedRows(*pass1).ok());
  absl::StatusOr<ProfileBuilder> kept = pass1->SecondPass(Schema(), options, 5);
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_TRUE(FeedRows(*kept).ok());
  const DataProfile with_kept = kept->Finish();

  const NumericProfile& n = with_kept.features[0].numeric();
  ASSERT_EQ(n.sample.size(), 20u);
  EXPECT_TRUE(std::is_sorted(n.sample.begin(), n.sample.end()));
  absl::StatusOr<std::vector<double>> edges = QuantileEdges(n.sample, 5);
  ASSERT_TRUE(edges.ok());
  EXPECT_EQ(n.bin_edges, *edges);  // the edges are the kept sample's quantiles

  absl::StatusOr<ProfileBuilder> drawn = ProfileBuilder::Create(Schema(), options, {*edges, {}});
  ASSERT_TRUE(drawn.ok());
  ASSERT_TRUE(FeedRows(*drawn).ok());
  const DataProfile with_drawn = drawn->Finish();
  EXPECT_EQ(n.sample, with_drawn.features[0].numeric().sample);
  EXPECT_EQ(n.sample_seen, with_drawn.features[0].numeric().sample_seen);
  EXPECT_EQ(n.bin_counts, with_drawn.features[0].numeric().bin_counts);
  EXPECT_EQ(n.mean, with_drawn.features[0].numeric().mean);
  EXPECT_EQ(with_kept.features[1].categorical().counts,
            with_drawn.features[1].categorical().counts);
}

TEST(SecondPassTest, TakesAFeatureTurnedCategorical) {
  absl::StatusOr<ProfileBuilder> pass1 = ProfileBuilder::Create(Schema(), Options());
  ASSERT_TRUE(pass1.ok());
  ASSERT_TRUE(FeedRows(*pass1).ok());
  std::vector<FeatureSpec> schema = Schema();
  schema[0].kind = FeatureKind::kCategorical;
  absl::StatusOr<ProfileBuilder> pass2 = pass1->SecondPass(schema, Options(), 10);
  ASSERT_TRUE(pass2.ok()) << pass2.status();
  ASSERT_TRUE(FeedRows(*pass2).ok());
  const DataProfile profile = pass2->Finish();
  EXPECT_FALSE(profile.features[0].is_numeric());
  EXPECT_EQ(profile.features[0].count, 200);
}

TEST(SecondPassTest, RejectsAnotherSchemaAndBadBins) {
  absl::StatusOr<ProfileBuilder> pass1 = ProfileBuilder::Create(Schema(), Options());
  ASSERT_TRUE(pass1.ok());
  std::vector<FeatureSpec> renamed = Schema();
  renamed[1].name = "colour";
  EXPECT_THAT(std::string(pass1->SecondPass(renamed, Options(), 10).status().message()),
              HasSubstr("schema[1].name: is 'colour'; pass 1 had 'color'"));
  std::vector<FeatureSpec> shorter = Schema();
  shorter.pop_back();
  EXPECT_THAT(std::string(pass1->SecondPass(shorter, Options(), 10).status().message()),
              HasSubstr("schema: has 1 features; pass 1 had 2"));
  EXPECT_EQ(pass1->SecondPass(Schema(), Options(), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProfileBuilderTest, CurrentProfileMatchesItsReference) {
  absl::StatusOr<DataProfile> reference = BuildReferenceProfile(Schema(), Options(), 10, FeedRows);
  ASSERT_TRUE(reference.ok());
  absl::StatusOr<ProfileBuilder> builder = ProfileBuilder::ForReference(*reference, Options());
  ASSERT_TRUE(builder.ok()) << builder.status();
  for (const auto& row : std::vector<std::vector<std::string_view>>{
           {"30", "red"}, {"-1", "purple"}, {"2.5", ""}, {"NA", "red"}}) {
    ASSERT_TRUE(builder->AddRow(row).ok());
  }
  const DataProfile current = builder->Finish();
  EXPECT_TRUE(ValidateProfile(current, "current").ok());
  EXPECT_TRUE(ValidateAgainstReference(*reference, current, "current").ok());
  EXPECT_EQ(current.rows, 4);
  // Edges from the reference: -1 below the first, 2.5 on the first, 30 above the last.
  EXPECT_THAT(current.features[0].numeric().bin_counts, ElementsAre(1, 1, 0, 0, 0, 0, 0, 0, 0, 1));
  // Counted on the reference's categories, zeros kept; "purple", which the reference (which
  // listed every category it saw) never saw, is listed as unseen.
  const CategoricalProfile& colour = current.features[1].categorical();
  EXPECT_TRUE(colour.reference_aligned);
  EXPECT_THAT(colour.counts,
              ElementsAre(Pair("blue", 0), Pair("green", 0), Pair("purple", 1), Pair("red", 2)));
  EXPECT_THAT(colour.unseen, ElementsAre("purple"));
  // Both record their options; only the reference has quantile bins of its own.
  const ProfileOptions recorded = {.top_k = 1000,
                                   .tracked_categories = 10000,
                                   .sample_size = 1000,
                                   .joint_sample_rows = 0,
                                   .seed = 3};
  ProfileOptions reference_recorded = recorded;
  reference_recorded.bins = 10;
  EXPECT_EQ(reference->options, reference_recorded);
  EXPECT_EQ(current.options, recorded);
}

// ReferenceOptions() gives back the options a reference recorded, for its current profiles;
// a reference of an older client (none recorded) leaves the defaults.
TEST(ProfileBuilderTest, ReferenceOptionsAreTheRecordedOnes) {
  DataProfile reference;
  ProfileBuilderOptions defaults;
  defaults.max_categories = 7;
  EXPECT_EQ(ReferenceOptions(reference, defaults).max_categories, 7);
  reference.options = ProfileOptions{.top_k = 5000,
                                     .tracked_categories = 5000,
                                     .sample_size = 300,
                                     .joint_sample_rows = 40,
                                     .seed = 9,
                                     .bins = 20};
  const ProfileBuilderOptions o = ReferenceOptions(reference, defaults);
  EXPECT_EQ(o.max_categories, 5000);
  EXPECT_EQ(o.tracked_categories, 5000);
  EXPECT_EQ(o.sample_capacity, 300);
  EXPECT_EQ(o.joint_sample_capacity, 40);
  EXPECT_EQ(o.seed, 9u);
}

TEST(ProfileBuilderTest, ABadRowCountsNothing) {
  absl::StatusOr<ProfileBuilder> builder = ProfileBuilder::Create(Schema(), Options());
  ASSERT_TRUE(builder.ok());
  ASSERT_TRUE(builder->AddRow(std::vector<std::string>{"1", "a"}).ok());
  EXPECT_EQ(builder->AddRow(std::vector<std::string>{"1"}).message(),
            "row 2: has 1 fields; expected 2, one per feature");
  EXPECT_EQ(builder->AddRow(std::vector<std::string>{"abc", "b"}).message(),
            "row 2, feature 'x': cannot parse 'abc' as a number; write a missing value as an "
            "empty field or NA");
  const DataProfile p = builder->Finish();
  EXPECT_EQ(p.rows, 1);
  EXPECT_EQ(p.features[0].count, 1);
  EXPECT_EQ(p.features[1].count, 1);
  EXPECT_THAT(p.features[1].categorical().counts, ElementsAre(Pair("a", 1)));
}

struct CreateErrorCase {
  std::string name;
  std::vector<FeatureSpec> schema;
  BinEdgeSet edges;
  std::string message;
};

class ProfileBuilderCreateTest : public ::testing::TestWithParam<CreateErrorCase> {};

TEST_P(ProfileBuilderCreateTest, RejectsWithPath) {
  const CreateErrorCase& c = GetParam();
  const absl::Status status = ProfileBuilder::Create(c.schema, Options(), c.edges).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProfileBuilderCreateTest,
    ::testing::Values(
        CreateErrorCase{"EmptySchema", {}, {}, "schema: must contain at least one feature"},
        CreateErrorCase{
            "EmptyName", {{"", FeatureKind::kNumeric}}, {}, "schema[0].name: must not be empty"},
        CreateErrorCase{"DuplicateName",
                        {{"a", FeatureKind::kNumeric}, {"a", FeatureKind::kCategorical}},
                        {},
                        "schema[1].name: duplicate feature name 'a'; schema[0] has the same "
                        "name"},
        CreateErrorCase{"EdgesPerFeature",
                        Schema(),
                        {{1, 2}},
                        "bin_edges: has 1 entries; expected 2, one per schema feature (empty "
                        "for categorical features), or none at all"},
        CreateErrorCase{"CategoricalWithEdges",
                        Schema(),
                        {{1}, {1}},
                        "bin_edges[1]: feature 'color' is categorical and takes no edges"},
        CreateErrorCase{"BadEdges",
                        Schema(),
                        {{2, 1}, {}},
                        "bin_edges[0][1]: must be greater than the previous edge [0] (2), got "
                        "1; bin edges must be strictly increasing"}),
    [](const ::testing::TestParamInfo<CreateErrorCase>& info) { return info.param.name; });

TEST(ProfileBuilderTest, RejectsBadOptions) {
  ProfileBuilderOptions options;
  options.max_categories = 0;
  EXPECT_EQ(ProfileBuilder::Create(Schema(), options).status().message(),
            "max_categories: must be in [1, 100000], got 0");
}

}  // namespace
}  // namespace greengate::profile
