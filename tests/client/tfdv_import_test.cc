#include "client/tfdv_import.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/test_files.h"

namespace greengate::client {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

std::string Fixture() {
  return testing::ReadFile(std::string(GG_SOURCE_DIR) + "/tests/client/testdata/tfdv_stats.json");
}

const profile::FeatureProfile& Feature(const profile::DataProfile& p, const std::string& name) {
  for (const profile::FeatureProfile& f : p.features) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no feature " << name;
  static const profile::FeatureProfile kNone;
  return kNone;
}

TEST(TfdvImportTest, ConvertsHistogramsAndRankHistogramsIntoAReference) {
  absl::StatusOr<TfdvImport> r = ProfileFromTfdvJson(Fixture(), {});
  ASSERT_TRUE(r.ok()) << r.status();
  const profile::DataProfile& p = r->profile;
  ASSERT_EQ(p.features.size(), 3u);  // blob has no stats: skipped
  EXPECT_EQ(p.rows, 100);

  // age: the QUANTILES histogram wins; the zero-width bucket at 40 merges its boundary.
  const profile::FeatureProfile& age = Feature(p, "age");
  EXPECT_EQ(age.count, 100);
  EXPECT_EQ(age.missing, 2);
  EXPECT_EQ(age.numeric().bin_edges, (std::vector<double>{30, 40}));
  // Buckets [18,30) 24.5 | [30,40) 24.5 | [40,40] 24.5 + [40,90] 24.5 (fractional kept).
  EXPECT_EQ(age.numeric().bin_counts, (std::vector<double>{24.5, 24.5, 49}));
  EXPECT_EQ(age.numeric().mean, 40.5);
  EXPECT_EQ(age.numeric().m2, 12.0 * 12.0 * 98);  // population std^2 x n
  EXPECT_TRUE(age.numeric().sample.empty());

  // income (named by path, snake_case JSON): counts 97.3 scaled to a whole 97; NaNs missing.
  const profile::FeatureProfile& income = Feature(p, "income");
  EXPECT_EQ(income.missing, 3);
  EXPECT_EQ(income.count, 100);
  EXPECT_EQ(income.numeric().bin_edges, (std::vector<double>{5}));
  EXPECT_THAT(
      income.numeric().bin_counts,
      Pointwise(DoubleNear(1e-12), std::vector<double>{48.7 * 97 / 97.3, 48.6 * 97 / 97.3}));

  // city: rank histogram, 30.4 rounded to 30; the rest of the 95 present values is other.
  const profile::FeatureProfile& city = Feature(p, "city");
  EXPECT_EQ(city.missing, 5);
  EXPECT_EQ(city.count, 100);
  EXPECT_EQ(city.categorical().counts,
            (std::map<std::string, int64_t>{{"Lyon", 30}, {"Nice", 10}, {"Paris", 50}}));
  EXPECT_EQ(city.categorical().other, 5);

  EXPECT_THAT(r->notes, ElementsAre(HasSubstr("income: bucket counts sum to 97.3"),
                                    HasSubstr("city: fractional category counts rounded"),
                                    HasSubstr("blob: skipped")));
}

TEST(TfdvImportTest, RebinsOntoAReferencesEdgesForACurrentProfile) {
  absl::StatusOr<TfdvImport> ref = ProfileFromTfdvJson(Fixture(), {});
  ASSERT_TRUE(ref.ok()) << ref.status();
  profile::DataProfile reference = ref->profile;
  // Edges at 24 and 60 for age: [18,30) splits 6/12 | 6/12, [30,40) all in the middle,
  // the point mass at 40 in the middle, [40,90) 20/50 middle and 30/50 upper.
  std::get<profile::NumericProfile>(reference.features[0].kind).bin_edges = {24, 60};
  std::get<profile::NumericProfile>(reference.features[0].kind).bin_counts = {10, 60, 28};
  TfdvImportOptions options;
  options.reference = &reference;
  absl::StatusOr<TfdvImport> cur = ProfileFromTfdvJson(Fixture(), options);
  ASSERT_TRUE(cur.ok()) << cur.status();
  const profile::FeatureProfile& age = Feature(cur->profile, "age");
  EXPECT_EQ(age.numeric().bin_edges, (std::vector<double>{24, 60}));
  EXPECT_THAT(
      age.numeric().bin_counts,
      Pointwise(DoubleNear(1e-9), std::vector<double>{12.25, 12.25 + 24.5 + 24.5 + 9.8, 14.7}));
  EXPECT_EQ(cur->profile.features.size(), 3u);  // the reference's features, in its order
}

TEST(TfdvImportTest, ErrorsNameTheJsonPath) {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"[", "not JSON"},
      {"{}", "datasets: missing or empty"},
      {R"({"datasets":[{"features":[{"name":"x","num_stats":{"histograms":[{"buckets":[
          {"low_value":1,"high_value":0,"sample_count":1}]}]}}]}]})",
       "datasets[0].features[0].num_stats.histograms[0].buckets[0]: low_value 1 and high_value 0"},
      {R"({"datasets":[{"features":[{"name":"x","num_stats":{"histograms":[{"buckets":[
          {"low_value":0,"high_value":1,"sample_count":-2}]}]}}]}]})",
       "buckets[0].sample_count: must be finite and >= 0"},
      {R"({"datasets":[{"features":[{"name":"x","num_stats":{}}]}]})",
       "datasets[0].features[0].num_stats: has no histogram"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TfdvImport> r = ProfileFromTfdvJson(c.json, {});
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.message));
  }
  TfdvImportOptions options;
  options.dataset = "eval";
  EXPECT_THAT(std::string(ProfileFromTfdvJson(Fixture(), options).status().message()),
              HasSubstr("--dataset: no dataset named 'eval'"));
}

}  // namespace
}  // namespace greengate::client
