// Kizuna.
#include "kizuna/detect/event_time.h"

#include <gtest/gtest.h>

namespace kizuna::detect {
namespace {

TEST(EventTimeTest, ParsesZeekAndEveForms) {
  EXPECT_EQ(ParseEventTime("1521911720.865716"), 1521911720865716);
  EXPECT_EQ(ParseEventTime("1521911720"), 1521911720000000);
  EXPECT_EQ(ParseEventTime("2018-03-24T17:15:20.865716Z"), 1521911720865716);
  EXPECT_EQ(ParseEventTime("2018-03-24T17:15:20.865716+0000"), 1521911720865716);
  EXPECT_EQ(ParseEventTime("2018-03-24T19:15:20.865716+02:00"), 1521911720865716);
  EXPECT_EQ(ParseEventTime("2018-03-24T17:15:20Z"), 1521911720000000);
  EXPECT_FALSE(ParseEventTime(""));
  EXPECT_FALSE(ParseEventTime("-"));
  EXPECT_FALSE(ParseEventTime("1.2.3"));
  EXPECT_FALSE(ParseEventTime("2018-03-24T17:15:20"));
  EXPECT_FALSE(ParseEventTime("2018-13-24T17:15:20Z"));
}

TEST(EventTimeTest, FormatsStixTimestamps) {
  EXPECT_EQ(FormatEventTime(1521911720865716), "2018-03-24T17:15:20.865716Z");
  EXPECT_EQ(FormatEventTime(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatEventTime(951782400000000), "2000-02-29T00:00:00.000000Z");
}

}  // namespace
}  // namespace kizuna::detect
