#include "server/app/request_checks.h"

#include <string>

#include "gtest/gtest.h"

namespace greengate::app {
namespace {

bool Names(const absl::Status& status, const std::string& field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         std::string(status.message()).find(field) != std::string::npos;
}

TEST(ValidateModelVersionTest, OneLimitAndNoControlCharacters) {
  constexpr char kField[] = "reference.model_version";
  EXPECT_TRUE(ValidateModelVersion("v2026-12-07", kField, false).ok());
  EXPECT_TRUE(ValidateModelVersion("", kField, false).ok());
  EXPECT_TRUE(ValidateModelVersion(std::string(256, 'v'), kField, false).ok());
  EXPECT_TRUE(ValidateModelVersion("v1 (run 7) ünïcode", kField, false).ok());
  EXPECT_TRUE(Names(ValidateModelVersion(std::string(257, 'v'), kField, false), kField));
  EXPECT_TRUE(Names(ValidateModelVersion("v1\n", kField, false), kField));
  EXPECT_TRUE(Names(ValidateModelVersion("v1\t", kField, false), kField));
  EXPECT_TRUE(Names(ValidateModelVersion("v1\x7f", kField, false), kField));
  EXPECT_TRUE(Names(ValidateModelVersion(std::string("v\0", 2), kField, false), kField));
}

TEST(ValidateModelVersionTest, RequiredMeansNotEmpty) {
  EXPECT_EQ(ValidateModelVersion("", "model.deployed_version", true).message(),
            "model.deployed_version: required");
  EXPECT_TRUE(ValidateModelVersion("v1", "model.deployed_version", true).ok());
}

}  // namespace
}  // namespace greengate::app
