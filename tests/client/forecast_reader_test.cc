#include "client/forecast_reader.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::client {
namespace {

using ::testing::HasSubstr;

TEST(ForecastReaderTest, ReadsTimesAndIntensities) {
  std::istringstream in(
      "time,carbon_intensity_g_per_kwh\n"
      "2026-11-23T22:00:00Z,310\n"
      "2026-11-24T02:00:00+01:00,45.5\n");
  auto points = ParseForecast(&in, "f.csv");
  ASSERT_TRUE(points.ok()) << points.status();
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[0].time().seconds(), 1795471200);  // date -d 2026-11-23T22:00:00Z +%s
  EXPECT_EQ((*points)[1].time().seconds(), 1795471200 + 3 * 3600);
  EXPECT_DOUBLE_EQ((*points)[1].carbon_intensity_g_per_kwh(), 45.5);
}

TEST(ForecastReaderTest, BadInputNamesTheLine) {
  const struct {
    const char* text;
    const char* message;
  } kBad[] = {
      {"when,ci\n", "the header needs"},
      {"time,carbon_intensity_g_per_kwh\nyesterday,3\n", "line 2: time"},
      {"time,carbon_intensity_g_per_kwh\n2026-11-23T22:00:00Z,lots\n",
       "line 2: carbon_intensity_g_per_kwh"},
  };
  for (const auto& bad : kBad) {
    std::istringstream in(bad.text);
    auto points = ParseForecast(&in, "f.csv");
    ASSERT_FALSE(points.ok());
    EXPECT_THAT(std::string(points.status().message()), HasSubstr(bad.message));
  }
}

}  // namespace
}  // namespace greengate::client
