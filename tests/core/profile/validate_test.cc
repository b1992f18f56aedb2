#include "server/core/profile/validate.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/compatibility.h"
#include "tests/core/profile/test_profiles.h"

namespace greengate::profile {
namespace {

using testing::Categorical;
using ::testing::HasSubstr;
using testing::Numeric;
using testing::ValidProfile;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ValidateProfileTest, AcceptsValidProfile) {
  EXPECT_TRUE(ValidateProfile(ValidProfile(), "p").ok());
  EXPECT_TRUE(ValidateReference(ValidProfile(), "p").ok());
}

struct InvalidCase {
  std::string name;
  std::function<void(DataProfile&)> mutate;
  std::string message;  // expected substring, starting with the field path
};

class InvalidProfileTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidProfileTest, RejectsWithFieldPath) {
  DataProfile p = ValidProfile();
  GetParam().mutate(p);
  const absl::Status status = ValidateProfile(p, "p");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
  // A reference is held to every rule of a profile, and more.
  EXPECT_EQ(ValidateReference(p, "p").code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, InvalidProfileTest,
    ::testing::Values(
        InvalidCase{"NegativeRows", [](DataProfile& p) { p.rows = -1; },
                    "p.rows: must be >= 0, got -1"},
        InvalidCase{"NoFeatures", [](DataProfile& p) { p.features.clear(); },
                    "p.features: must contain at least one feature"},
        InvalidCase{"TooManyFeatures",
                    [](DataProfile& p) {
                      const FeatureProfile f = p.features[2];
                      p.features.clear();
                      for (int i = 0; i < 10'001; ++i) {
                        p.features.push_back(f);
                        p.features.back().name = "f" + std::to_string(i);
                      }
                    },
                    "p.features: has 10001 features; at most 10000 are allowed"},
        InvalidCase{"EmptyName", [](DataProfile& p) { p.features[1].name = ""; },
                    "p.features[1].name: must not be empty"},
        InvalidCase{"LongName", [](DataProfile& p) { p.features[0].name = std::string(257, 'x'); },
                    "p.features[0].name: is 257 bytes long; at most 256 are allowed"},
        InvalidCase{"DuplicateName", [](DataProfile& p) { p.features[2].name = "age"; },
                    "p.features[2].name: duplicate feature name 'age'; features[0] has the "
                    "same name"},
        InvalidCase{"NegativeCount", [](DataProfile& p) { p.features[1].count = -1; },
                    "p.features[1].count: must be >= 0, got -1"},
        InvalidCase{"NegativeMissing", [](DataProfile& p) { p.features[1].missing = -3; },
                    "p.features[1].missing: must be >= 0, got -3"},
        InvalidCase{"MissingAboveCount", [](DataProfile& p) { p.features[2].missing = 13; },
                    "p.features[2].missing: 13 exceeds count (12)"},
        InvalidCase{"CountAboveRows", [](DataProfile& p) { p.rows = 11; },
                    "p.features[0].count: 12 exceeds the profile's rows (11)"},
        InvalidCase{"EdgeNaN", [](DataProfile& p) { Numeric(p, 0).bin_edges[1] = kNaN; },
                    "p.features[0].numeric.bin_edges[1]: must be finite, got nan"},
        InvalidCase{"EdgeInf", [](DataProfile& p) { Numeric(p, 0).bin_edges[2] = kInf; },
                    "p.features[0].numeric.bin_edges[2]: must be finite, got inf"},
        InvalidCase{"EdgesNotIncreasing", [](DataProfile& p) { Numeric(p, 0).bin_edges[2] = 20; },
                    "p.features[0].numeric.bin_edges[2]: must be greater than the previous "
                    "edge [1] (20), got 20; bin edges must be strictly increasing"},
        InvalidCase{"TooManyEdges",
                    [](DataProfile& p) {
                      NumericProfile& n = Numeric(p, 2);
                      for (int i = 0; i < 10'001; ++i) n.bin_edges.push_back(i);
                      n.bin_counts.assign(10'002, 0);
                    },
                    "p.features[2].numeric.bin_edges: has 10001 edges; at most 10000 are "
                    "allowed"},
        InvalidCase{"BinCountsSize", [](DataProfile& p) { Numeric(p, 0).bin_counts.pop_back(); },
                    "p.features[0].numeric.bin_counts: has 3 entries; expected 4 (one per bin, "
                    "len(bin_edges)+1)"},
        InvalidCase{"BinCountNaN", [](DataProfile& p) { Numeric(p, 0).bin_counts[3] = kNaN; },
                    "p.features[0].numeric.bin_counts[3]: must be finite, got nan"},
        InvalidCase{"BinCountInf", [](DataProfile& p) { Numeric(p, 0).bin_counts[0] = -kInf; },
                    "p.features[0].numeric.bin_counts[0]: must be finite, got -inf"},
        InvalidCase{"NegativeBinCount",
                    [](DataProfile& p) {
                      Numeric(p, 0).bin_counts[0] = -1;
                      Numeric(p, 0).bin_counts[1] = 4;  // the sum still matches
                    },
                    "p.features[0].numeric.bin_counts[0]: must be >= 0, got -1"},
        InvalidCase{"BinCountSum", [](DataProfile& p) { Numeric(p, 0).bin_counts[3] = 5; },
                    "p.features[0].numeric.bin_counts: sum to 11; expected 10 (count - missing "
                    "= 12 - 2)"},
        InvalidCase{"MinNaN", [](DataProfile& p) { Numeric(p, 0).min = kNaN; },
                    "p.features[0].numeric.min: must be finite, got nan"},
        InvalidCase{"MaxInf", [](DataProfile& p) { Numeric(p, 0).max = kInf; },
                    "p.features[0].numeric.max: must be finite, got inf"},
        InvalidCase{"MeanNaN", [](DataProfile& p) { Numeric(p, 0).mean = kNaN; },
                    "p.features[0].numeric.mean: must be finite, got nan"},
        InvalidCase{"M2Inf", [](DataProfile& p) { Numeric(p, 0).m2 = kInf; },
                    "p.features[0].numeric.m2: must be finite, got inf"},
        InvalidCase{"M2NaNWithoutValues", [](DataProfile& p) { Numeric(p, 2).m2 = kNaN; },
                    "p.features[2].numeric.m2: must be finite, got nan"},
        InvalidCase{"NegativeM2", [](DataProfile& p) { Numeric(p, 0).m2 = -0.5; },
                    "p.features[0].numeric.m2: must be >= 0 (a sum of squared deviations), "
                    "got -0.5"},
        InvalidCase{"MinAboveMax", [](DataProfile& p) { Numeric(p, 0).min = 41; },
                    "p.features[0].numeric.min: 41 exceeds max (40)"},
        InvalidCase{"MeanBelowMin", [](DataProfile& p) { Numeric(p, 0).mean = 4.5; },
                    "p.features[0].numeric.mean: 4.5 is outside [min, max] = [5, 40]"},
        InvalidCase{"MeanAboveMax", [](DataProfile& p) { Numeric(p, 0).mean = 40.001; },
                    "p.features[0].numeric.mean: 40.001 is outside [min, max] = [5, 40]"},
        InvalidCase{"SampleTooLarge",
                    [](DataProfile& p) {
                      p.rows = 0;
                      p.features[0].count = 200'000;
                      p.features[0].missing = 0;
                      NumericProfile& n = Numeric(p, 0);
                      n.bin_counts = {0, 200'000, 0, 0};
                      n.sample.assign(100'001, 15);
                      n.sample_seen = 200'000;
                    },
                    "p.features[0].numeric.sample: has 100001 values; at most 100000 are "
                    "allowed"},
        InvalidCase{"SampleNaN", [](DataProfile& p) { Numeric(p, 0).sample[3] = kNaN; },
                    "p.features[0].numeric.sample[3]: must be finite, got nan"},
        InvalidCase{"SampleInf", [](DataProfile& p) { Numeric(p, 0).sample[0] = -kInf; },
                    "p.features[0].numeric.sample[0]: must be finite, got -inf"},
        InvalidCase{"SampleLargerThanSeen", [](DataProfile& p) { Numeric(p, 0).sample_seen = 3; },
                    "p.features[0].numeric.sample: has 4 values but sample_seen is 3"},
        InvalidCase{"NegativeSampleSeen",
                    [](DataProfile& p) { Numeric(p, 2).sample_seen = -1; },
                    "p.features[2].numeric.sample_seen: must be >= 0, got -1"},
        InvalidCase{"SampleSeenAboveNonMissing",
                    [](DataProfile& p) { Numeric(p, 0).sample_seen = 11; },
                    "p.features[0].numeric.sample_seen: 11 exceeds count - missing (10)"},
        InvalidCase{"TooManyCategories",
                    [](DataProfile& p) {
                      CategoricalProfile& c = Categorical(p, 1);
                      c.counts.clear();
                      for (int i = 0; i < 100'001; ++i) c.counts["c" + std::to_string(i)] = 0;
                      c.other = 0;
                    },
                    "p.features[1].categorical.counts: has 100001 categories; at most 100000 "
                    "are allowed"},
        InvalidCase{"EmptyCategory", [](DataProfile& p) { Categorical(p, 1).counts[""] = 1; },
                    "p.features[1].categorical.counts['']: a category must not be empty; "
                    "empty values count as missing"},
        InvalidCase{"LongCategory",
                    [](DataProfile& p) {
                      Categorical(p, 1).counts[std::string(1025, 'z')] = 1;
                      Categorical(p, 1).other = 0;
                    },
                    "... (1025 bytes)]: category is 1025 bytes long; at most 1024 are allowed"},
        InvalidCase{"NegativeCategoryCount",
                    [](DataProfile& p) { Categorical(p, 1).counts["blue"] = -2; },
                    "p.features[1].categorical.counts['blue']: must be >= 0, got -2"},
        InvalidCase{"NegativeOther", [](DataProfile& p) { Categorical(p, 1).other = -1; },
                    "p.features[1].categorical.other: must be >= 0, got -1"},
        InvalidCase{"CategoriesAboveNonMissing",
                    [](DataProfile& p) { Categorical(p, 1).other = 3; },
                    "p.features[1].categorical: counts (sum 8) plus other (3) exceed count - "
                    "missing = 10 (12 - 2)"},
        InvalidCase{"CategoryCountsOverflow",
                    [](DataProfile& p) {
                      Categorical(p, 1).counts["blue"] = std::numeric_limits<int64_t>::max();
                    },
                    "p.features[1].categorical: counts (sum 9223372036854775807) plus other "
                    "(1) exceed count - missing = 10"},
        // The joint sample's limits (its shape: validate_strict_test.cc).
        InvalidCase{"TooManyJointRows",
                    [](DataProfile& p) { p.joint = JointSample{{"age"}, 10'001, {}, 10'001}; },
                    "p.joint.rows: must be in [2, 10000], got 10001"},
        InvalidCase{"NegativeJointRows",
                    [](DataProfile& p) { p.joint = JointSample{{"age"}, -1, {}, 0}; },
                    "p.joint.rows: must be in [2, 10000], got -1"},
        InvalidCase{"TooManyJointFeatures",
                    [](DataProfile& p) {
                      p.joint = JointSample{std::vector<std::string>(10'001, "age"), 0, {}, 0};
                    },
                    "p.joint.features: has 10001 features; at most 10000 are allowed"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST(ValidateProfileTest, EmptyFieldHasNoLeadingDot) {
  DataProfile p = ValidProfile();
  p.features[0].count = -1;
  EXPECT_THAT(std::string(ValidateProfile(p, "").message()),
              ::testing::StartsWith("features[0].count: must be >= 0"));
}

TEST(ValidateProfileTest, ForgivesMeanRoundedJustOutsideRange) {
  DataProfile p = ValidProfile();
  NumericProfile& n = Numeric(p, 0);
  n.min = n.max = 0.1;
  n.mean = 0.09999999999999999;  // numpy.mean([0.1] * 10)
  n.m2 = 0;
  n.sample = {0.1};
  EXPECT_TRUE(ValidateProfile(p, "p").ok());
}

TEST(ValidateProfileTest, NoValuesAllowsAnyOrderOfPlaceholders) {
  DataProfile p = ValidProfile();
  // "income" has no non-missing values: its min/max/mean describe nothing.
  Numeric(p, 2).min = 3;
  Numeric(p, 2).max = 1;
  EXPECT_TRUE(ValidateProfile(p, "p").ok());
}

TEST(ValidateReferenceTest, RequiresSortedSample) {
  DataProfile p = ValidProfile();
  Numeric(p, 0).sample = {5, 25, 15, 40};
  EXPECT_TRUE(ValidateProfile(p, "current").ok());
  const absl::Status status = ValidateReference(p, "reference");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "reference.features[0].numeric.sample[2]: 15 is less than sample[1] (25); a "
            "reference's sample must be sorted ascending");
}

struct MismatchCase {
  std::string name;
  std::function<void(DataProfile&)> mutate_current;
  std::string message;  // empty when the current profile matches
};

class AgainstReferenceTest : public ::testing::TestWithParam<MismatchCase> {};

TEST_P(AgainstReferenceTest, ChecksFeaturesKindsAndEdges) {
  const DataProfile reference = ValidProfile();
  DataProfile current = ValidProfile();
  GetParam().mutate_current(current);
  const absl::Status status = ValidateAgainstReference(reference, current, "current");
  if (GetParam().message.empty()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AgainstReferenceTest,
    ::testing::Values(
        MismatchCase{"Same", [](DataProfile&) {}, ""},
        MismatchCase{"Reordered", [](DataProfile& p) { std::swap(p.features[0], p.features[2]); },
                     ""},
        MismatchCase{"MissingFeature", [](DataProfile& p) { p.features.pop_back(); },
                     "current.features: feature 'income' of the reference is missing"},
        MismatchCase{"ExtraFeature",
                     [](DataProfile& p) {
                       p.features.push_back(p.features[2]);
                       p.features.back().name = "extra";
                     },
                     "current.features[3]: feature 'extra' is not in the reference (which has "
                     "'age', 'color', 'income')"},
        MismatchCase{"RenamedFeature", [](DataProfile& p) { p.features[1].name = "colour"; },
                     "current.features[1]: feature 'colour' is not in the reference"},
        MismatchCase{"DuplicateFeature", [](DataProfile& p) { p.features[2] = p.features[0]; },
                     "current.features[2]: feature 'age' appears more than once"},
        MismatchCase{"KindDiffers", [](DataProfile& p) { p.features[1].kind = NumericProfile{}; },
                     "current.features[1]: feature 'color' is numeric but categorical in the "
                     "reference"},
        MismatchCase{"FewerEdges", [](DataProfile& p) { Numeric(p, 0).bin_edges.pop_back(); },
                     "current.features[0].numeric.bin_edges: has 2 edges but the reference "
                     "has 3 for feature 'age'"},
        MismatchCase{
            "EdgeOffByOneUlp",
            [](DataProfile& p) { Numeric(p, 0).bin_edges[1] = std::nextafter(20.0, 21.0); },
            "current.features[0].numeric.bin_edges[1]: is 20.000000000000004 but the "
            "reference has 20 for feature 'age'"}),
    [](const ::testing::TestParamInfo<MismatchCase>& info) { return info.param.name; });

// A current profile counted without the reference's edges has counts that fit no edges of
// its own: the error names bin_edges, what the client must copy, not bin_counts.
TEST(ValidateCurrentTest, WithoutTheReferencesEdgesNamesBinEdges) {
  const DataProfile reference = ValidProfile();
  DataProfile current = ValidProfile();
  Numeric(current, 0).bin_edges.clear();
  EXPECT_EQ(ValidateCurrent(reference, current, "current").message(),
            "current.features[0].numeric.bin_edges: has 0 edges but the reference has 3 for "
            "feature 'age'; profile the data on the reference's bin edges");
  // Then the profile on its own, then its categories against the reference's.
  current = ValidProfile();
  current.rows = 0;
  EXPECT_THAT(std::string(ValidateCurrent(reference, current, "current").message()),
              HasSubstr("current.rows: is 0"));
  current = ValidProfile();
  Categorical(current, 1).reference_aligned = true;
  Categorical(current, 1).counts.erase("red");
  Categorical(current, 1).other = 6;
  EXPECT_THAT(std::string(ValidateCurrent(reference, current, "current").message()),
              HasSubstr("current.features[1].categorical.counts: category 'red' of the "
                        "reference is not counted"));
  EXPECT_TRUE(ValidateCurrent(reference, ValidProfile(), "current").ok());
}

TEST(ValidateSameFeaturesTest, NamesTheBase) {
  const DataProfile a = ValidProfile();
  DataProfile b = ValidProfile();
  b.features.pop_back();
  EXPECT_EQ(ValidateSameFeatures(a, "a", b, "b").message(),
            "b.features: feature 'income' of a is missing");
}

}  // namespace
}  // namespace greengate::profile
