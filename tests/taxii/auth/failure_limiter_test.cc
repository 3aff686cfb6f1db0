// Kizuna.
#include "kizuna/taxii/auth/failure_limiter.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr FailureLimits kLimits = {3, 60 * kSecond, 30 * kSecond, 4};

TEST(FailureLimiterTest, BlocksAfterTooManyFailuresInTheWindow) {
  FailureLimiter limiter(kLimits);
  int64_t t = 1000 * kSecond;
  EXPECT_TRUE(limiter.Allowed("k", t));
  EXPECT_FALSE(limiter.RecordFailure("k", t));
  EXPECT_FALSE(limiter.RecordFailure("k", t + kSecond));
  EXPECT_TRUE(limiter.Allowed("k", t + kSecond));
  EXPECT_TRUE(limiter.RecordFailure("k", t + 2 * kSecond));  // the third starts a block
  EXPECT_FALSE(limiter.Allowed("k", t + 2 * kSecond));
  EXPECT_TRUE(limiter.Allowed("other", t + 2 * kSecond));
  EXPECT_FALSE(limiter.Allowed("k", t + 31 * kSecond));
  EXPECT_TRUE(limiter.Allowed("k", t + 32 * kSecond));  // the block lasted 30 s
}

TEST(FailureLimiterTest, OldFailuresAreForgotten) {
  FailureLimiter limiter(kLimits);
  int64_t t = 1000 * kSecond;
  limiter.RecordFailure("k", t);
  limiter.RecordFailure("k", t + kSecond);
  EXPECT_FALSE(limiter.RecordFailure("k", t + 61 * kSecond));  // a new window
  EXPECT_TRUE(limiter.Allowed("k", t + 61 * kSecond));
}

TEST(FailureLimiterTest, SuccessForgetsFailuresButNotABlock) {
  FailureLimiter limiter(kLimits);
  int64_t t = 1000 * kSecond;
  limiter.RecordFailure("k", t);
  limiter.RecordFailure("k", t);
  limiter.RecordSuccess("k", t);
  EXPECT_FALSE(limiter.RecordFailure("k", t));
  EXPECT_FALSE(limiter.RecordFailure("k", t));
  EXPECT_TRUE(limiter.RecordFailure("k", t));
  limiter.RecordSuccess("k", t);
  EXPECT_FALSE(limiter.Allowed("k", t + kSecond));
}

TEST(FailureLimiterTest, MemoryIsBoundedAndAFullTableFailsClosed) {
  FailureLimiter limiter(kLimits);
  int64_t t = 1000 * kSecond;
  for (int i = 0; i < 10; ++i) limiter.RecordFailure(StrCat("k", i), t);
  EXPECT_EQ(limiter.Size(), 4u);
  EXPECT_FALSE(limiter.Allowed("new", t));  // every tracked key is still counting
  EXPECT_TRUE(limiter.Allowed("k0", t));    // tracked keys are judged on their own
  // Once the tracked keys go idle they make room.
  EXPECT_TRUE(limiter.Allowed("new", t + 61 * kSecond));
  EXPECT_FALSE(limiter.RecordFailure("new", t + 61 * kSecond));
  EXPECT_LE(limiter.Size(), 4u);
}

}  // namespace
}  // namespace kizuna::taxii
