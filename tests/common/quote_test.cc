#include "server/common/quote.h"

#include <string>

#include "gtest/gtest.h"

namespace greengate {
namespace {

TEST(QuoteForMessageTest, ShortValuesAreQuotedWhole) {
  EXPECT_EQ(QuoteForMessage("short"), "'short'");
  EXPECT_EQ(QuoteForMessage(std::string(64, 'x')), "'" + std::string(64, 'x') + "'");
  EXPECT_EQ(QuoteForMessage("a'b\n"), "'a\\'b\\n'");
}

TEST(QuoteForMessageTest, LongValuesAreCutWithTheirLength) {
  const std::string long_value(1 << 20, 'x');
  EXPECT_EQ(QuoteForMessage(long_value), "'" + std::string(64, 'x') + "'... (1048576 bytes)");
  EXPECT_EQ(QuoteForMessage(long_value, 3), "'xxx'... (1048576 bytes)");
}

}  // namespace
}  // namespace greengate
