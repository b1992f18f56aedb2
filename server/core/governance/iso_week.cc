#include "server/core/governance/iso_week.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace greengate::governance {
namespace {

// Monday = 1 ... Sunday = 7, as ISO 8601 numbers them.
int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 1;  // unreachable: every weekday is listed
}

// Monday of ISO week 1 of `year`: the week holding 4 January.
absl::CivilDay FirstMonday(int64_t year) {
  const absl::CivilDay jan4(year, 1, 4);
  return jan4 - (IsoWeekday(jan4) - 1);
}

}  // namespace

int IsoWeeksInYear(int64_t year) {
  // 28 December is always in the year's last ISO week.
  const absl::CivilDay dec28(year, 12, 28);
  return static_cast<int>((dec28 - FirstMonday(year)) / 7) + 1;
}

std::string IsoWeekLabel(absl::CivilDay day) {
  // The week belongs to the year of its Thursday.
  const absl::CivilDay thursday = day + (4 - IsoWeekday(day));
  const int week = (absl::GetYearDay(thursday) - 1) / 7 + 1;
  return absl::StrFormat("%04d-W%02d", thursday.year(), week);
}

std::string IsoWeekLabel(absl::Time t) {
  return IsoWeekLabel(absl::ToCivilDay(t, absl::UTCTimeZone()));
}

absl::StatusOr<absl::CivilDay> ParseIsoWeek(absl::string_view text, absl::string_view field) {
  const auto malformed = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": expected an ISO week like 2026-W47, got \"", text, "\""));
  };
  const size_t dash = text.find('-');
  if (dash == absl::string_view::npos || dash + 2 > text.size() ||
      absl::ascii_tolower(text[dash + 1]) != 'w') {
    return malformed();
  }
  const absl::string_view year_text = text.substr(0, dash);
  const absl::string_view week_text = text.substr(dash + 2);
  int64_t year = 0;
  int week = 0;
  if (year_text.size() != 4 || week_text.empty() || week_text.size() > 2 ||
      !absl::SimpleAtoi(year_text, &year) || !absl::SimpleAtoi(week_text, &week) ||
      !absl::ascii_isdigit(week_text.front()) || !absl::ascii_isdigit(year_text.front())) {
    return malformed();
  }
  const int weeks = IsoWeeksInYear(year);
  if (week < 1 || week > weeks) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", year, " has ISO weeks 1..", weeks, ", got week ", week));
  }
  return FirstMonday(year) + 7 * (week - 1);
}

}  // namespace greengate::governance
