// Kizuna.
#include "kizuna/pattern/parser.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"

namespace kizuna::pattern {
namespace {

std::unique_ptr<Ast> MustParse(std::string_view text, StixVersion version = StixVersion::k21) {
  ParseOptions options;
  options.version = version;
  auto ast = Parse(text, options);
  EXPECT_TRUE(ast.ok()) << ast.status();
  return ast.ok() ? std::move(*ast) : nullptr;
}

TEST(ParserTest, PrecedenceBuildsNaryNodes) {
  auto ast = MustParse("[a:b = 1] AND [a:b = 2] AND [a:b = 3] OR [a:b = 4] FOLLOWEDBY [a:b = 5]");
  const ObsExpr& root = ast->root();
  ASSERT_EQ(root.kind, ObsExpr::Kind::kFollowedBy);
  ASSERT_EQ(root.operands.size(), 2u);
  const ObsExpr& left = *root.operands[0];
  ASSERT_EQ(left.kind, ObsExpr::Kind::kOr);
  ASSERT_EQ(left.operands[0]->kind, ObsExpr::Kind::kAnd);
  EXPECT_EQ(left.operands[0]->operands.size(), 3u);
  EXPECT_EQ(root.operands[1]->kind, ObsExpr::Kind::kObservation);
}

TEST(ParserTest, QualifiersArePostfixOnTheNearestExpression) {
  auto ast = MustParse("[a:b = 1] FOLLOWEDBY [a:b = 2] REPEATS 5 TIMES WITHIN 10 SECONDS");
  const ObsExpr& root = ast->root();
  ASSERT_EQ(root.kind, ObsExpr::Kind::kFollowedBy);
  const ObsExpr& right = *root.operands[1];
  ASSERT_EQ(right.kind, ObsExpr::Kind::kWithin);
  EXPECT_EQ(right.first.int_value, 10);
  ASSERT_EQ(right.operands[0]->kind, ObsExpr::Kind::kRepeats);
  EXPECT_EQ(right.operands[0]->first.int_value, 5);
  EXPECT_EQ(right.operands[0]->operands[0]->kind, ObsExpr::Kind::kObservation);
}

TEST(ParserTest, ComparisonDetails) {
  auto ast = MustParse("[file:extensions.'x-ext'.list[2].v[*] NOT IN (1, 2.5)]");
  const CmpExpr& cmp = *ast->root().comparison;
  ASSERT_EQ(cmp.kind, CmpExpr::Kind::kCompare);
  EXPECT_EQ(cmp.path.object_type, "file");
  ASSERT_EQ(cmp.path.steps.size(), 6u);
  EXPECT_EQ(cmp.path.steps[1].key, "x-ext");
  EXPECT_EQ(cmp.path.steps[3].kind, PathStep::Kind::kIndex);
  EXPECT_EQ(cmp.path.steps[3].index, 2);
  EXPECT_EQ(cmp.path.steps[5].kind, PathStep::Kind::kStar);
  EXPECT_EQ(cmp.op, CompareOp::kIn);
  EXPECT_TRUE(cmp.negated);
  ASSERT_EQ(cmp.values.size(), 2u);
  EXPECT_EQ(cmp.values[1].kind, LiteralKind::kFloat);
  EXPECT_EQ(cmp.values[1].float_value, 2.5);
  EXPECT_EQ(cmp.offset, 1u);
  EXPECT_EQ(cmp.values[0].offset, 46u);
}

TEST(ParserTest, AstOwnsItsText) {
  std::unique_ptr<Ast> ast;
  {
    std::string text = "[a:b = 'kept']";
    ast = MustParse(text);
    text.assign(text.size(), 'x');
  }
  EXPECT_EQ(ast->root().comparison->values[0].text, "kept");
  EXPECT_EQ(ast->text(), "[a:b = 'kept']");
}

TEST(ParserTest, LengthLimit) {
  ParseOptions options;
  options.limits.max_pattern_bytes = 10;
  auto ast = Parse("[a:b = 'this is long']", options);
  ASSERT_FALSE(ast.ok());
  EXPECT_NE(ast.status().message().find("too-long"), absl::string_view::npos);
}

TEST(ParserTest, DepthLimitStopsDeepNesting) {
  std::string deep(200, '(');
  deep += "[a:b = 1]";
  deep += std::string(200, ')');
  auto ast = Parse(deep, ParseOptions{});
  ASSERT_FALSE(ast.ok());
  EXPECT_NE(ast.status().message().find("too-deep"), absl::string_view::npos) << ast.status();
  std::string cmp = "[" + std::string(500, '(') + "a:b = 1" + std::string(500, ')') + "]";
  EXPECT_FALSE(Parse(cmp, ParseOptions{}).ok());
  // A long qualifier chain nests too (the validator would reject it anyway).
  std::string chain = "[a:b = 1]";
  for (int i = 0; i < 300; ++i) chain += " WITHIN 1 SECONDS";
  auto chained = Parse(chain, ParseOptions{});
  ASSERT_FALSE(chained.ok());
  EXPECT_NE(chained.status().message().find("too-deep"), absl::string_view::npos);
  // Within the limit is fine.
  EXPECT_TRUE(Parse(std::string(100, '(') + "[a:b = 1]" + std::string(100, ')'), ParseOptions{})
                  .ok());
}

TEST(ParserTest, LongChainsAreFlatNotDeep) {
  std::string ors = "[a:b = 0";
  for (int i = 1; i < 5000; ++i) ors += StrCat(" OR a:b = ", i);
  ors += "]";
  auto ast = MustParse(ors);
  ASSERT_NE(ast, nullptr);
  EXPECT_EQ(ast->root().comparison->operands.size(), 5000u);
  std::string ands = "[a:b = 0]";
  for (int i = 1; i < 3000; ++i) ands += " AND [a:b = 0]";
  EXPECT_NE(MustParse(ands), nullptr);
}

TEST(ParserTest, InListLimit) {
  ParseOptions options;
  options.limits.max_in_list_size = 3;
  EXPECT_TRUE(Parse("[a:b IN (1, 2, 3)]", options).ok());
  auto ast = Parse("[a:b IN (1, 2, 3, 4)]", options);
  ASSERT_FALSE(ast.ok());
  EXPECT_NE(ast.status().message().find("too-many-values"), absl::string_view::npos);
  EXPECT_EQ(ErrorOffset(ast.status()), 18u);
}

TEST(ParserTest, EmptyAndBlankPatterns) {
  for (std::string_view text : {"", "   ", "/* only a comment */"}) {
    auto ast = Parse(text, ParseOptions{});
    ASSERT_FALSE(ast.ok());
    EXPECT_NE(ast.status().message().find("found the end of the pattern"),
              absl::string_view::npos);
  }
}

TEST(ParserTest, NewlinesInsidePatterns) {
  auto ast = MustParse("[a:b\n=\n1]\nAND\n[a:c = 2]");
  ASSERT_NE(ast, nullptr);
  EXPECT_EQ(ToString(ast->root()), "[a:b = 1] AND [a:c = 2]");
}

TEST(ParserTest, Stix20Differences) {
  EXPECT_NE(MustParse("[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'",
                      StixVersion::k20),
            nullptr);
  ParseOptions v20;
  v20.version = StixVersion::k20;
  // The 2.0 grammar: property names without '-' unless quoted, NOT before every operator.
  EXPECT_FALSE(Parse("[a:b-c = 1]", ParseOptions{}).ok());
  EXPECT_FALSE(Parse("[a:b-c = 1]", v20).ok());
  EXPECT_TRUE(Parse("[a-b:'b-c' = 1]", v20).ok());
  EXPECT_TRUE(Parse("[a:b NOT = 1 AND a:b NOT >= 2]", v20).ok());
  EXPECT_FALSE(Parse("[EXISTS a:b]", v20).ok());
}

}  // namespace
}  // namespace kizuna::pattern
