// Kizuna. Scheduled feeds inside `kizuna serve`: each feed pulled every `every`, with backoff.
#pragma once

// FeedRunner owns a thread that looks at the node's feeds (FeedStore) every `poll_interval_us`
// and runs those that are due (feed_run.h), one after another:
//   - a feed is due `every_us` after its last run (at once when it never ran);
//   - after a failed run it is retried sooner, with exponential backoff: `min_backoff_us`
//     doubling with each consecutive failure, never later than its period;
// Feeds added or removed with `kizuna feed` are picked up on the next look. The schedule is
// kept in the store (last_run_us, failures), so a restarted node carries on where it was. Of
// the processes serving one database, only the one that leads federation
// (store::PeerStore::LeadFederation) runs feeds, so a feed is fetched once a period.
//
//   FeedRunner feeds(db, may_write, SystemClock());
//   feeds.Start();
//   ...
//   feeds.Stop();
//
// Thread-safety: Start and Stop from one thread.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/store/database.h"
#include "kizuna/sync/feed_run.h"

namespace kizuna::sync {

struct FeedRunnerOptions {
  // Time between looks at the feeds. Default 1 s: a feed starts within a second of being due.
  int64_t poll_interval_us = 1'000'000;
  // First retry after a failed run. Default 5 s, doubling up to the feed's period.
  int64_t min_backoff_us = 5'000'000;
  // Whether this process is to run feeds now, asked at each look. Null (the default): the
  // database's LeadFederation(). Tests stand in for another process with it.
  // Returns the lead's epoch (store::PeerStore::LeadFederationEpoch), nullopt while another
  // process leads.
  std::function<absl::StatusOr<std::optional<int64_t>>()> lead;
};

// When `feed` is next due (see above), in the clock's microseconds.
int64_t NextRunUs(const store::Feed& feed, int64_t min_backoff_us);

// The feeds' statistics for /metrics, in the Prometheus text format: per feed (label `feed`)
// kizuna_feed_runs_total, kizuna_feed_not_modified_total, kizuna_feed_objects_new_total,
// kizuna_feed_objects_updated_total, kizuna_feed_objects_rejected_total,
// kizuna_feed_failures (consecutive failed runs) and kizuna_feed_last_success_seconds.
std::string FeedMetricsText(const std::vector<store::Feed>& feeds);

class FeedRunner {
 public:
  // `db` and `clock` must outlive the runner.
  FeedRunner(store::Database& db, MayWrite may_write, Clock& clock, FeedRunnerOptions options = {});
  ~FeedRunner();
  FeedRunner(const FeedRunner&) = delete;
  FeedRunner& operator=(const FeedRunner&) = delete;

  void Start();
  // Finishes the run in progress (bounded by its feed's timeout) and joins the thread.
  void Stop();

 private:
  void Loop();
  void Pass();

  store::Database& db_;
  const MayWrite may_write_;
  Clock& clock_;
  const FeedRunnerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kizuna::sync
