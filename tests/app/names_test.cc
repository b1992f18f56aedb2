#include "server/app/names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/page_token.h"

namespace greengate::app {
namespace {

using ::testing::HasSubstr;

TEST(NamesTest, ModelNames) {
  EXPECT_EQ(*ParseModelName("models/churn-v2", "model"), "churn-v2");
  EXPECT_EQ(ModelName("churn"), "models/churn");
  for (const char* bad :
       {"", "churn", "models/", "models/Churn", "models/-x", "models/a_b", "models/a/b"}) {
    absl::StatusOr<std::string> id = ParseModelName(bad, "request.model");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(id.status().message(), HasSubstr("request.model")) << bad;
  }
  EXPECT_FALSE(ValidateModelId(std::string(64, 'a'), "model_id").ok());
  EXPECT_TRUE(ValidateModelId(std::string(63, 'a'), "model_id").ok());
}

TEST(NamesTest, DecisionNamesAcceptBareIds) {
  EXPECT_EQ(*ParseDecisionName("decisions/00ff", "name"), "00ff");
  EXPECT_EQ(*ParseDecisionName("00ff", "name"), "00ff");
  EXPECT_FALSE(ParseDecisionName("decisions/xyz", "name").ok());
  EXPECT_FALSE(ParseDecisionName("decisions/", "name").ok());
}

TEST(PageTokenTest, RoundTripsAndIsBoundToFilters) {
  const std::string token = EncodePageToken(1234, "models/churn|APPROVE");
  EXPECT_EQ(*DecodePageToken(token, "models/churn|APPROVE"), 1234);
  EXPECT_EQ(DecodePageToken(token, "models/churn|").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("not base64 !", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken(EncodePageToken(0, ""), "").status().code(),
            absl::StatusCode::kInvalidArgument);  // seq must be positive
}

}  // namespace
}  // namespace greengate::app
