// Kizuna.
#include "kizuna/pattern/errors.h"

#include <gtest/gtest.h>

namespace kizuna::pattern {
namespace {

TEST(ErrorsTest, MessageAndOffset) {
  absl::Status s = PatternError(13, "syntax", "expected a value");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "offset 13: syntax: expected a value");
  EXPECT_EQ(ErrorOffset(s), 13u);
  EXPECT_EQ(ErrorOffset(absl::InvalidArgumentError("other")), std::nullopt);
  EXPECT_EQ(ErrorOffset(absl::OkStatus()), std::nullopt);
}

TEST(ErrorsTest, CaretUnderTheOffendingCharacter) {
  EXPECT_EQ(CaretLines("[file:size = ]", 13), "[file:size = ]\n             ^");
  EXPECT_EQ(CaretLines("[a]", 0), "[a]\n^");
  // Past the end: just after the last character.
  EXPECT_EQ(CaretLines("[a", 2), "[a\n  ^");
  EXPECT_EQ(CaretLines("[a", 99), "[a\n  ^");
}

TEST(ErrorsTest, CaretCountsCodePointsKeepsTabsAndPicksTheLine) {
  // "日本" is 6 bytes but 2 columns.
  EXPECT_EQ(CaretLines("['日本' #]", 10), "['日本' #]\n      ^");
  EXPECT_EQ(CaretLines("\t[a #]", 4), "\t[a #]\n\t   ^");
  EXPECT_EQ(CaretLines("[a:b = 1]\nAND [x y]", 17), "AND [x y]\n       ^");
  EXPECT_EQ(CaretLines("[a]\n", 3), "[a]\n   ^");
}

}  // namespace
}  // namespace kizuna::pattern
