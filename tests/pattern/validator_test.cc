// Kizuna.
#include "kizuna/pattern/validator.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"
#include "kizuna/pattern/parser.h"

namespace kizuna::pattern {
namespace {

absl::Status ValidateText(std::string_view text, const PatternLimits& limits = {}) {
  ParseOptions options;
  options.limits = limits;
  auto ast = Parse(text, options);
  if (!ast.ok()) return ast.status();
  return Validate(**ast, limits);
}

TEST(ValidatorTest, AcceptsValidPatterns) {
  EXPECT_TRUE(ValidateText("[file:name = 'a'] REPEATS 2 TIMES WITHIN 5 SECONDS").ok());
}

TEST(ValidatorTest, ReasonsAndOffsets) {
  absl::Status s = ValidateText("[a:b = 1] REPEATS 0 TIMES");
  EXPECT_NE(View(s.message()).find("repeats-not-positive"), std::string_view::npos);
  EXPECT_EQ(ErrorOffset(s), 18u);
  s = ValidateText("[a:b = 'x'] AND [c:d = h'abc']");
  EXPECT_NE(View(s.message()).find("bad-hex"), std::string_view::npos);
  EXPECT_EQ(ErrorOffset(s), 23u);
}

TEST(ValidatorTest, ConfigurableLimits) {
  PatternLimits limits;
  limits.max_repeats = 5;
  EXPECT_TRUE(ValidateText("[a:b = 1] REPEATS 5 TIMES", limits).ok());
  EXPECT_NE(View(ValidateText("[a:b = 1] REPEATS 6 TIMES", limits).message())
                .find("repeats-too-large: REPEATS is over the limit of 5"),
            std::string_view::npos);
  limits.max_bound_observations = 3;
  EXPECT_TRUE(ValidateText("[a:b = 1] AND [a:b = 1] AND [a:b = 1]", limits).ok());
  EXPECT_NE(View(ValidateText("[a:b = 1] REPEATS 2 TIMES AND ([a:b = 1] OR [a:b = 1] AND "
                              "[a:b = 1])",
                              limits)
                     .message())
                .find("too-many-observations: a match would bind 4"),
            std::string_view::npos);
  limits.max_within_seconds = 60;
  EXPECT_NE(View(ValidateText("[a:b = 1] WITHIN 60.5 SECONDS", limits).message())
                .find("within-too-large"),
            std::string_view::npos);
  limits.max_regex_memory = 1 << 10;
  EXPECT_NE(View(ValidateText("[a:b MATCHES '(abc|def|ghi){1,500}']", limits).message())
                .find("bad-regex"),
            std::string_view::npos);
}

TEST(ValidatorTest, HugeRepeatsDoNotOverflowTheCount) {
  PatternLimits limits;
  limits.max_repeats = INT64_MAX;
  absl::Status s = ValidateText(
      "(([a:b = 1] REPEATS 9223372036854775807 TIMES) REPEATS 9223372036854775807 TIMES)",
      limits);
  EXPECT_NE(View(s.message()).find("too-many-observations"), std::string_view::npos) << s;
}

}  // namespace
}  // namespace kizuna::pattern
