// Kizuna.
#include "kizuna/detect/lookup/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace kizuna::detect {
namespace {

TEST(HugePagesTest, LargeArraysAreAlignedToHugePagesAndKeepTheirContents) {
  HugeVector<uint64_t> big(kHugePageBytes / 8 * 3 + 5);  // 3 huge pages and a bit
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % kHugePageBytes, 0u);
  std::iota(big.begin(), big.end(), 1);
  big.push_back(0);  // grows: a new mapping, the old one unmapped
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % kHugePageBytes, 0u);
  EXPECT_EQ(big[0], 1u);
  EXPECT_EQ(big[big.size() - 2], big.size() - 1);
  EXPECT_EQ(big.back(), 0u);
  HugeVector<uint64_t> copy = big;
  EXPECT_EQ(copy, big);
}

TEST(HugePagesTest, SmallArraysWorkAsOrdinaryVectors) {
  HugeVector<char> small(1000, 'x');
  small.insert(small.end(), 3, 'y');
  EXPECT_EQ(small.size(), 1003u);
  EXPECT_EQ(small.back(), 'y');
  HugeVector<char> empty;
  EXPECT_EQ(empty.data(), nullptr);
}

}  // namespace
}  // namespace kizuna::detect
