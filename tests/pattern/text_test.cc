// Kizuna.
#include "kizuna/pattern/text.h"

#include <gtest/gtest.h>

#include "kizuna/base/random.h"

namespace kizuna::pattern {
namespace {

TEST(TextTest, Nfc) {
  std::string scratch;
  EXPECT_EQ(ToNfc("plain ascii", scratch), "plain ascii");
  EXPECT_EQ(ToNfc("cafe\u0301", scratch), "caf\u00e9");
  EXPECT_EQ(ToNfc("\u212b", scratch), "\u00c5");
  EXPECT_EQ(ToNfc("caf\u00e9", scratch), "caf\u00e9");
  // Invalid UTF-8 comes back untouched.
  EXPECT_EQ(ToNfc("a\xff" "b", scratch), "a\xff" "b");
}

TEST(TextTest, LikeShapes) {
  struct Case {
    std::string_view pattern, value;
    bool match;
  };
  const Case cases[] = {
      {"abc", "abc", true},      {"abc", "abcd", false},   {"ab%", "abcd", true},
      {"ab%", "xab", false},     {"%cd", "abcd", true},    {"%cd", "cdx", false},
      {"%bc%", "abcd", true},    {"%bc%", "acbd", false},  {"a%d", "abcd", true},
      {"a%d", "abc", false},     {"a_c", "abc", true},     {"a_c", "ac", false},
      {"_", "é", true},          {"_", "e\u0301", true},   {"%", "", true},
      {"", "", true},            {"", "x", false},         {"a.c", "abc", false},
      {"a.c", "a.c", true},      {"(%)", "(x)", true},     {"%\\%", "a\\", true},
      {"100%", "100% sure", true}, {"%\n%", "a\nb", true}, {"a%b%c", "aXbYc", true},
  };
  for (const Case& c : cases) {
    LikeMatcher like(c.pattern, 1 << 20);
    ASSERT_TRUE(like.ok()) << c.pattern;
    EXPECT_EQ(like.Matches(c.value), c.match) << c.pattern << " / " << c.value;
    EXPECT_EQ(like.MatchesWithRegex(c.value), c.match) << c.pattern << " / " << c.value;
  }
}

// LIKE on binary values (STIX 2.1 §9.6.4): each pattern code point below U+0100 is a byte,
// '_' one byte; a pattern with a higher code point matches no bytes.
TEST(TextTest, LikeOnBytes) {
  struct Case {
    const char* pattern;
    std::string bytes;
    bool match;
  };
  const std::string ff00("\xff\x00", 2);
  const Case cases[] = {
      {"abc", "abc", true},
      {"a%", "abc", true},
      {"%c", "abc", true},
      {"%b%", "abc", true},
      {"a_c", "abc", true},
      {"a_", "abc", false},
      {"__", "\xc3\xa9", true},
      {"_", "\xc3\xa9", false},
      {"\u00e9", "\xe9", true},
      {"e\u0301", "\xe9", true},
      {"\u00ff%", ff00, true},
      {"%\u00ff", ff00, false},
      {"_\u00ff", std::string("\x00\xff", 2), true},
      {"\u65e5%", "\xe6\x97\xa5", false},
      {"%", "", true},
      {"_", "", false},
  };
  std::string scratch;
  for (const Case& c : cases) {
    LikeMatcher like(c.pattern, 1 << 20);
    ASSERT_TRUE(like.ok()) << c.pattern;
    EXPECT_EQ(like.MatchesBytes(c.bytes, scratch), c.match) << c.pattern;
  }
}

// The plain-string shortcuts must agree with the regex on random inputs.
TEST(TextTest, LikeShortcutsAgreeWithRegex) {
  SeededRandom random(7);
  const std::string_view alphabet[] = {"a", "b", "%", "_", "é", "e\u0301", ".", "*"};
  const auto pick = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += alphabet[random.Next() % std::size(alphabet)];
    return s;
  };
  for (int i = 0; i < 3000; ++i) {
    LikeMatcher like(pick(random.Next() % 5), 1 << 20);
    std::string value = pick(random.Next() % 6);
    EXPECT_EQ(like.Matches(value), like.MatchesWithRegex(value)) << value;
  }
}

}  // namespace
}  // namespace kizuna::pattern
