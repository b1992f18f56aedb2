#pragma once

// ISO 8601 week dates (weeks start on Monday; week 1 holds the year's first Thursday), in UTC.
// Pure and thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace greengate::governance {

// IsoWeekLabel()
//
// The ISO week of `day`, as "YYYY-Www" (e.g. 2026-11-16 -> "2026-W47"; 2027-01-01 ->
// "2026-W53"). The year is the ISO week-numbering year, which differs from the calendar year
// for a few days around 1 January.
std::string IsoWeekLabel(absl::CivilDay day);

// The ISO week of instant `t` in UTC.
std::string IsoWeekLabel(absl::Time t);

// ParseIsoWeek()
//
// The Monday of the ISO week "YYYY-Www" (also "YYYY-Ww", case-insensitive "w").
// InvalidArgument naming `field` when the text is malformed or the week does not exist in
// that year (week 53 exists only in long years).
absl::StatusOr<absl::CivilDay> ParseIsoWeek(absl::string_view text, absl::string_view field);

// The number of ISO weeks (52 or 53) of ISO year `year`.
int IsoWeeksInYear(int64_t year);

}  // namespace greengate::governance
