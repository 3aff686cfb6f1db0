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

TEST(JsonStringTest, KeepsEveryWellFormedSequence) {
  // The first and last code points of each sequence length, and around the surrogates.
  for (std::string_view s : {"\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
                             "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_EQ(JsonString(s), "\"" + std::string(s) + "\"");
  }
}

// Finding 13 of issue 16: raw invalid UTF-8 from a client was echoed into JSON errors.
TEST(JsonStringTest, ReplacesMalformedUtf8ByteByByte) {
  const std::string kFffd = "\xef\xbf\xbd";
  EXPECT_EQ(JsonString("a\xff" "b"), "\"a" + kFffd + "b\"");
  EXPECT_EQ(JsonString("\x80"), "\"" + kFffd + "\"");                     // stray continuation
  EXPECT_EQ(JsonString("\xc0\xaf"), "\"" + kFffd + kFffd + "\"");         // overlong '/'
  EXPECT_EQ(JsonString("\xe0\x80\xaf"), "\"" + kFffd + kFffd + kFffd + "\"");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // a surrogate
  EXPECT_EQ(JsonString("\xf4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");
  EXPECT_EQ(JsonString("\xe6\x97"), "\"" + kFffd + kFffd + "\"");         // cut short
  EXPECT_EQ(JsonString("\xe6\x97\"x"), "\"" + kFffd + kFffd + "\\\"x\"");  // cut by a quote
  EXPECT_EQ(JsonString("日\xff本"), "\"日" + kFffd + "本\"");
}

}  // namespace
}  // namespace kizuna
