// Kizuna. The brief's periods: days, the default half-year, the previous period.
#include "kizuna/report/period.h"

#include <gtest/gtest.h>

namespace kizuna::report {
namespace {

TEST(PeriodTest, CoversBothDaysNamed) {
  auto p = ParsePeriod("2026-01-01", "2026-06-30", 0);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(DayText(p->from_us), "2026-01-01");
  EXPECT_EQ(DayText(p->to_us), "2026-07-01");
}

TEST(PeriodTest, DefaultIsTheLastSixMonthsThroughToday) {
  int64_t now = DaysFromCivil(2026, 8, 31) * kMicrosPerDay + 5;
  auto p = ParsePeriod("", "", now);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(DayText(p->to_us), "2026-09-01");
  EXPECT_EQ(DayText(p->from_us), "2026-03-01");
}

TEST(PeriodTest, PreviousAutoIsTheSameLengthBefore) {
  Period p = *ParsePeriod("2026-01-01", "2026-01-31", 0);
  auto prev = PreviousPeriod(p, "auto");
  ASSERT_TRUE(prev.ok());
  EXPECT_EQ(DayText(prev->from_us), "2025-12-01");
  EXPECT_EQ(DayText(prev->to_us), "2026-01-01");
  prev = PreviousPeriod(p, "2025-07-01:2025-12-31");
  ASSERT_TRUE(prev.ok()) << prev.status();
  EXPECT_EQ(DayText(prev->from_us), "2025-07-01");
}

TEST(PeriodTest, BadInputNamesTheFlagAndTheText) {
  auto p = ParsePeriod("2026-02-30", "", 0);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("--from: '2026-02-30'"), std::string::npos) << p.status();
  EXPECT_FALSE(ParsePeriod("2026-03-01", "2026-02-01", 0).ok());
  EXPECT_FALSE(ParsePeriod("2000-01-01", "2026-01-01", 0).ok()) << "longer than the limit";
  auto prev = PreviousPeriod(*ParsePeriod("2026-01-01", "2026-01-31", 0), "last-year");
  ASSERT_FALSE(prev.ok());
  EXPECT_NE(prev.status().message().find("--previous"), std::string::npos);
}

TEST(PeriodTest, CivilDaysRoundTrip) {
  for (int64_t d : {-800000, -1, 0, 59, 20454, 2932896}) {
    int64_t y;
    unsigned m, day;
    CivilFromDays(d, y, m, day);
    EXPECT_EQ(DaysFromCivil(y, m, day), d);
  }
}

}  // namespace
}  // namespace kizuna::report
