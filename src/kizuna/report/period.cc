// Kizuna. The period a brief covers.
#include "kizuna/report/period.h"

#include <charconv>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::report {

// H. Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool ReadNumber(std::string_view text, unsigned& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The day six calendar months before `days` (the last day of a shorter month when needed).
int64_t SixMonthsBefore(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t months = y * 12 + (m - 1) - 6;
  int64_t ny = FloorDiv(months, 12);
  unsigned nm = static_cast<unsigned>(months - ny * 12) + 1;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = kDays[nm - 1] + (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0));
  return DaysFromCivil(ny, nm, d < last ? d : last);
}

}  // namespace

absl::StatusOr<int64_t> ParseDay(std::string_view text, std::string_view what) {
  unsigned y = 0, m = 0, d = 0;
  bool ok = text.size() == 10 && text[4] == '-' && text[7] == '-' && ReadNumber(text.substr(0, 4), y) &&
            ReadNumber(text.substr(5, 2), m) && ReadNumber(text.substr(8, 2), d) && m >= 1 && m <= 12 &&
            d >= 1 && d <= 31;
  if (ok) {
    int64_t days = DaysFromCivil(y, m, d);
    int64_t yy;
    unsigned mm, dd;
    CivilFromDays(days, yy, mm, dd);
    if (mm == m && dd == d) return days * kMicrosPerDay;  // not 2026-02-30
  }
  return absl::InvalidArgumentError(StrCat(what, ": '", text, "' is not a date (YYYY-MM-DD)"));
}

std::string DayText(int64_t us) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(FloorDiv(us, kMicrosPerDay), y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

absl::StatusOr<Period> ParsePeriod(std::string_view from, std::string_view to, int64_t now_us) {
  Period p;
  if (to.empty()) {
    p.to_us = (FloorDiv(now_us, kMicrosPerDay) + 1) * kMicrosPerDay;
  } else {
    KZ_ASSIGN_OR_RETURN(int64_t last, ParseDay(to, "--to"));
    p.to_us = last + kMicrosPerDay;
  }
  if (from.empty()) {
    p.from_us = SixMonthsBefore(p.to_us / kMicrosPerDay) * kMicrosPerDay;
  } else {
    KZ_ASSIGN_OR_RETURN(p.from_us, ParseDay(from, "--from"));
  }
  if (p.from_us >= p.to_us) {
    return absl::InvalidArgumentError(
        StrCat("--from ", DayText(p.from_us), " is after --to ", DayText(p.to_us - kMicrosPerDay)));
  }
  if (p.to_us - p.from_us > kMaxPeriodDays * kMicrosPerDay) {
    return absl::InvalidArgumentError(StrCat("the period ", DayText(p.from_us), " to ",
                                             DayText(p.to_us - kMicrosPerDay), " is longer than ",
                                             kMaxPeriodDays, " days"));
  }
  return p;
}

absl::StatusOr<Period> PreviousPeriod(const Period& current, std::string_view spec) {
  if (spec.empty() || spec == "auto") {
    return Period{current.from_us - (current.to_us - current.from_us), current.from_us};
  }
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("--previous: '", spec, "' is neither 'auto' nor FROM:TO"));
  }
  return ParsePeriod(spec.substr(0, colon), spec.substr(colon + 1), 0);
}

}  // namespace kizuna::report
