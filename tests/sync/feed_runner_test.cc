// Kizuna. The scheduled feeds of `kizuna serve`: run only while this process leads federation.
#include "kizuna/sync/feed_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../store/store_test_util.h"

namespace kizuna::sync {
namespace {

class FeedRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    store::Feed feed;
    feed.name = "list";
    feed.url = "http://127.0.0.1:1/list.txt";  // every run fails, and is recorded
    feed.collection = db_->CreateCollection({"", "intel", "c", "C", "", 0})->id;
    feed.as_user = "feeder";
    ASSERT_TRUE(store::FeedsOf(*db_).AddFeed("cli", feed).ok());
  }
  int64_t Runs() { return store::FeedsOf(*db_).GetFeed("list")->runs; }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> db_;
  MayWrite may_write_ = [](const identity::Principal&, std::string_view) -> absl::StatusOr<bool> {
    return true;
  };
};

// Issue 25: only the process that leads federation runs the feeds, so each is fetched once a
// period whatever the number of nodes on the database.
TEST_F(FeedRunnerTest, FeedsRunOnlyWhileThisProcessLeads) {
  std::atomic<bool> leads{false};
  std::atomic<int> asked{0};
  FeedRunnerOptions options;
  options.poll_interval_us = 10'000;
  options.lead = [&]() -> absl::StatusOr<std::optional<int64_t>> {
    ++asked;
    if (!leads.load()) return std::nullopt;
    return int64_t{0};
  };
  FeedRunner runner(*db_, may_write_, clock_, options);
  runner.Start();
  for (int i = 0; i < 100 && asked.load() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(asked.load(), 5) << "it asks at each look";
  EXPECT_EQ(Runs(), 0) << "no run while another process leads";
  leads = true;
  for (int i = 0; i < 500 && Runs() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  runner.Stop();
  EXPECT_EQ(Runs(), 1) << "the due feed ran once (the clock stands still: not due again)";
}

}  // namespace
}  // namespace kizuna::sync
