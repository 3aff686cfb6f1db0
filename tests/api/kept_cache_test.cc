// Kizuna.
#include "kizuna/api/kept_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::api {
namespace {

TEST(KeptCacheTest, OneUserAskingForManyKeysKeepsOnlyItsOwnNewest) {
  KeptCache<int> kept(/*per_owner=*/4, /*total=*/16);
  kept.Put("bob", "bob's", 1);
  for (int i = 0; i < 1000; ++i) kept.Put("mallory", "k" + std::to_string(i), i);
  ASSERT_NE(kept.Find("bob's"), nullptr) << "another user's values pushed out bob's";
  EXPECT_EQ(*kept.Find("bob's"), 1);
  EXPECT_EQ(kept.size(), 5u);
  for (int i = 996; i < 1000; ++i) EXPECT_NE(kept.Find("k" + std::to_string(i)), nullptr) << i;
  EXPECT_EQ(kept.Find("k995"), nullptr);
}

TEST(KeptCacheTest, AFullCacheDropsTheOldestOfAll) {
  KeptCache<int> kept(/*per_owner=*/2, /*total=*/4);
  kept.Put("a", "a1", 1);
  kept.Put("b", "b1", 2);
  kept.Put("c", "c1", 3);
  kept.Put("d", "d1", 4);
  kept.Put("e", "e1", 5);
  EXPECT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept.Find("a1"), nullptr);
  for (const char* k : {"b1", "c1", "d1", "e1"}) EXPECT_NE(kept.Find(k), nullptr) << k;
}

TEST(KeptCacheTest, PuttingAKeyAgainReplacesItAndCountsOnce) {
  KeptCache<int> kept(/*per_owner=*/2, /*total=*/8);
  kept.Put("a", "x", 1);
  kept.Put("a", "x", 2);
  kept.Put("a", "y", 3);
  EXPECT_EQ(kept.size(), 2u);
  EXPECT_EQ(*kept.Find("x"), 2);
  EXPECT_EQ(*kept.Find("y"), 3);
  kept.Put("b", "x", 4);  // another user's answer under the same key: now filed under b
  kept.Put("a", "z", 5);
  kept.Put("a", "w", 6);  // a holds y and z: y, its oldest, goes
  EXPECT_EQ(*kept.Find("x"), 4);
  EXPECT_EQ(kept.Find("y"), nullptr);
}

}  // namespace
}  // namespace kizuna::api
