// Kizuna.
#include "kizuna/store/sqlite/id_filter.h"

#include <gtest/gtest.h>

#include <random>

namespace kizuna::store::sqlite_internal {
namespace {

TEST(IdFilterTest, KnowsEveryAddedIdAndFewOthersAtCapacity) {
  constexpr size_t kIds = 100000;
  IdFilter filter(kIds);
  std::mt19937_64 random(7);
  std::vector<int64_t> added(kIds);
  for (int64_t& id : added) {
    id = static_cast<int64_t>(random());
    filter.Add(id);
  }
  for (int64_t id : added) ASSERT_TRUE(filter.MayContain(id)) << id;
  EXPECT_EQ(filter.size(), kIds);
  EXPECT_FALSE(filter.Full());
  int false_positives = 0;
  for (size_t i = 0; i < kIds; ++i)
    false_positives += filter.MayContain(static_cast<int64_t>(random()));
  // 10 bits an id in 512-bit blocks: about 1%.
  EXPECT_LT(false_positives, static_cast<int>(kIds / 50));
  EXPECT_GT(false_positives, 0);
  filter.Add(1);
  EXPECT_TRUE(filter.Full());
}

TEST(IdFilterTest, AnEmptyFilterHoldsNothing) {
  IdFilter filter;
  for (int64_t id : {int64_t{0}, int64_t{1}, int64_t{-1}, INT64_MIN, INT64_MAX})
    EXPECT_FALSE(filter.MayContain(id));
}

}  // namespace
}  // namespace kizuna::store::sqlite_internal
