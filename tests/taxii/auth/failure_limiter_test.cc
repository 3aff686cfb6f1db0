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

TEST(FailureLimiterTest, CleanMeansNoRecentFailureAndNoBlock) {
  FailureLimiter limiter(kLimits);
  int64_t t = 1000 * kSecond;
  EXPECT_TRUE(limiter.Clean("k", t));
  limiter.RecordFailure("k", t);
  EXPECT_FALSE(limiter.Clean("k", t));
  EXPECT_TRUE(limiter.Allowed("k", t));
  EXPECT_TRUE(limiter.Clean("k", t + 60 * kSecond));  // the failure left the window
  limiter.RecordFailure("k", t + 60 * kSecond);
  limiter.RecordFailure("k", t + 60 * kSecond);
  limiter.RecordFailure("k", t + 60 * kSecond);  // a block of 30 s
  EXPECT_FALSE(limiter.Clean("k", t + 89 * kSecond));
  EXPECT_TRUE(limiter.Clean("k", t + 90 * kSecond));
}

// Finding 4 of issue 16: a table full of a flood's keys made every new key look blocked, so
// valid tokens were refused for a minute.
TEST(FailureLimiterTest, AFullTableEvictsTheOldestInsteadOfFailingClosed) {
  FailureLimiter limiter(kLimits);
  int64_t t = 1000 * kSecond;
  for (int i = 0; i < 10; ++i) {
    for (int f = 0; f < 3; ++f) limiter.RecordFailure(StrCat("k", i), t + i);  // each one blocked
  }
  EXPECT_LE(limiter.Size(), 4u);
  EXPECT_TRUE(limiter.Allowed("new", t + 10));  // a key that never failed is never blocked
  EXPECT_TRUE(limiter.Clean("new", t + 10));
  EXPECT_FALSE(limiter.Allowed("k9", t + 10));  // the latest keys are still tracked
  EXPECT_TRUE(limiter.Allowed("k0", t + 10));   // the oldest were forgotten
  // Idle keys make room before active ones are dropped.
  FailureLimiter second(kLimits);
  second.RecordFailure("old", t);
  for (int i = 0; i < 3; ++i) second.RecordFailure(StrCat("active", i), t + 100 * kSecond);
  second.RecordFailure("newest", t + 100 * kSecond);
  EXPECT_EQ(second.Size(), 4u);
  EXPECT_TRUE(second.Clean("old", t + 100 * kSecond));
  EXPECT_FALSE(second.Clean("active0", t + 100 * kSecond));
}

}  // namespace
}  // namespace kizuna::taxii
