// Kizuna.
#include "kizuna/pattern/ast.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "kizuna/base/random.h"
#include "kizuna/pattern/parser.h"

namespace kizuna::pattern {
namespace {

std::unique_ptr<Ast> MustParse(std::string_view text) {
  auto ast = Parse(text, ParseOptions{});
  EXPECT_TRUE(ast.ok()) << ast.status();
  return ast.ok() ? std::move(*ast) : nullptr;
}

TEST(AstTest, EqualsIgnoresOffsetsAndSpelling) {
  auto a = MustParse("[a:b == 'x' AND a:c <> 2]");
  auto b = MustParse("  [ a:b='x'   AND a:c != 2 ]");
  auto c = MustParse("[a:b = 'x' AND a:c != 3]");
  EXPECT_TRUE(Equals(a->root(), b->root()));
  EXPECT_FALSE(Equals(a->root(), c->root()));
  // Groups are part of the tree.
  EXPECT_FALSE(Equals(MustParse("[a:b = 1]")->root(), MustParse("([a:b = 1])")->root()));
  EXPECT_FALSE(Equals(MustParse("[a:b = 1.0]")->root(), MustParse("[a:b = 1]")->root()));
  EXPECT_FALSE(Equals(MustParse("[a:b = 0.0]")->root(), MustParse("[a:b = -0.0]")->root()));
}

TEST(AstTest, CopyIsDeepAndEqual) {
  auto ast = MustParse(
      "([x:'a b'[*].c NOT IN ('p', 'q') OR EXISTS x:d] AND [y:e = h'00ff']) REPEATS 2 TIMES "
      "START t'2020-01-01T00:00:00Z' STOP t'2020-01-02T00:00:00Z'");
  Arena arena;
  const ObsExpr* copy = Copy(ast->root(), arena);
  std::string before = ToString(*copy);
  ast.reset();  // the copy must not depend on the original arena
  EXPECT_EQ(ToString(*copy), before);
  auto again = MustParse(before);
  EXPECT_TRUE(Equals(*copy, again->root()));
}

TEST(AstTest, CanonicalPrintingQuotesOnlyWhenNeeded) {
  EXPECT_EQ(ToString(MustParse("[a:'b'.'c_1'.'x-y'.'IN'.'true'.'9z' = 1]")->root()),
            "[a:b.c_1.'x-y'.'IN'.'true'.'9z' = 1]");
  EXPECT_EQ(ToString(MustParse("[a:b = 'it\\'s \\\\ ok']")->root()), "[a:b = 'it\\'s \\\\ ok']");
}

TEST(AstTest, FloatLiteralsRoundTrip) {
  for (double d : {0.0, -0.0, 1.0, 7.0, 0.1, 0.5, 1.5e-7, 123456.789, 1e21, 1e300, 5e-324,
                   std::numeric_limits<double>::max(), 2.2250738585072014e-308}) {
    const std::string text = FormatFloatLiteral(d);
    EXPECT_EQ(text.find('e'), std::string::npos) << text;
    ASSERT_NE(text.find('.'), std::string::npos) << text;
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    EXPECT_EQ(std::signbit(back), std::signbit(d)) << text;
    EXPECT_EQ(back, d) << text;
  }
  EXPECT_EQ(FormatFloatLiteral(7.0), "7.0");
  EXPECT_EQ(FormatFloatLiteral(0.25), "0.25");
  EXPECT_EQ(FormatFloatLiteral(-1.5e-3), "-0.0015");
  EXPECT_EQ(FormatFloatLiteral(1e3), "1000.0");
}

TEST(AstTest, RandomFloatsRoundTripThroughThePattern) {
  SeededRandom random(42);
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = random.Next();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    auto ast = MustParse("[a:b = " + FormatFloatLiteral(d) + "]");
    ASSERT_NE(ast, nullptr);
    const double parsed = ast->root().comparison->values[0].float_value;
    EXPECT_EQ(std::memcmp(&parsed, &d, sizeof d), 0) << FormatFloatLiteral(d);
  }
}

TEST(AstTest, Json) {
  auto ast = MustParse("[a:b[0] = 1] WITHIN 2.5 SECONDS");
  EXPECT_EQ(ToJson(ast->root()),
            "{\"node\":\"within\",\"seconds\":{\"type\":\"float\",\"value\":2.5},\"operands\":[{"
            "\"node\":\"observation\",\"comparison\":{\"node\":\"comparison\",\"path\":{"
            "\"object_type\":\"a\",\"steps\":[{\"key\":\"b\"},{\"index\":0}],\"text\":\"a:b[0]\"},"
            "\"operator\":\"=\",\"negated\":false,\"values\":[{\"type\":\"int\",\"value\":1}]}}]}");
}

}  // namespace
}  // namespace kizuna::pattern
