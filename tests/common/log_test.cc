#include "server/common/log.h"

#include <cmath>

#include "gtest/gtest.h"

namespace greengate::log {
namespace {

TEST(LogFormatTest, OneJsonObjectWithEscapedStringsAndBareNumbers) {
  EXPECT_EQ(Format("2026-11-23T19:00:00.000Z", Severity::kInfo, "decision \"made\"\n",
                   {{"model", "models/churn"}, {"seq", 42}, {"kwh", 1.5}, {"drift", true}}),
            "{\"time\":\"2026-11-23T19:00:00.000Z\",\"severity\":\"INFO\","
            "\"message\":\"decision \\\"made\\\"\\n\",\"model\":\"models/churn\",\"seq\":42,"
            "\"kwh\":1.5,\"drift\":true}");
}

TEST(LogFormatTest, NonFiniteNumbersStayValidJson) {
  EXPECT_EQ(Format("t", Severity::kError, "m", {{"x", NAN}, {"y", -INFINITY}}),
            "{\"time\":\"t\",\"severity\":\"ERROR\",\"message\":\"m\",\"x\":\"NaN\","
            "\"y\":\"-Infinity\"}");
}

TEST(LogFormatTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(Format("t", Severity::kWarning,
                   std::string("a\x01"
                               "b",
                               3),
                   {}),
            "{\"time\":\"t\",\"severity\":\"WARNING\",\"message\":\"a\\u0001b\"}");
}

}  // namespace
}  // namespace greengate::log

namespace greengate::log {
namespace {

TEST(LogFormatTest, LongValuesAndMessagesAreCut) {
  const std::string huge(2 << 20, 'm');
  const std::string line = Format("t", Severity::kWarning, huge, {{"model", huge}});
  EXPECT_LT(line.size(), 6000u);
  EXPECT_NE(line.find("\"message\":\"" + std::string(4096, 'm') + "... (2097152 bytes)\""),
            std::string::npos);
  EXPECT_NE(line.find("\"model\":\"" + std::string(1024, 'm') + "... (2097152 bytes)\""),
            std::string::npos);
}

}  // namespace
}  // namespace greengate::log
