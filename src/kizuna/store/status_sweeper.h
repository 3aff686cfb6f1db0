// Kizuna. Deleting expired TAXII status resources, in the background and in small batches.
#pragma once

// A status expires `retention_us` after its request (taxii::ServiceOptions::
// status_retention_us). Reads answer 404 for it at once (Store::GetStatus's not_before_us);
// StatusSweeper deletes it later, off the request path: every `interval_us` its thread
// deletes the expired statuses `batch` at a time (Store::DeleteStatusesBefore), each batch a
// short write transaction of its own, with a pause between batches, so a write waits for one
// batch at most, never for a whole sweep. A failed sweep is tried again at the next interval.
//
//   StatusSweeper sweeper(db, SystemClock(), {.retention_us = retention});
//   sweeper.Start();
//   ...
//   sweeper.Stop();  // also on destruction
//
// Thread-safety: Start and Stop from one thread; SweepOnce from any.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

struct StatusSweeperOptions {
  // How long statuses are kept after their request. Default 7 days.
  int64_t retention_us = int64_t{7} * 24 * 3600 * 1'000'000;
  // Time between sweeps. Default: SweepInterval(retention_us) for the default retention.
  int64_t interval_us = 60'000'000;
  // Statuses deleted per write transaction. Default 100: with statuses bounded to a few MB
  // (taxii::ServiceOptions::max_status_details) and typically tens of kB, a batch is a few
  // milliseconds of the store's writer.
  int64_t batch = 100;
  // Pause between two batches of one sweep, for the writes waiting on the store. Default 10 ms.
  int64_t pause_us = 10'000;
};

// The sweep interval for a retention: a tenth of it, at least 1 s and at most 60 s.
int64_t SweepInterval(int64_t retention_us);

class StatusSweeper {
 public:
  // `store` and `clock` must outlive the sweeper.
  StatusSweeper(Store& store, Clock& clock, StatusSweeperOptions options);
  ~StatusSweeper();
  StatusSweeper(const StatusSweeper&) = delete;
  StatusSweeper& operator=(const StatusSweeper&) = delete;

  // Starts the thread: a sweep at once, then one every interval.
  void Start();
  // Ends the sweep in progress after its current batch and joins the thread.
  void Stop();

  // Deletes every status expired at the clock's time, batch by batch. Returns how many it
  // deleted, or the store's error (what was deleted before it stays deleted).
  absl::StatusOr<int64_t> SweepOnce();

 private:
  void Loop();
  // Waits `us` microseconds or until Stop(). Returns false when stopping.
  bool Wait(int64_t us);

  Store& store_;
  Clock& clock_;
  const StatusSweeperOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace kizuna::store
