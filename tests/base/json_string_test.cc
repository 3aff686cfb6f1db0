// Kizuna.
#include "kizuna/base/json_string.h"

#include <gtest/gtest.h>

namespace kizuna {
namespace {

TEST(JsonStringTest, EscapesOnlyWhatJsonRequires) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("\n\t\x01"), "\"\\n\\t\\u0001\"");
  EXPECT_EQ(JsonString("日本/€"), "\"日本/€\"");
  EXPECT_EQ(JsonString(std::string("\0", 1)), "\"\\u0000\"");
}

}  // namespace
}  // namespace kizuna
