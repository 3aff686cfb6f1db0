// Kizuna.
#include "kizuna/detect/lookup/int_table.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <set>
#include <string>

#include "kizuna/detect/lookup/string_table.h"

namespace kizuna::detect {
namespace {

// Tables are sized a power of two, at least 16 buckets: at load <= 0.5 up to kSmallTableKeys
// keys (most lookups miss, and a miss walks to the next empty bucket), at load <= 0.8 beyond
// (the memory budget of a million indicators); never more than twice what that needs.
TEST(TableBucketsTest, PowerOfTwoAtLoadAtMostHalfWhileSmall) {
  for (size_t keys : {0, 1, 7, 8, 9, 100, 1000, 5000, 65536, 65537, 100000, 1 << 20}) {
    const size_t n = TableBuckets(keys);
    EXPECT_TRUE(std::has_single_bit(n)) << keys;
    EXPECT_GE(n, 16u) << keys;
    const size_t least = keys <= kSmallTableKeys ? 2 * keys : keys + keys / 4;
    EXPECT_GE(n, least) << keys;
    if (n > 16) {
      EXPECT_LT(n, 2 * least) << keys;
    }
  }
  EXPECT_EQ(TableBuckets(65536), size_t{1} << 17);
  EXPECT_EQ(TableBuckets(100000), size_t{1} << 17);  // 125,000 at load 0.8
  EXPECT_EQ(TableBuckets(1 << 20), size_t{1} << 21);
}

// Against a std::set: every key found with its indicator, every other value missed, and the
// buckets at the size TableBuckets gives.
TEST(IntTableTest, FindsItsKeysAndMissesTheRestAtLoadAtMostHalf) {
  std::mt19937_64 rng(26);
  for (size_t count : {0, 1, 100, 5000}) {
    std::set<uint32_t> keys;
    while (keys.size() < count) keys.insert(static_cast<uint32_t>(rng()));
    IndicatorLists lists;
    IntTable<uint32_t>::Builder b;
    uint32_t indicator = 0;
    for (uint32_t k : keys) b.Add(k, indicator++);
    const IntTable<uint32_t> t = std::move(b).Build(rng(), lists);
    EXPECT_EQ(t.size(), count);
    EXPECT_EQ(t.bytes(), TableBuckets(count) * 8);
    indicator = 0;
    for (uint32_t k : keys) {
      const Payload* p = t.Find(k, t.Hash(k));
      ASSERT_NE(p, nullptr) << k;
      uint32_t one;
      const auto ids = lists.Expand(*p, one);
      ASSERT_EQ(ids.size(), 1u);
      EXPECT_EQ(ids[0], indicator++);
    }
    for (int i = 0; i < 20000; ++i) {
      const uint32_t k = static_cast<uint32_t>(rng());
      if (!keys.contains(k)) {
        EXPECT_EQ(t.Find(k, t.Hash(k)), nullptr) << k;
      }
    }
  }
}

TEST(StringTableTest, BucketsAtLoadAtMostHalf) {
  StringTable::Builder b;
  for (uint32_t i = 0; i < 3000; ++i) b.Add(1, "k" + std::to_string(i) + ".example", kExact, i);
  IndicatorLists lists;
  const StringTable t = std::move(b).Build(7, lists);
  EXPECT_EQ(t.size(), 3000u);
  // The bytes are the buckets (8 each) and the records (an 8-byte header and the key each).
  size_t records = 0;
  for (uint32_t i = 0; i < 3000; ++i) records += 8 + ("k" + std::to_string(i) + ".example").size();
  EXPECT_GE(t.bytes(), TableBuckets(3000) * 8 + records);
  EXPECT_LT(t.bytes(), TableBuckets(3000) * 8 + records + records / 2);
}

}  // namespace
}  // namespace kizuna::detect
