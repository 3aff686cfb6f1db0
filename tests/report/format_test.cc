// Kizuna. Numbers, dates, changes and durations in English and Japanese.
#include "kizuna/report/format.h"

#include <gtest/gtest.h>

#include "kizuna/report/period.h"

namespace kizuna::report {
namespace {

TEST(FormatTest, Counts) {
  EXPECT_EQ(FormatCount(0, Lang::kEn), "0");
  EXPECT_EQ(FormatCount(999, Lang::kEn), "999");
  EXPECT_EQ(FormatCount(1234567, Lang::kJa), "1,234,567");
  EXPECT_EQ(FormatCount(-1000, Lang::kEn), "-1,000");
}

TEST(FormatTest, DatesPerLanguage) {
  int64_t day = DaysFromCivil(2026, 6, 30) * kMicrosPerDay + 1234;
  EXPECT_EQ(FormatDate(day, Lang::kEn), "30 June 2026");
  EXPECT_EQ(FormatDate(day, Lang::kJa), "2026年6月30日");
  EXPECT_EQ(FormatDay("not a day", Lang::kJa), "not a day");
}

TEST(FormatTest, ChangesAndDurations) {
  EXPECT_EQ(FormatChange(150, 100, Lang::kEn), "+50%");
  EXPECT_EQ(FormatChange(50, 100, Lang::kEn), "-50%");
  EXPECT_EQ(FormatChange(3, 0, Lang::kEn), "new");
  EXPECT_EQ(FormatChange(3, 0, Lang::kJa), "新規");
  EXPECT_EQ(FormatChange(0, 0, Lang::kEn), "—");
  EXPECT_EQ(FormatDuration(90000, Lang::kEn), "1 d 1 h");
  EXPECT_EQ(FormatDuration(90000, Lang::kJa), "1日1時間");
  EXPECT_EQ(FormatDuration(125, Lang::kEn), "2 min");
  EXPECT_EQ(FormatDuration(7, Lang::kJa), "7秒");
}

}  // namespace
}  // namespace kizuna::report
