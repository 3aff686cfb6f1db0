// Kizuna. The period a brief covers, and the one it is compared with.
#pragma once

// A period is a half-open range of days in UTC, [from, to): `--from 2026-01-01 --to
// 2026-06-30` covers both days named (to_us is the start of the day after `--to`). The
// default is the last half-year: the six calendar months up to and including today. The
// previous period is, by default ("auto"), the one of the same length that ends where this
// one starts; "FROM:TO" names it.
//
//   KZ_ASSIGN_OR_RETURN(Period p, ParsePeriod("2026-01-01", "2026-06-30", now_us));
//   KZ_ASSIGN_OR_RETURN(Period prev, PreviousPeriod(p, "auto"));
//
// Thread-safety: stateless.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::report {

inline constexpr int64_t kMicrosPerDay = 86'400'000'000;
inline constexpr int64_t kMicrosPerWeek = 7 * kMicrosPerDay;
// Longest period a brief covers (a week counts per row of its charts). Ten years.
inline constexpr int64_t kMaxPeriodDays = 3660;

struct Period {
  int64_t from_us = 0;  // the first day, 00:00 UTC
  int64_t to_us = 0;    // the day after the last, 00:00 UTC
};

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian, any year).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day);

// Returns the day `text` names (YYYY-MM-DD) as microseconds at 00:00 UTC; InvalidArgument
// naming `what` (e.g. "--from") and the text otherwise.
absl::StatusOr<int64_t> ParseDay(std::string_view text, std::string_view what);

// Returns "YYYY-MM-DD" of the day holding `us`.
std::string DayText(int64_t us);

// Returns the period from day `from` through day `to` (either may be empty: `to` defaults to
// the day of `now_us`, `from` to six calendar months before the day after `to`).
// InvalidArgument when a day is malformed, `from` is after `to`, or the period is longer
// than kMaxPeriodDays.
absl::StatusOr<Period> ParsePeriod(std::string_view from, std::string_view to, int64_t now_us);

// Returns the period to compare `current` with: "auto" (or empty) the same length just
// before it; "FROM:TO" those days. InvalidArgument naming --previous otherwise.
absl::StatusOr<Period> PreviousPeriod(const Period& current, std::string_view spec);

}  // namespace kizuna::report
