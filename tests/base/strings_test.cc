// Kizuna.
#include "kizuna/base/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace kizuna {
namespace {

TEST(StringsTest, TextOfEveryKindIsAsFmtWritesIt) {
  std::string s = "str";
  std::string_view v = "view";
  absl::string_view a = "absl";
  const char* c = "ptr";
  EXPECT_EQ(StrCat(s, v, a, c, "lit", '!'), "strviewabslptrlit!");
  EXPECT_EQ(StrCat(std::string_view("a\0b", 3)), std::string("a\0b", 3));
}

TEST(StringsTest, NumbersAndOtherValuesAreFormattedAsWithBraces) {
  EXPECT_EQ(StrCat(0, " ", -42, " ", std::numeric_limits<int64_t>::min(), " ",
                   std::numeric_limits<uint64_t>::max()),
            "0 -42 -9223372036854775808 18446744073709551615");
  EXPECT_EQ(StrCat(uint8_t{200}, int8_t{-5}, short{7}, 3u, 4ul), "200-5734");
  EXPECT_EQ(StrCat(true, false), fmt::format("{}{}", true, false));
  EXPECT_EQ(StrCat(1.5, " ", 0.1), fmt::format("{} {}", 1.5, 0.1));
  EXPECT_EQ(StrCat(absl::NotFoundError("gone")), "NOT_FOUND: gone");
}

TEST(StringsTest, AppendKeepsWhatIsThere) {
  std::string out = "x=";
  StrAppend(out, 12, ", y=", std::string_view("z"));
  EXPECT_EQ(out, "x=12, y=z");
}

}  // namespace
}  // namespace kizuna
