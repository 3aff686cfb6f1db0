// Kizuna.
#include "kizuna/identity/nation.h"

#include <gtest/gtest.h>

namespace kizuna::identity {
namespace {

TEST(NationTest, AllianceCodesAreNations) {
  EXPECT_TRUE(IsNationCode("JPN"));
  EXPECT_TRUE(IsNationCode("USA"));
  EXPECT_TRUE(IsNationCode("KOR"));
  EXPECT_EQ(NationName("JPN"), "Japan");
  // First and last of the sorted table.
  EXPECT_TRUE(IsNationCode("ABW"));
  EXPECT_TRUE(IsNationCode("ZWE"));
}

TEST(NationTest, OtherStringsAreNot) {
  for (const char* bad : {"", "jpn", "JP", "JAPAN", "XXX", "EUR", "UK", "XKX", "JPN "}) {
    EXPECT_FALSE(IsNationCode(bad)) << bad;
    EXPECT_EQ(NationName(bad), "") << bad;
  }
}

}  // namespace
}  // namespace kizuna::identity
