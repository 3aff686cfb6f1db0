// Kizuna.
#include "kizuna/detect/lookup/substring_set.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace kizuna::detect {
namespace {

// The plain answer: every needle searched with find, as the allowlist did before.
uint32_t Reference(const std::vector<std::pair<std::string, uint32_t>>& needles,
                   std::string_view text) {
  uint32_t best = SubstringSet::kNone;
  for (const auto& [needle, value] : needles) {
    if (!needle.empty() && text.find(needle) != std::string_view::npos)
      best = std::min(best, value);
  }
  return best;
}

TEST(SubstringSetTest, FindsTheSmallestValueAmongTheNeedlesThatOccur) {
  SubstringSet::Builder b;
  b.Add("tracker", 3);
  b.Add("ads.", 1);
  b.Add("s.t", 2);
  b.Add("", 0);  // ignored
  const SubstringSet set = std::move(b).Build();
  EXPECT_EQ(set.Smallest("x.ads.tracker.example"), 1u);
  EXPECT_EQ(set.Smallest("news.tracker.example"), 2u);  // "s.t" through a failure link
  EXPECT_EQ(set.Smallest("tracker"), 3u);
  EXPECT_EQ(set.Smallest("trackeR"), SubstringSet::kNone);
  EXPECT_EQ(set.Smallest(""), SubstringSet::kNone);
}

TEST(SubstringSetTest, EmptySetFindsNothing) {
  const SubstringSet set = SubstringSet::Builder().Build();
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.Smallest("anything"), SubstringSet::kNone);
}

// Needles that overlap, nest and share prefixes and suffixes, over a small alphabet, so
// failure links are exercised everywhere: every answer equals the plain search's.
TEST(SubstringSetTest, AgreesWithFindOnRandomNeedlesAndTexts) {
  std::mt19937 rng(7);
  const auto random_text = [&rng](size_t max) {
    std::string s(rng() % (max + 1), 'a');
    for (char& c : s) c = static_cast<char>('a' + rng() % 3);
    return s;
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<std::pair<std::string, uint32_t>> needles;
    SubstringSet::Builder b;
    for (int i = 0; i < 30; ++i) {
      needles.emplace_back(random_text(6), static_cast<uint32_t>(rng() % 50));
      b.Add(needles.back().first, needles.back().second);
    }
    const SubstringSet set = std::move(b).Build();
    for (int t = 0; t < 200; ++t) {
      const std::string text = random_text(40);
      ASSERT_EQ(set.Smallest(text), Reference(needles, text)) << "text " << text;
    }
  }
}

TEST(SubstringSetTest, MatchesBytesAboveAscii) {
  SubstringSet::Builder b;
  b.Add("\xC3\xA9t\xC3\xA9", 4);
  b.Add(std::string("\0\xFF", 2), 5);
  const SubstringSet set = std::move(b).Build();
  EXPECT_EQ(set.Smallest("l'\xC3\xA9t\xC3\xA9!"), 4u);
  EXPECT_EQ(set.Smallest(std::string("x\0\xFFy", 4)), 5u);
  EXPECT_EQ(set.Smallest("\xC3\xA9t"), SubstringSet::kNone);
}

}  // namespace
}  // namespace kizuna::detect
