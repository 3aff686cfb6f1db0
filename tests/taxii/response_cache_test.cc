// Kizuna.
#include "kizuna/taxii/response_cache.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

std::shared_ptr<const http::Response> Body(std::string body) {
  auto r = std::make_shared<http::Response>();
  r->body = std::move(body);
  return r;
}

TEST(ResponseCacheTest, ServesWhatWasKeptForTheSameStampAndAge) {
  ResponseCache cache({.max_bytes = 1 << 20, .max_age_us = 1000});
  ChangeStamp stamp{3, 4};
  cache.Put("a", stamp, 100, Body("page a"));
  ASSERT_NE(cache.Find("a", stamp, 100), nullptr);
  EXPECT_EQ(cache.Find("a", stamp, 1099)->body, "page a");
  EXPECT_EQ(cache.Find("a", stamp, 1100), nullptr) << "too old";
  EXPECT_EQ(cache.Find("a", stamp, 99), nullptr) << "the clock went back";
  EXPECT_EQ(cache.Find("b", stamp, 100), nullptr);
  EXPECT_EQ(cache.Find("a", {4, 4}, 100), nullptr) << "the store changed";
  EXPECT_EQ(cache.Find("a", {3, 5}, 100), nullptr) << "the directory changed";
}

TEST(ResponseCacheTest, ANewerStampEmptiesAnOlderOneIsNotKept) {
  ResponseCache cache({.max_bytes = 1 << 20, .max_age_us = 1000});
  cache.Put("a", {1, 1}, 0, Body("old"));
  cache.Put("b", {2, 1}, 0, Body("new"));
  EXPECT_EQ(cache.Find("a", {1, 1}, 0), nullptr);
  EXPECT_EQ(cache.Find("a", {2, 1}, 0), nullptr);
  EXPECT_EQ(cache.Find("b", {2, 1}, 0)->body, "new");
  // Built from state read before the last change: never kept.
  cache.Put("c", {1, 1}, 0, Body("stale"));
  EXPECT_EQ(cache.Find("c", {1, 1}, 0), nullptr);
  EXPECT_EQ(cache.Find("c", {2, 1}, 0), nullptr);
  // The same key again replaces the response.
  cache.Put("b", {2, 1}, 5, Body("newer"));
  EXPECT_EQ(cache.Find("b", {2, 1}, 5)->body, "newer");
}

TEST(ResponseCacheTest, StaysWithinItsBytes) {
  ResponseCache cache({.max_bytes = 400, .max_age_us = 1000});
  cache.Put("big", {}, 0, Body(std::string(101, 'x')));
  EXPECT_EQ(cache.Find("big", {}, 0), nullptr) << "over a quarter of the cache";
  for (int i = 0; i < 10; ++i) cache.Put(std::to_string(i), {}, 0, Body(std::string(90, 'x')));
  int kept = 0;
  for (int i = 0; i < 10; ++i) kept += cache.Find(std::to_string(i), {}, 0) != nullptr;
  EXPECT_GE(kept, 1);
  EXPECT_LE(kept, 4);
  EXPECT_NE(cache.Find("9", {}, 0), nullptr) << "the last one put is kept";
  ResponseCache off({.max_bytes = 0, .max_age_us = 1000});
  off.Put("a", {}, 0, Body(""));
  EXPECT_EQ(off.Find("a", {}, 0), nullptr);
}

}  // namespace
}  // namespace kizuna::taxii
