// ISO 8601 weeks. Reference values: Python 3 datetime.date.isocalendar() and
// date.fromisocalendar() (e.g. date(2027, 1, 1).isocalendar() == (2026, 53, 5)).

#include "server/core/governance/iso_week.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::governance {
namespace {

TEST(IsoWeekLabelTest, MatchesPythonIsocalendar) {
  struct Case {
    absl::CivilDay day;
    std::string label;
  };
  const std::vector<Case> cases = {
      {absl::CivilDay(2026, 11, 16), "2026-W47"},  // Monday
      {absl::CivilDay(2026, 11, 22), "2026-W47"},  // Sunday
      {absl::CivilDay(2026, 11, 23), "2026-W48"},
      {absl::CivilDay(2027, 1, 1), "2026-W53"},  // calendar year 2027, ISO year 2026
      {absl::CivilDay(2027, 1, 3), "2026-W53"},
      {absl::CivilDay(2027, 1, 4), "2027-W01"},
      {absl::CivilDay(2020, 12, 31), "2020-W53"},
      {absl::CivilDay(2021, 1, 3), "2020-W53"},
      {absl::CivilDay(2024, 12, 30), "2025-W01"},  // calendar year 2024, ISO year 2025
      {absl::CivilDay(2026, 12, 28), "2026-W53"},
  };
  for (const Case& c : cases) EXPECT_EQ(IsoWeekLabel(c.day), c.label) << c.day;
}

TEST(IsoWeekLabelTest, InstantsUseUtc) {
  // 2026-11-22T23:59:59Z is Sunday of W47; one second later is Monday of W48.
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 11, 22, 23, 59, 59), absl::UTCTimeZone());
  EXPECT_EQ(IsoWeekLabel(t), "2026-W47");
  EXPECT_EQ(IsoWeekLabel(t + absl::Seconds(1)), "2026-W48");
}

TEST(IsoWeeksInYearTest, LongAndShortYears) {
  EXPECT_EQ(IsoWeeksInYear(2020), 53);
  EXPECT_EQ(IsoWeeksInYear(2021), 52);
  EXPECT_EQ(IsoWeeksInYear(2015), 53);
  EXPECT_EQ(IsoWeeksInYear(2024), 52);
  EXPECT_EQ(IsoWeeksInYear(2026), 53);
}

TEST(ParseIsoWeekTest, ReturnsTheMonday) {
  struct Case {
    std::string text;
    absl::CivilDay monday;
  };
  const std::vector<Case> cases = {
      {"2026-W47", absl::CivilDay(2026, 11, 16)}, {"2026-w47", absl::CivilDay(2026, 11, 16)},
      {"2026-W53", absl::CivilDay(2026, 12, 28)}, {"2026-W01", absl::CivilDay(2025, 12, 29)},
      {"2020-W1", absl::CivilDay(2019, 12, 30)},  {"2021-W01", absl::CivilDay(2021, 1, 4)},
      {"2024-W01", absl::CivilDay(2024, 1, 1)},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<absl::CivilDay> got = ParseIsoWeek(c.text, "--week");
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.monday) << c.text;
    EXPECT_EQ(absl::GetWeekday(*got), absl::Weekday::monday) << c.text;
  }
}

TEST(ParseIsoWeekTest, RejectsMalformedAndNonexistentWeeks) {
  using ::testing::HasSubstr;
  const std::vector<std::string> malformed = {"",          "2026",    "2026-47",  "2026-W",
                                              "2026-W470", "26-W47",  "2026-W4x", "2026W47",
                                              "-2026-W47", "2026-W+4"};
  for (const std::string& text : malformed) {
    const absl::StatusOr<absl::CivilDay> got = ParseIsoWeek(text, "--week");
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(got.status().message(), HasSubstr("--week: expected an ISO week")) << text;
  }
  for (const char* text : {"2021-W53", "2026-W00", "2026-W54"}) {
    const absl::StatusOr<absl::CivilDay> got = ParseIsoWeek(text, "--week");
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(got.status().message(), HasSubstr("ISO weeks 1..")) << text;
  }
}

}  // namespace
}  // namespace greengate::governance
