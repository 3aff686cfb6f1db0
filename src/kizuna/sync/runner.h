// Kizuna. Federation inside `kizuna serve`: sync passes on every commit and every half second.
#pragma once

// Runner owns a thread that runs Syncer passes peer by peer:
//   - at once when the store commits new entries (Store::SetCommitListener), so a version
//     written here is pushed within a second;
//   - every `poll_interval_us` (0.5 s) otherwise, which pulls what partners published and pushes
//     what other processes (`kizuna import`) wrote;
//   - a peer whose pass failed is retried with exponential backoff, from `min_backoff_us`
//     doubling up to `max_backoff_us`, and catches up from its cursors when it returns.
// Peers added or removed with `kizuna peer` are picked up on the next pass. Of the processes
// serving one database (several nodes on one PostgreSQL database), only the one that leads
// (store::PeerStore::LeadFederation) runs passes; the others ask again at each period and
// take over when the leader dies.
//
//   Runner runner(db, policy, SystemClock());   // the node's one policy::Policy
//   runner.Start();   // installs the commit listener; before the store is shared
//   ...
//   runner.Stop();
//
// Thread-safety: Start and Stop from one thread; Wake from any.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/database.h"
#include "kizuna/sync/syncer.h"

namespace kizuna::sync {

struct RunnerOptions {
  // Time between passes without commits. Default 0.5 s: partners' objects are pulled within
  // a second even when a pass takes a few hundred milliseconds; an idle node makes two small
  // queries per pull mapping per second.
  int64_t poll_interval_us = 500'000;
  // Backoff of a failing peer. Defaults 1 s doubling up to 60 s.
  int64_t min_backoff_us = 1'000'000;
  int64_t max_backoff_us = 60'000'000;
  SyncOptions sync;
  // Whether this process is to run passes now, asked before each pass. Null (the default):
  // the database's LeadFederation(). Tests stand in for another process with it.
  // Returns the lead's epoch (store::PeerStore::LeadFederationEpoch), nullopt while another
  // process leads.
  std::function<absl::StatusOr<std::optional<int64_t>>()> lead;
};

class Runner {
 public:
  // `db`, `policy` (what pushes release, syncer.h) and `clock` must outlive the runner.
  Runner(store::Database& db, policy::Policy& policy, Clock& clock, RunnerOptions options = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Installs the commit listener and starts the thread.
  void Start();
  // Finishes the pass in progress and joins the thread.
  void Stop();
  // Asks for a pass as soon as possible.
  void Wake();

 private:
  void Loop();
  void Pass();

  store::Database& db_;
  Clock& clock_;
  const RunnerOptions options_;
  Syncer syncer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
  std::thread thread_;
  struct Backoff {
    int failures = 0;
    int64_t retry_at_us = 0;
  };
  std::map<std::string, Backoff> backoff_;  // by peer name; used by the thread only
};

}  // namespace kizuna::sync
