// Kizuna.
#include "kizuna/pattern/lexer.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"

namespace kizuna::pattern {
namespace {

std::vector<TokenKind> Kinds(std::string_view text) {
  auto tokens = Tokenize(text);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  std::vector<TokenKind> kinds;
  if (tokens.ok()) {
    for (const Token& t : *tokens) kinds.push_back(t.kind);
  }
  return kinds;
}

TEST(LexerTest, TokensOffsetsAndText) {
  auto tokens = Tokenize("[file:hashes.'SHA-256' != h'ff'] WITHIN 5.5 SECONDS");
  ASSERT_TRUE(tokens.ok());
  const std::vector<Token>& t = *tokens;
  ASSERT_EQ(t.size(), 13u);
  EXPECT_EQ(t[0].kind, TokenKind::kLBracket);
  EXPECT_EQ(t[1].kind, TokenKind::kWord);
  EXPECT_EQ(t[1].text, "file");
  EXPECT_EQ(t[2].kind, TokenKind::kColon);
  EXPECT_EQ(t[4].kind, TokenKind::kDot);
  EXPECT_EQ(t[5].kind, TokenKind::kString);
  EXPECT_EQ(t[5].text, "'SHA-256'");
  EXPECT_EQ(t[5].offset, 13u);
  EXPECT_EQ(t[6].kind, TokenKind::kNe);
  EXPECT_EQ(t[7].kind, TokenKind::kHex);
  EXPECT_EQ(t[7].text, "h'ff'");
  EXPECT_EQ(t[9].text, "WITHIN");
  EXPECT_EQ(t[10].kind, TokenKind::kFloat);
  EXPECT_EQ(t[12].kind, TokenKind::kEnd);
  EXPECT_EQ(t[12].offset, 51u);
}

TEST(LexerTest, Operators) {
  EXPECT_EQ(Kinds("= == != <> < <= > >="),
            (std::vector<TokenKind>{TokenKind::kEq, TokenKind::kEq, TokenKind::kNe, TokenKind::kNe,
                                    TokenKind::kLt, TokenKind::kLe, TokenKind::kGt, TokenKind::kGe,
                                    TokenKind::kEnd}));
}

TEST(LexerTest, NumbersAndPrefixedLiterals) {
  EXPECT_EQ(Kinds("0 -5 +5 1.5 -.5 .25 b'AA==' t'2020-01-01T00:00:00Z'"),
            (std::vector<TokenKind>{TokenKind::kInt, TokenKind::kInt, TokenKind::kInt,
                                    TokenKind::kFloat, TokenKind::kFloat, TokenKind::kFloat,
                                    TokenKind::kBinary, TokenKind::kTimestamp, TokenKind::kEnd}));
  // A word starting with h/b/t is a word unless a quote follows at once.
  EXPECT_EQ(Kinds("hashes bin t"), (std::vector<TokenKind>{TokenKind::kWord, TokenKind::kWord,
                                                            TokenKind::kWord, TokenKind::kEnd}));
}

TEST(LexerTest, WhitespaceAndComments) {
  // Newlines, tabs, vertical tab, form feed, NEL, NBSP, ideographic space, line separator.
  EXPECT_EQ(Kinds("[\n\t\v\f\u0085\u00a0\u3000\u2028]"),
            (std::vector<TokenKind>{TokenKind::kLBracket, TokenKind::kRBracket, TokenKind::kEnd}));
  EXPECT_EQ(Kinds("/* a [ comment */ [ // to the end\n ]"),
            (std::vector<TokenKind>{TokenKind::kLBracket, TokenKind::kRBracket, TokenKind::kEnd}));
  EXPECT_EQ(Kinds("  "), (std::vector<TokenKind>{TokenKind::kEnd}));
}

TEST(LexerTest, UnescapeString) {
  EXPECT_EQ(UnescapeString("'a\\'b\\\\c'"), "a'b\\c");
  EXPECT_EQ(UnescapeString("''"), "");
  EXPECT_EQ(UnescapeString("'日本'"), "日本");
}

TEST(LexerTest, ErrorsCarryOffsets) {
  struct Case {
    std::string_view text;
    size_t offset;
    std::string_view message;
  };
  const Case cases[] = {
      {"[a:b = 'x\\y']", 9, "invalid escape"},
      {"[a:b = 'open", 7, "unterminated literal"},
      {"[a /* x", 3, "unterminated /* comment"},
      {"[a:b = #]", 7, "unexpected character '#'"},
      {"[a:b = \x01]", 7, "control character 0x01"},
      {"[a:b = \xff]", 7, "invalid UTF-8"},
      {"[a:b = '\xc3']", 8, "invalid UTF-8 inside a literal"},
      {"[a:b = 01]", 7, "leading zeros"},
      {"[a:b = -]", 7, "digit after the sign"},
  };
  for (const Case& c : cases) {
    auto tokens = Tokenize(c.text);
    ASSERT_FALSE(tokens.ok()) << c.text;
    EXPECT_EQ(ErrorOffset(tokens.status()), c.offset) << c.text;
    EXPECT_NE(View(tokens.status().message()).find(c.message), std::string_view::npos)
        << tokens.status();
  }
}

}  // namespace
}  // namespace kizuna::pattern
