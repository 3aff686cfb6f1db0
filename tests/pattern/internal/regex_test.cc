// Kizuna.
#include "kizuna/pattern/internal/regex.h"

#include <gtest/gtest.h>

namespace kizuna::pattern_internal {
namespace {

std::unique_ptr<Regex> MustCompile(std::string_view pattern) {
  auto r = Regex::Compile(pattern, 1 << 20);
  EXPECT_TRUE(r.ok()) << pattern << ": " << r.status();
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(RegexTest, SearchSemanticsAndDotAll) {
  auto r = MustCompile("b.c");
  EXPECT_TRUE(r->SearchText("aab\ncd"));  // unanchored, '.' matches a newline
  EXPECT_FALSE(r->SearchText("abd"));
  EXPECT_TRUE(MustCompile("^abc$")->SearchText("abc"));
  EXPECT_FALSE(MustCompile("^abc$")->SearchText("abc\n"));  // RE2: $ is the very end
  EXPECT_TRUE(MustCompile("(?i)POWERSHELL")->SearchText("run powershell.exe"));
}

TEST(RegexTest, NormalisesToNfc) {
  EXPECT_TRUE(MustCompile("^caf\u00e9$")->SearchText("cafe\u0301"));
  EXPECT_TRUE(MustCompile("^cafe\u0301$")->SearchText("caf\u00e9"));
}

TEST(RegexTest, BytesProgram) {
  auto r = MustCompile("^\\xd4\\xc3");
  EXPECT_TRUE(r->SearchBytes("\xd4\xc3\xb2\xa1"));
  EXPECT_FALSE(r->SearchBytes("\xd4\xc4"));
  EXPECT_TRUE(MustCompile("é")->SearchBytes("caf\xe9"));
  EXPECT_FALSE(MustCompile("日")->SearchBytes("\xe6\x97\xa5"));  // not a byte pattern
}

TEST(RegexTest, RejectsWhatNeedsBacktracking) {
  for (std::string_view bad : {"(a)\\1", "a(?=b)", "(?<=a)b", "(?!a)", "a*+", "\\Z", "(a"}) {
    EXPECT_FALSE(Regex::Compile(bad, 1 << 20).ok()) << bad;
  }
  EXPECT_FALSE(Regex::Compile("(abc|def){1,1000}", 1 << 10).ok());  // over the memory limit
}

}  // namespace
}  // namespace kizuna::pattern_internal
