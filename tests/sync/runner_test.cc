// Kizuna. The federation runner of `kizuna serve`: passes only while this process leads.
#include "kizuna/sync/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../store/store_test_util.h"

namespace kizuna::sync {
namespace {

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    store::Peer peer;
    peer.name = "usa";
    peer.url = "http://127.0.0.1:1";  // nothing listens: every pass fails and says so
    peer.api_root = "intel";
    peer.token = "secret";
    peer.nation = "USA";
    store::PeerMapping& m = peer.mappings.emplace_back();
    m.local_collection = db_->CreateCollection({"", "intel", "c", "C", "", 0})->id;
    m.remote_collection = "remote";
    ASSERT_TRUE(db_->AddPeer("cli", peer).ok());
    policy_ = std::make_unique<policy::Policy>(*db_, db_.get(), clock_);
  }
  // Whether a pass ran: the failed pass recorded its error on the mapping.
  bool PassRan() { return !db_->GetPeer("usa")->mappings[0].last_error.empty(); }
  // Waits up to 5 s for a pass.
  bool WaitForPass() {
    for (int i = 0; i < 500 && !PassRan(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return PassRan();
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<policy::Policy> policy_;
};

TEST_F(RunnerTest, ALeadingRunnerRunsPasses) {
  EXPECT_EQ(db_->LeadFederation().value_or(false), true) << "the one SQLite node leads";
  RunnerOptions options;
  options.poll_interval_us = 10'000;
  Runner runner(*db_, *policy_, clock_, options);
  runner.Start();
  EXPECT_TRUE(WaitForPass());
  runner.Stop();
}

// Issue 25: of the processes serving one database, only the leader runs federation; another
// asks again each period and runs passes once it leads.
TEST_F(RunnerTest, ARunnerThatDoesNotLeadRunsNoPassUntilItLeads) {
  std::atomic<bool> leads{false};
  std::atomic<int> asked{0};
  RunnerOptions options;
  options.poll_interval_us = 10'000;
  options.lead = [&]() -> absl::StatusOr<std::optional<int64_t>> {
    ++asked;
    if (!leads.load()) return std::nullopt;
    return int64_t{0};
  };
  Runner runner(*db_, *policy_, clock_, options);
  runner.Start();
  runner.Wake();
  for (int i = 0; i < 100 && asked.load() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(asked.load(), 5) << "it asks again each period";
  EXPECT_FALSE(PassRan()) << "no pass while another process leads";
  leads = true;  // the leader died: this process takes over
  EXPECT_TRUE(WaitForPass());
  runner.Stop();
}

TEST_F(RunnerTest, AStoreThatCannotSayWhoLeadsRunsNoPass) {
  std::atomic<int> asked{0};
  RunnerOptions options;
  options.poll_interval_us = 10'000;
  options.lead = [&]() -> absl::StatusOr<std::optional<int64_t>> {
    ++asked;
    return absl::UnavailableError("PostgreSQL is down");
  };
  Runner runner(*db_, *policy_, clock_, options);
  runner.Start();
  for (int i = 0; i < 100 && asked.load() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  runner.Stop();
  EXPECT_GE(asked.load(), 5);
  EXPECT_FALSE(PassRan());
}

}  // namespace
}  // namespace kizuna::sync
