// What a stored profile must satisfy so that no later decision fails on it: each case was
// accepted by SetReference (or ShouldRetrain) and then made every decision of the model fail,
// or was silently dropped.

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/validate.h"
#include "tests/core/profile/test_profiles.h"

namespace greengate::profile {
namespace {

using ::testing::HasSubstr;
using testing::ValidProfile;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A valid reference with a 3-row joint sample of "age" and "income".
DataProfile WithJoint() {
  DataProfile p = ValidProfile();
  p.joint = JointSample{{"age", "income"}, 3, {1, 2, 3, 4, 5, 6}, 10};
  return p;
}

struct StrictCase {
  std::string name;
  std::function<void(DataProfile&)> mutate;
  std::string message;  // expected substring; the reference check must fail with it
  bool current_too;     // whether a current profile is held to it as well
};

class StrictProfileTest : public ::testing::TestWithParam<StrictCase> {};

TEST_P(StrictProfileTest, RefusedWithTheFieldNamed) {
  DataProfile p = WithJoint();
  ASSERT_TRUE(ValidateReference(p, "reference.profile").ok());
  GetParam().mutate(p);
  const absl::Status reference = ValidateReference(p, "reference.profile");
  EXPECT_EQ(reference.code(), absl::StatusCode::kInvalidArgument) << reference;
  EXPECT_THAT(std::string(reference.message()), HasSubstr(GetParam().message));
  const absl::Status current = ValidateProfile(p, "reference.profile");
  EXPECT_EQ(current.ok(), !GetParam().current_too) << current;
}

INSTANTIATE_TEST_SUITE_P(
    Writes, StrictProfileTest,
    ::testing::Values(
        StrictCase{"ImportanceNegative", [](DataProfile& p) { p.feature_importance["age"] = -1; },
                   "reference.profile.feature_importance['age']: must be finite and >= 0, got -1",
                   false},
        StrictCase{"ImportanceNaN", [](DataProfile& p) { p.feature_importance["age"] = kNaN; },
                   "reference.profile.feature_importance['age']: must be finite and >= 0, got nan",
                   false},
        StrictCase{"ImportanceUnknownFeature",
                   [](DataProfile& p) { p.feature_importance["nosuch"] = 1; },
                   "reference.profile.feature_importance['nosuch']: is not a feature", false},
        StrictCase{"ImportanceAllZero",
                   [](DataProfile& p) {
                     p.feature_importance["age"] = 0;
                     p.feature_importance["color"] = 0;
                   },
                   "reference.profile.feature_importance: the reference's features must not all "
                   "weigh 0",
                   false},
        StrictCase{"ImportanceTotalInfinite",
                   [](DataProfile& p) {
                     p.feature_importance["age"] = 1e308;
                     p.feature_importance["color"] = 1e308;
                   },
                   "reference.profile.feature_importance: the weights sum to inf; their total "
                   "must be finite",
                   false},
        StrictCase{"JointNotRowsTimesFeatures", [](DataProfile& p) { p.joint->values.pop_back(); },
                   "reference.profile.joint.values: has 5 values; expected rows x features = "
                   "3 x 2 = 6",
                   true},
        StrictCase{"JointNaN", [](DataProfile& p) { p.joint->values[4] = kNaN; },
                   "reference.profile.joint.values[4]: must be finite, got nan", true},
        StrictCase{"JointOneRow",
                   [](DataProfile& p) {
                     p.joint->rows = 1;
                     p.joint->values.resize(2);
                   },
                   "reference.profile.joint.rows: must be in [2, 10000], got 1", true},
        StrictCase{"JointNoFeatures",
                   [](DataProfile& p) {
                     p.joint->features.clear();
                     p.joint->values.clear();
                   },
                   "reference.profile.joint.features: must name at least one numeric feature",
                   true},
        StrictCase{"JointUnknownColumn", [](DataProfile& p) { p.joint->features[1] = "nosuch"; },
                   "reference.profile.joint.features[1]: 'nosuch' is not a feature", true},
        StrictCase{"JointDuplicateColumn", [](DataProfile& p) { p.joint->features[1] = "age"; },
                   "reference.profile.joint.features[1]: 'age' is listed twice", true},
        StrictCase{"JointCategoricalColumn", [](DataProfile& p) { p.joint->features[1] = "color"; },
                   "reference.profile.joint.features[1]: 'color' is categorical", true},
        StrictCase{"JointSeenNegative", [](DataProfile& p) { p.joint->seen = -1; },
                   "reference.profile.joint.seen: must be >= rows (3), got -1", true},
        StrictCase{"RowsZero", [](DataProfile& p) { p.rows = 0; },
                   "reference.profile.rows: is 0 but features[0].count is 12", true},
        StrictCase{"RowsBillion", [](DataProfile& p) { p.rows = 1'000'000'000; },
                   "reference.profile.rows: is 1000000000 but features[0].count is 12", true}),
    [](const ::testing::TestParamInfo<StrictCase>& info) { return info.param.name; });

TEST(StrictProfileTest, ImportanceOfACurrentProfileIsIgnored) {
  DataProfile p = ValidProfile();
  p.feature_importance["nosuch"] = -1;
  EXPECT_TRUE(ValidateProfile(p, "current").ok());
}

NumericProfile Scores() {
  NumericProfile s;
  s.bin_edges = {0.6, 0.8};
  s.bin_counts = {10, 20, 70};
  s.min = 0.5;
  s.max = 1;
  s.mean = 0.85;
  s.m2 = 2;
  return s;
}

struct ScoresCase {
  std::string name;
  std::function<void(NumericProfile&)> mutate;
  std::string message;
};

class ScoreProfileTest : public ::testing::TestWithParam<ScoresCase> {};

TEST_P(ScoreProfileTest, Refused) {
  NumericProfile s = Scores();
  ASSERT_TRUE(ValidateScoreProfile(s, "reference.scores").ok());
  GetParam().mutate(s);
  const absl::Status status = ValidateScoreProfile(s, "reference.scores");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Scores, ScoreProfileTest,
    ::testing::Values(
        ScoresCase{"NaNBinCount", [](NumericProfile& s) { s.bin_counts[1] = kNaN; },
                   "reference.scores.bin_counts[1]: must be finite and >= 0, got nan"},
        ScoresCase{"NegativeBinCount", [](NumericProfile& s) { s.bin_counts[0] = -1; },
                   "reference.scores.bin_counts[0]: must be finite and >= 0, got -1"},
        ScoresCase{"CountsNotEdgesPlusOne", [](NumericProfile& s) { s.bin_counts.pop_back(); },
                   "reference.scores.bin_counts: has 2 entries; expected 3"},
        ScoresCase{"EdgesUnsorted",
                   [](NumericProfile& s) {
                     s.bin_edges = {0.8, 0.6};
                   },
                   "reference.scores.bin_edges[1]"},
        ScoresCase{"MeanNaN", [](NumericProfile& s) { s.mean = kNaN; },
                   "reference.scores.mean: must be finite, got nan"},
        ScoresCase{"SeenNegative", [](NumericProfile& s) { s.sample_seen = -1; },
                   "reference.scores.sample_seen: must be >= 0, got -1"},
        ScoresCase{"MinBelowZero", [](NumericProfile& s) { s.min = -5; },
                   "reference.scores.min: must be in [0, 1] (a confidence score), got -5"},
        ScoresCase{"MaxAboveOne", [](NumericProfile& s) { s.max = 7; },
                   "reference.scores.max: must be in [0, 1] (a confidence score), got 7"},
        ScoresCase{"MeanAboveOne", [](NumericProfile& s) { s.mean = 1.5; },
                   "reference.scores.mean: must be in [0, 1] (a confidence score), got 1.5"},
        ScoresCase{"EdgesAboveOne",
                   [](NumericProfile& s) {
                     s.bin_edges = {1.5, 2};
                   },
                   "reference.scores.bin_edges[0]: must be in [0, 1] (a confidence score), got "
                   "1.5"},
        ScoresCase{"SampleOutsideZeroOne",
                   [](NumericProfile& s) {
                     s.sample = {5, -3};
                     s.sample_seen = 2;
                   },
                   "reference.scores.sample[0]: must be in [0, 1] (a confidence score), got 5"},
        ScoresCase{"SampleNaN",
                   [](NumericProfile& s) {
                     s.sample = {0.5, kNaN};
                     s.sample_seen = 2;
                   },
                   "reference.scores.sample[1]: must be finite, got nan"},
        ScoresCase{"FractionalBinCount", [](NumericProfile& s) { s.bin_counts[1] = 1.5; },
                   "reference.scores.bin_counts[1]: must be a whole number (rows scored), got "
                   "1.5"}),
    [](const ::testing::TestParamInfo<ScoresCase>& info) { return info.param.name; });

TEST(ScoresAgainstReferenceTest, EdgesMustBeTheReferences) {
  NumericProfile current = Scores();
  EXPECT_TRUE(ValidateScoresAgainstReference(Scores(), current, "scores").ok());
  current.bin_edges = {0.5, 0.9};
  EXPECT_EQ(ValidateScoresAgainstReference(Scores(), current, "scores").message(),
            "scores.bin_edges[0]: is 0.5 but the reference's scores have 0.6; count the scores "
            "on the reference scores' bin edges exactly");
  current.bin_edges = {};
  EXPECT_THAT(std::string(ValidateScoresAgainstReference(Scores(), current, "scores").message()),
              HasSubstr("scores.bin_edges: has 0 edges but the reference's scores have 2"));
}

}  // namespace
}  // namespace greengate::profile
