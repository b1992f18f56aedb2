// The limits of limits.h where profiles are built (the CLI's --bins, --sample-size, --top-k,
// --joint-sample and CSV headers): at the limit accepted, one over it InvalidArgument naming
// the option. validate_test.cc covers the same limits on received profiles.

#include "server/core/profile/limits.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/categorical_builder.h"
#include "server/core/profile/edges.h"
#include "server/core/profile/numeric_builder.h"

namespace greengate::profile {
namespace {

std::vector<FeatureSpec> Schema(int64_t features, size_t name_bytes) {
  std::vector<FeatureSpec> schema;
  for (int64_t i = 0; i < features; ++i) {
    std::string name = absl::StrCat("f", i);
    name.resize(std::max(name.size(), name_bytes), 'x');
    schema.push_back({name, FeatureKind::kNumeric});
  }
  return schema;
}

struct BuildLimitCase {
  std::string name;
  std::function<absl::Status(int64_t)> build;  // builds with the given value of the limit
  int64_t limit;
  std::string over_message;  // the error at limit + 1
};

class BuildLimitTest : public ::testing::TestWithParam<BuildLimitCase> {};

TEST_P(BuildLimitTest, AtTheLimitBuildsOverItNamesTheOption) {
  const BuildLimitCase& c = GetParam();
  EXPECT_TRUE(c.build(c.limit).ok()) << c.build(c.limit);
  const absl::Status over = c.build(c.limit + 1);
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(over.message(), c.over_message);
}

const std::vector<double> kSortedSample = {1, 2, 3};

INSTANTIATE_TEST_SUITE_P(
    Limits, BuildLimitTest,
    ::testing::Values(
        BuildLimitCase{"Bins",
                       [](int64_t edges) {
                         return QuantileEdges(kSortedSample, static_cast<int>(edges + 1)).status();
                       },
                       kMaxBinEdges, "bins: must be in [1, 10001], got 10002"},
        BuildLimitCase{
            "SampleSize",
            [](int64_t n) { return NumericBuilder::Create({.sample_capacity = n}).status(); },
            kMaxSampleSize, "sample_capacity: must be in [0, 100000], got 100001"},
        BuildLimitCase{"Categories",
                       [](int64_t n) {
                         return CategoricalBuilder::Create(
                                    {.max_categories = n, .tracked_categories = n})
                             .status();
                       },
                       kMaxCategories, "max_categories: must be in [1, 100000], got 100001"},
        BuildLimitCase{
            "JointSampleRows",
            [](int64_t n) {
              return ProfileBuilder::Create(Schema(1, 1), {.joint_sample_capacity = n}).status();
            },
            kMaxJointSampleRows, "joint_sample_capacity: must be in [0, 10000], got 10001"},
        BuildLimitCase{"Features",
                       [](int64_t n) { return ProfileBuilder::Create(Schema(n, 1), {}).status(); },
                       kMaxFeatures, "schema: has 10001 features; at most 10000 are allowed"},
        BuildLimitCase{
            "FeatureNameBytes",
            [](int64_t n) {
              return ProfileBuilder::Create(Schema(1, static_cast<size_t>(n)), {}).status();
            },
            kMaxFeatureNameBytes, "schema[0].name: is 257 bytes long; at most 256 are allowed"}),
    [](const ::testing::TestParamInfo<BuildLimitCase>& info) { return info.param.name; });

// A category longer than kMaxCategoryNameBytes is not an error while building: it is counted
// in `other`, like a category beyond the top K.
TEST(BuildLimitTest, OverlongCategoryIsFoldedIntoOther) {
  absl::StatusOr<CategoricalBuilder> builder = CategoricalBuilder::Create();
  ASSERT_TRUE(builder.ok());
  builder->Add(std::string(kMaxCategoryNameBytes, 'a'));
  builder->Add(std::string(kMaxCategoryNameBytes + 1, 'b'));
  const CategoricalProfile p = builder->Finish();
  EXPECT_EQ(p.counts.size(), 1u);
  EXPECT_EQ(p.counts.count(std::string(kMaxCategoryNameBytes, 'a')), 1u);
  EXPECT_EQ(p.other, 1);
}

}  // namespace
}  // namespace greengate::profile
