// Kizuna.
#include "kizuna/detect/event_time.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kizuna/detect/observation_builder.h"

namespace kizuna::detect {
namespace {

TEST(EventTimeTest, ParsesZeekAndEveForms) {
  EXPECT_EQ(ParseEventTime("1521911720.865716"), 1521911720865716);
  EXPECT_EQ(ParseEventTime("1521911720"), 1521911720000000);
  // Fractions of one to nine digits: the first six kept, the rest dropped (not rounded).
  EXPECT_EQ(ParseEventTime("1521911720.8"), 1521911720800000);
  EXPECT_EQ(ParseEventTime("1521911720.865"), 1521911720865000);
  EXPECT_EQ(ParseEventTime("1521911720.865716999"), 1521911720865716);
  EXPECT_EQ(ParseEventTime("2018-03-24T17:15:20.09Z"), 1521911720090000);
  EXPECT_EQ(ParseEventTime("2018-03-24T17:15:20.0000019Z"), 1521911720000001);
  EXPECT_FALSE(ParseEventTime("1521911720."));
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

// EventTimeParser reuses the minute and offset of the time before: it must still answer as
// ParseEventTime does when either changes, when a line is malformed, and for every form.
TEST(EventTimeTest, ParserRememberingTheMinuteAgreesWithParseEventTime) {
  const std::vector<std::string> times = {
      "2018-03-24T17:15:20.865716+0000", "2018-03-24T17:15:21.000001+0000",
      "2018-03-24T17:15:59+0000",        "2018-03-24T17:15:60.5+0000",
      "2018-03-24T17:15:61.5+0000",      "2018-03-24T17:15:2x.5+0000",
      "2018-03-24T17:15:22.+0000",       "2018-03-24T17:15:22.5+0200",
      "2018-03-24T17:15:22.5+02:00",     "2018-03-24T17:15:22.5Z",
      "2018-03-24T17:15:22.5",           "2018-03-24T17:15:22.5Zx",
      "2018-03-24T17:16:00.1Z",          "2018-03-24T17:16:01.1Z",
      "2018-03-24 17:16:01.1Z",          "2018-03-25T17:16:01.1Z",
      "1521911720.865716",               "2018-03-25T17:16:02.1Z",
      "2018-02-31T00:00:00Z",            "2018-02-31T00:00:01Z",
      "2018-03-24T17:15:20.865716-0130", "2018-03-24T17:15:21.865716-0130",
      "9999-12-31T23:59:59.999999Z",     "",
  };
  EventTimeParser parser;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& t : times) EXPECT_EQ(parser.Parse(t), ParseEventTime(t)) << t;
  }
}

// Zeek's "dddddddddd.dddddd" is read eight digits at a time: against a plain reading, on
// every digit and on the bytes just beside the digits ('/' and ':') at every position.
TEST(EventTimeTest, ZeekEpochReadEightDigitsAtATimeAgreesWithAPlainReading) {
  const auto plain = [](const std::string& s) -> std::optional<int64_t> {
    int64_t seconds = 0, micros = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i == 10) {
        if (s[i] != '.') return std::nullopt;
        continue;
      }
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      (i < 10 ? seconds : micros) = (i < 10 ? seconds : micros) * 10 + (s[i] - '0');
    }
    return seconds * 1000000 + micros;
  };
  std::mt19937 rng(17);
  const std::string bytes = "0123456789/:. \x80\xff";
  for (int n = 0; n < 200000; ++n) {
    std::string t(17, '0');
    for (char& c : t) c = static_cast<char>('0' + rng() % 10);
    t[10] = '.';
    if (n % 2 == 1) t[rng() % 17] = bytes[rng() % bytes.size()];
    ASSERT_EQ(ParseEventTime(t), plain(t)) << t;
  }
  EXPECT_EQ(ParseEventTime("9999999999.999999"), 9999999999999999);
  EXPECT_EQ(ParseEventTime("0000000000.000000"), 0);
  EXPECT_EQ(ParseEventTime("1521911720.000001"), 1521911720000001);
  EXPECT_FALSE(ParseEventTime("152191172:.865716"));
  EXPECT_FALSE(ParseEventTime("1521911720.86571/"));
}

TEST(EventTimeTest, FormatsStixTimestamps) {
  EXPECT_EQ(FormatEventTime(1521911720865716), "2018-03-24T17:15:20.865716Z");
  EXPECT_EQ(FormatEventTime(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatEventTime(951782400000000), "2000-02-29T00:00:00.000000Z");
}

// Times before the epoch round down to whole seconds, as far as int64 reaches (negating
// INT64_MIN overflowed).
TEST(EventTimeTest, EventTimestampFloorsNegativeTimes) {
  stix::Timestamp t = EventTimestamp(1521911720865716);
  EXPECT_EQ(t.seconds, 1521911720);
  EXPECT_EQ(t.nanos, 865716000);
  t = EventTimestamp(-1);
  EXPECT_EQ(t.seconds, -1);
  EXPECT_EQ(t.nanos, 999999000);
  t = EventTimestamp(-2000000);
  EXPECT_EQ(t.seconds, -2);
  EXPECT_EQ(t.nanos, 0);
  t = EventTimestamp(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(t.seconds, -9223372036855);
  EXPECT_EQ(t.nanos, 224192000);
  t = EventTimestamp(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(t.seconds, 9223372036854);
  EXPECT_EQ(t.nanos, 775807000);
}

}  // namespace
}  // namespace kizuna::detect
