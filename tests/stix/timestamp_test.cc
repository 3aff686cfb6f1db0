// Kizuna.
#include "kizuna/stix/timestamp.h"

#include <gtest/gtest.h>

namespace kizuna::stix {
namespace {

TEST(TimestampTest, ParsesAndKeepsPrecision) {
  auto t = ParseTimestamp("2016-05-12T08:17:27.123Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->seconds, 1463041047);
  EXPECT_EQ(t->nanos, 123000000);
  EXPECT_EQ(t->fraction_digits, 3);
  EXPECT_EQ(FormatTimestamp(*t, 3), "2016-05-12T08:17:27.123Z");
  EXPECT_EQ(FormatTaxii(t->Micros()), "2016-05-12T08:17:27.123000Z");
}

TEST(TimestampTest, NoFractionAndLongFraction) {
  auto a = ParseTimestamp("2016-05-12T08:17:27Z");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->fraction_digits, 0);
  auto b = ParseTimestamp("2016-05-12T08:17:27.1234567891234Z");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->fraction_digits, 13);
  EXPECT_EQ(b->nanos, 123456789);
}

TEST(TimestampTest, ComparesValueNotPrecision) {
  EXPECT_EQ(*ParseTimestamp("2020-01-01T00:00:00.1Z"), *ParseTimestamp("2020-01-01T00:00:00.100000Z"));
  EXPECT_LT(*ParseTimestamp("2020-01-01T00:00:00.1Z"), *ParseTimestamp("2020-01-01T00:00:00.11Z"));
}

TEST(TimestampTest, LeapYearsAndCalendar) {
  EXPECT_TRUE(ParseTimestamp("2020-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseTimestamp("2000-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("1900-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2021-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2021-04-31T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2021-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2021-01-01T24:00:00Z").ok());
}

TEST(TimestampTest, RejectsWithPosition) {
  struct Case { const char* text; const char* message; };
  for (auto c : {Case{"2016-05-12T08:17:27.Z", "fraction digits"},
                 Case{"2016-05-12T08:17:27", "too short"},
                 Case{"2016-05-12 08:17:27Z", "expected 'T' at character 11"},
                 Case{"2016-05-12T08:17:27+00:00", "expected 'Z'"},
                 Case{"2016-05-12T08:17:27.000z", "expected 'Z'"},
                 Case{"2016-05-12T08:17:27.000Zjunk", "after 'Z'"},
                 Case{"16-05-12T08:17:27.000Z", "digits of the year"}}) {
    auto t = ParseTimestamp(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.status().message().find(c.message), std::string::npos)
        << c.text << " gave " << t.status();
  }
}

TEST(TimestampTest, EpochEdgesAndNegative) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z")->seconds, 0);
  auto before = ParseTimestamp("1969-12-31T23:59:59.5Z");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->seconds, -1);
  EXPECT_EQ(FormatTaxii(before->Micros()), "1969-12-31T23:59:59.500000Z");
  auto far = ParseTimestamp("9999-12-31T23:59:59.999Z");
  ASSERT_TRUE(far.ok());
  EXPECT_FALSE(far->Nanos().has_value());
  EXPECT_EQ(FormatTimestamp(*far, 3), "9999-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace kizuna::stix
