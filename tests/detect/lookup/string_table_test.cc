// Kizuna.
#include "kizuna/detect/lookup/string_table.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kizuna::detect {
namespace {

// The builder sorts keys 8 bytes at a time: keys that tie on whole chunks, end inside or at
// the edge of one, hold zero bytes or are prefixes of each other must all keep their own
// indicators and flags.
TEST(StringTableTest, KeysTyingOnChunksKeepTheirIndicators) {
  std::vector<std::string> keys = {"", "a", "ab", std::string("ab\0", 3), std::string("ab\0\0", 4),
                                   "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh\0",
                                   "http://u1.example/p", "http://u1.example/q",
                                   "http://u1.example/p2", "http://u1.example/",
                                   "0123456789abcdef0123", "0123456789abcdef012"};
  for (int n = 0; n < 40; ++n) keys.push_back(std::string(static_cast<size_t>(n), 'x'));
  keys.push_back(std::string(17, '\0'));
  StringTable::Builder b;
  // key index k: indicator 2k exactly in slot 1, 2k+1 as a suffix in slot 1, and 7 exactly
  // in slot 2 for every third key; added in an order unlike the sorted one.
  std::map<std::pair<uint8_t, std::string>, std::set<std::pair<uint32_t, uint8_t>>> want;
  for (size_t i = keys.size(); i-- > 0;) {
    const uint32_t k = static_cast<uint32_t>(i);
    b.Add(1, keys[i], kExact, 2 * k);
    b.Add(1, keys[i], kSuffix, 2 * k + 1);
    want[{1, keys[i]}].insert({2 * k, kExact});
    want[{1, keys[i]}].insert({2 * k + 1, kSuffix});
    if (i % 3 == 0) {
      b.Add(2, keys[i], kExact, 7);
      b.Add(2, keys[i], kExact, 7);  // repeats collapse
      want[{2, keys[i]}].insert({7, kExact});
    }
  }
  IndicatorLists lists;
  const StringTable t = std::move(b).Build(0x1234, lists);
  EXPECT_EQ(t.size(), want.size());
  for (const auto& [key, expected] : want) {
    std::set<std::pair<uint32_t, uint8_t>> got;
    t.ForEach(key.first, key.second, t.Hash(key.first, key.second), [&](Payload p, uint8_t flags) {
      uint32_t one;
      for (uint32_t i : lists.Expand(p, one)) {
        if (flags & kExact) got.insert({i, kExact});
        if (flags & kSuffix) got.insert({i, kSuffix});
      }
    });
    EXPECT_EQ(got, expected) << "slot " << int{key.first} << " key of " << key.second.size() << " bytes";
  }
  EXPECT_EQ(t.ForEach(3, "a", t.Hash(3, "a"), [](Payload, uint8_t) {}), 0);
  EXPECT_EQ(t.ForEach(1, "abc", t.Hash(1, "abc"), [](Payload, uint8_t) {}), 0);
}

// One key wanted by the same indicators exactly and as a suffix is one record.
TEST(StringTableTest, SameIndicatorsForBothFlagsShareARecord) {
  StringTable::Builder b;
  b.Add(0, "evil.example", kExact | kSuffix, 3);
  b.Add(0, "evil.example", kExact, 4);
  b.Add(0, "evil.example", kSuffix, 4);
  IndicatorLists lists;
  const StringTable t = std::move(b).Build(1, lists);
  int records = 0;
  t.ForEach(0, "evil.example", t.Hash(0, "evil.example"), [&](Payload p, uint8_t flags) {
    ++records;
    EXPECT_EQ(flags & (kExact | kSuffix), kExact | kSuffix);
    uint32_t one;
    const std::span<const uint32_t> ids = lists.Expand(p, one);
    EXPECT_EQ(std::vector<uint32_t>(ids.begin(), ids.end()), (std::vector<uint32_t>{3, 4}));
  });
  EXPECT_EQ(records, 1);
}

}  // namespace
}  // namespace kizuna::detect
