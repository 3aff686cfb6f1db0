// Kizuna.
#include "kizuna/pattern/internal/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::pattern_internal {
namespace {

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc \xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(Utf8Test, DecodeAndAppendRoundTrip) {
  for (uint32_t cp : {0x41u, 0xE9u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, s);
    uint32_t back = 0;
    EXPECT_EQ(DecodeUtf8(s, 0, back), s.size());
    EXPECT_EQ(back, cp);
  }
}

TEST(Utf8Test, Latin1) {
  std::string out;
  EXPECT_TRUE(Utf8ToLatin1("caf\xc3\xa9", out));
  EXPECT_EQ(out, "caf\xe9");
  EXPECT_FALSE(Utf8ToLatin1("\xe6\x97\xa5", out));
  Latin1ToUtf8(std::string("caf\xe9\x00\xff", 6), out);
  EXPECT_EQ(out, std::string("caf\xc3\xa9\x00\xc3\xbf", 8));
  std::string back;
  EXPECT_TRUE(Utf8ToLatin1(out, back));
  EXPECT_EQ(back, std::string("caf\xe9\x00\xff", 6));
  EXPECT_TRUE(IsAscii("plain"));
  EXPECT_FALSE(IsAscii("caf\xc3\xa9"));
}

}  // namespace
}  // namespace kizuna::pattern_internal
