// Kizuna.
#include "kizuna/store/status_sweeper.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store_test_util.h"

namespace kizuna::store {
namespace {

constexpr int64_t kStart = 1700000000000000;  // 2023-11-14, in microseconds
constexpr int64_t kHour = int64_t{3600} * 1'000'000;

class StatusSweeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  void Save(const std::string& id, int64_t requested_us) {
    ASSERT_TRUE(
        store_->SaveStatus({id, "root", "org", requested_us, 0, 0, 0, 0, "\"successes\":[]"}).ok());
  }
  bool Kept(const std::string& id) { return store_->GetStatus("root", id).ok(); }

  TempDir dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StatusSweeperTest, SweepOnceDeletesWhatExpiredInBatches) {
  for (int i = 0; i < 5; ++i) Save(StrCat("old-", i), kStart + i);
  Save("new", kStart + 2 * kHour);
  StatusSweeper sweeper(*store_, clock_,
                        {.retention_us = kHour, .interval_us = kHour, .batch = 2, .pause_us = 1});
  EXPECT_EQ(*sweeper.SweepOnce(), 0) << "nothing has expired yet";
  clock_.Advance(kHour + 10);
  EXPECT_EQ(*sweeper.SweepOnce(), 5) << "three batches: 2, 2 and 1";
  EXPECT_FALSE(Kept("old-4"));
  EXPECT_TRUE(Kept("new"));
  EXPECT_EQ(*sweeper.SweepOnce(), 0);
}

TEST_F(StatusSweeperTest, TheThreadSweepsAtOnceAndStops) {
  Save("old", kStart - 2 * kHour);
  Save("new", kStart);
  StatusSweeper sweeper(*store_, clock_, {.retention_us = kHour, .interval_us = kHour});
  sweeper.Start();
  for (int i = 0; i < 1000 && Kept("old"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  sweeper.Stop();  // returns although the next sweep is an hour away
  EXPECT_FALSE(Kept("old"));
  EXPECT_TRUE(Kept("new"));
}

TEST(SweepIntervalTest, ATenthOfTheRetentionWithinOneSecondAndOneMinute) {
  EXPECT_EQ(SweepInterval(int64_t{7} * 24 * kHour), 60'000'000);
  EXPECT_EQ(SweepInterval(100'000'000), 10'000'000);
  EXPECT_EQ(SweepInterval(1'000'000), 1'000'000);
}

}  // namespace
}  // namespace kizuna::store
