#include "server/core/profile/categorical_builder.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::profile {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

CategoricalBuilder MakeBuilder(int64_t max_categories, int64_t tracked_categories) {
  absl::StatusOr<CategoricalBuilder> b = CategoricalBuilder::Create(
      {.max_categories = max_categories, .tracked_categories = tracked_categories});
  EXPECT_TRUE(b.ok()) << b.status();
  return *std::move(b);
}

int64_t Total(const CategoricalProfile& p) {
  int64_t total = p.other;
  for (const auto& [name, count] : p.counts) total += count;
  return total;
}

TEST(CategoricalBuilderTest, CountsExactlyBelowCaps) {
  CategoricalBuilder b = MakeBuilder(10, 100);
  for (const char* v : {"red", "blue", "", "red", "green", "red", ""}) b.Add(v);
  b.AddMissing();
  const CategoricalProfile p = b.Finish();
  EXPECT_THAT(p.counts, ElementsAre(Pair("blue", 1), Pair("green", 1), Pair("red", 3)));
  EXPECT_EQ(p.other, 0);
  EXPECT_EQ(b.count(), 8);
  EXPECT_EQ(b.missing(), 3);
}

TEST(CategoricalBuilderTest, KeepsTopKAndBreaksTiesByName) {
  CategoricalBuilder b = MakeBuilder(2, 100);
  // a x5, c x3, b x3, d x1: b and c tie; "b" sorts first and is kept.
  for (const char* v : {"a", "c", "b", "a", "d", "c", "b", "a", "c", "b", "a", "a"}) b.Add(v);
  const CategoricalProfile p = b.Finish();
  EXPECT_THAT(p.counts, ElementsAre(Pair("a", 5), Pair("b", 3)));
  EXPECT_EQ(p.other, 4);  // c x3 + d x1
}

TEST(CategoricalBuilderTest, FoldingBoundsTheTableAndKeepsTotalsExact) {
  CategoricalBuilder b = MakeBuilder(3, 8);
  // Two frequent categories interleaved with 1000 distinct rare ones: the table overflows
  // again and again, and "hot" and "warm" (always the largest) are never folded, so their
  // counts stay exact.
  int64_t values = 0;
  for (int i = 0; i < 1000; ++i) {
    b.Add("hot");
    b.Add("rare" + std::to_string(i));
    values += 2;
    if (i % 2 == 0) {
      b.Add("warm");
      ++values;
    }
  }
  const CategoricalProfile p = b.Finish();
  EXPECT_LE(p.counts.size(), 3u);
  EXPECT_EQ(p.counts.at("hot"), 1000);
  EXPECT_EQ(p.counts.at("warm"), 500);
  EXPECT_EQ(Total(p), values);
  EXPECT_EQ(b.count(), values);
}

TEST(CategoricalBuilderTest, OverlongValuesCountAsOther) {
  CategoricalBuilder b = MakeBuilder(10, 100);
  b.Add(std::string(1024, 'x'));  // at the limit: a category
  b.Add(std::string(1025, 'y'));  // past it: other
  const CategoricalProfile p = b.Finish();
  EXPECT_EQ(p.counts.size(), 1u);
  EXPECT_EQ(p.counts.count(std::string(1024, 'x')), 1u);
  EXPECT_EQ(p.other, 1);
}

TEST(CategoricalBuilderTest, RejectsBadOptions) {
  EXPECT_EQ(CategoricalBuilder::Create({.max_categories = 0}).status().message(),
            "max_categories: must be in [1, 100000], got 0");
  EXPECT_EQ(CategoricalBuilder::Create({.max_categories = 10, .tracked_categories = 9})
                .status()
                .message(),
            "tracked_categories: must be in [max_categories, 10000000] = [10, 10000000], got 9");
}

TEST(KeepTopCategoriesTest, FoldsTheRestIntoOther) {
  CategoricalProfile p;
  p.counts = {{"x", 1}, {"y", 7}, {"z", 7}, {"w", 2}};
  p.other = 5;
  KeepTopCategories(2, &p);
  EXPECT_THAT(p.counts, ElementsAre(Pair("y", 7), Pair("z", 7)));
  EXPECT_EQ(p.other, 8);
  KeepTopCategories(5, &p);  // already within the limit: unchanged
  EXPECT_EQ(p.counts.size(), 2u);
  EXPECT_EQ(p.other, 8);
}

}  // namespace
}  // namespace greengate::profile
