#include "client/importance_flags.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;
using Weights = std::map<std::string, double>;

TEST(ImportanceFlagsTest, ParsesPairs) {
  absl::StatusOr<Weights> w = ParseImportancePairs({"age=0.5", " city = 2 ", "a=b=1", ""});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, (Weights{{"age", 0.5}, {"city", 2}, {"a=b", 1}}));
}

TEST(ImportanceFlagsTest, RejectsBadPairs) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"age"}, "--importance: 'age' is not FEATURE=WEIGHT"},
      {{"=1"}, "is not FEATURE=WEIGHT"},
      {{"age=x"}, "the weight of 'age' must be a finite number >= 0, got 'x'"},
      {{"age=-1"}, "got '-1'"},
      {{"age=inf"}, "got 'inf'"},
      {{"age=1", "age=2"}, "'age' is given twice"},
  };
  for (const auto& [items, message] : cases) {
    absl::StatusOr<Weights> w = ParseImportancePairs(items);
    ASSERT_FALSE(w.ok()) << items[0];
    EXPECT_THAT(std::string(w.status().message()), HasSubstr(message));
  }
}

TEST(ImportanceFlagsTest, ParsesCsvWithOrWithoutHeader) {
  absl::StatusOr<Weights> w =
      ParseImportanceCsv("feature,importance\r\nage,0.25\r\n\ncity,1\n", "f");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, (Weights{{"age", 0.25}, {"city", 1}}));
  // pandas' Series.to_csv() header: an empty name.
  w = ParseImportanceCsv(",0\nage=3\n", "f");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, (Weights{{"age", 3}}));
  w = ParseImportanceCsv("age,1\ncity,x\n", "imp.csv");
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(std::string(w.status().message()), HasSubstr("imp.csv line 2: the weight of 'city'"));
  EXPECT_THAT(std::string(ParseImportanceCsv("header,only\n", "f").status().message()),
              HasSubstr("f: no FEATURE,WEIGHT line"));
}

TEST(ImportanceFlagsTest, SetImportanceChecksNamesAndReplaces) {
  v1::DataProfile profile;
  profile.add_features()->set_name("age");
  profile.add_features()->set_name("city");
  (*profile.mutable_feature_importance())["city"] = 9;
  ASSERT_TRUE(SetImportance({{"age", 2}}, "--importance", &profile).ok());
  EXPECT_EQ(profile.feature_importance().size(), 1u);
  EXPECT_EQ(profile.feature_importance().at("age"), 2);
  const absl::Status s = SetImportance({{"zip", 1}}, "--importance-file", &profile);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("--importance-file: 'zip' is not a feature of the profile"));
}

}  // namespace
}  // namespace greengate::client
