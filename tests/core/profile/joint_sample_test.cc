// The optional joint reservoir of complete numeric rows (DataProfile::joint).

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/joint_merge.h"

namespace greengate::profile {
namespace {

std::vector<FeatureSpec> Schema() {
  return {
      {"x", FeatureKind::kNumeric}, {"c", FeatureKind::kCategorical}, {"y", FeatureKind::kNumeric}};
}

TEST(JointSampleTest, KeepsWholeCompleteRows) {
  auto builder = ProfileBuilder::Create(Schema(), {.joint_sample_capacity = 3});
  ASSERT_TRUE(builder.ok()) << builder.status();
  ASSERT_TRUE(builder->AddRow(std::vector<std::string>{"1", "a", "10"}).ok());
  ASSERT_TRUE(builder->AddRow(std::vector<std::string>{"", "a", "20"}).ok());  // incomplete
  ASSERT_TRUE(builder->AddRow(std::vector<std::string>{"3", "", "30"})
                  .ok());  // categorical missing is fine
  const DataProfile p = builder->Finish();
  ASSERT_TRUE(p.joint.has_value());
  EXPECT_EQ(p.joint->features, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(p.joint->rows, 2);
  EXPECT_EQ(p.joint->seen, 2);
  EXPECT_EQ(p.joint->values, (std::vector<double>{1, 10, 3, 30}));
}

TEST(JointSampleTest, ReservoirIsBoundedUniformAndDeterministic) {
  auto run = [](uint64_t seed) {
    auto builder = ProfileBuilder::Create(Schema(), {.seed = seed, .joint_sample_capacity = 50});
    for (int i = 0; i < 1000; ++i) {
      const std::vector<std::string> row = {std::to_string(i), "a", std::to_string(-i)};
      EXPECT_TRUE(builder->AddRow(row).ok());
    }
    return builder->Finish();
  };
  const DataProfile a = run(7);
  ASSERT_TRUE(a.joint.has_value());
  EXPECT_EQ(a.joint->rows, 50);
  EXPECT_EQ(a.joint->seen, 1000);
  std::set<double> xs;
  double mean = 0;
  for (int r = 0; r < 50; ++r) {
    // Rows stay whole: y = -x in every kept row.
    EXPECT_EQ(a.joint->values[2 * r + 1], -a.joint->values[2 * r]);
    xs.insert(a.joint->values[2 * r]);
    mean += a.joint->values[2 * r] / 50;
  }
  EXPECT_EQ(xs.size(), 50u);  // no row kept twice
  EXPECT_GT(mean, 300);       // a uniform sample of 0..999 (mean 499.5, sd ~41 at n = 50)
  EXPECT_LT(mean, 700);
  EXPECT_EQ(run(7).joint->values, a.joint->values);
  EXPECT_NE(run(8).joint->values, a.joint->values);
}

TEST(JointSampleTest, OffByDefaultAndCapacityChecked) {
  auto builder = ProfileBuilder::Create(Schema(), {});
  ASSERT_TRUE(builder.ok());
  ASSERT_TRUE(builder->AddRow(std::vector<std::string>{"1", "a", "2"}).ok());
  EXPECT_FALSE(builder->Finish().joint.has_value());
  EXPECT_THAT(
      std::string(
          ProfileBuilder::Create(Schema(), {.joint_sample_capacity = -1}).status().message()),
      ::testing::HasSubstr("joint_sample_capacity"));
  // Limit from limits.h: kMaxJointSampleRows.
  EXPECT_TRUE(ProfileBuilder::Create(Schema(), {.joint_sample_capacity = 10'000}).ok());
  EXPECT_EQ(ProfileBuilder::Create(Schema(), {.joint_sample_capacity = 10'001}).status().message(),
            "joint_sample_capacity: must be in [0, 10000], got 10001");
}

TEST(JointSampleTest, MergeDrawsFromBothShardsByRowsSeen) {
  JointSample a{{"x", "y"}, 3, {1, 10, 2, 20, 3, 30}, 3};  // complete: every row
  JointSample b{{"x", "y"}, 2, {100, -1, 200, -2}, 2};
  const auto all = MergeJointSamples(a, b, 1);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->rows, 5);  // both complete: every row kept
  EXPECT_EQ(all->seen, 5);
  std::multiset<double> xs;
  for (int r = 0; r < 5; ++r) xs.insert(all->values[2 * r]);
  EXPECT_EQ(xs, (std::multiset<double>{1, 2, 3, 100, 200}));

  JointSample full{{"x", "y"}, 2, {5, 50, 6, 60}, 1000};  // a full reservoir of capacity 2
  const auto capped = MergeJointSamples(a, full, 1);
  ASSERT_TRUE(capped.has_value());
  EXPECT_EQ(capped->rows, 2);
  EXPECT_EQ(capped->seen, 1003);
  // Same seed, same merge; other features or one side missing: no joint sample.
  EXPECT_EQ(MergeJointSamples(a, full, 1)->values, capped->values);
  JointSample other{{"x", "z"}, 2, {1, 2, 3, 4}, 2};
  EXPECT_FALSE(MergeJointSamples(a, other, 1).has_value());
  EXPECT_FALSE(MergeJointSamples(a, std::nullopt, 1).has_value());
}

}  // namespace
}  // namespace greengate::profile
