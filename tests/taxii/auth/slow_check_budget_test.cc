// Kizuna.
#include "kizuna/taxii/auth/slow_check_budget.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kStart = 1000 * kSecond;

TEST(SlowCheckBudgetTest, EachShareRefillsAtItsRateUpToItsBurst) {
  SlowCheckBudget budget({2, 3, 1, 1});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart));
  EXPECT_FALSE(budget.Take(SlowCheckLane::kClean, kStart));
  EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart + kSecond / 2));  // 2 per second
  EXPECT_FALSE(budget.Take(SlowCheckLane::kClean, kStart + kSecond / 2));
  // A long pause refills to the burst, not beyond.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart + 100 * kSecond));
  EXPECT_FALSE(budget.Take(SlowCheckLane::kClean, kStart + 100 * kSecond));
}

// Finding 4 of issue 16: a flood of wrong secrets must not spend what valid logins need.
TEST(SlowCheckBudgetTest, TheSuspectShareCannotSpendTheCleanOne) {
  SlowCheckBudget budget({1, 2, 1, 1});
  EXPECT_TRUE(budget.Take(SlowCheckLane::kSuspect, kStart));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(budget.Take(SlowCheckLane::kSuspect, kStart));
  EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart));
  EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart));
  EXPECT_FALSE(budget.Take(SlowCheckLane::kClean, kStart));
  EXPECT_TRUE(budget.Take(SlowCheckLane::kSuspect, kStart + kSecond));
}

TEST(SlowCheckBudgetTest, AClockStepBackTakesNothingExtra) {
  SlowCheckBudget budget({1, 1, 1, 1});
  EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart));
  EXPECT_FALSE(budget.Take(SlowCheckLane::kClean, kStart - 10 * kSecond));
  EXPECT_TRUE(budget.Take(SlowCheckLane::kClean, kStart + kSecond));
}

}  // namespace
}  // namespace kizuna::taxii
