// Kizuna. Catching the search index up with the entries, in the background and in batches.
#pragma once

// A node runs one: every `interval_us` its thread asks whether the index is behind its
// cursor (SearchIndex::GetIndexHead, one node_state read) and, while it is, indexes the
// entries after the cursor `batch` at a time (SearchIndex::CatchUpIndex), each batch a write
// transaction of its own that advances the cursor with the rows it writes, with a pause
// between batches: a TAXII write waits for one batch at most. Entries left behind by another
// process (`kizuna import` defers its indexing) are caught up the same way. A stale index
// (FailedPrecondition) is left for `kizuna index rebuild`; other failures are tried again at
// the next interval.
//
//   IndexFollower follower(db, {});
//   follower.Start();
//   ...
//   follower.Stop();  // also on destruction
//
// Thread-safety: Start and Stop from one thread; CatchUpOnce from any.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "kizuna/store/search_index.h"

namespace kizuna::store {

struct IndexFollowerOptions {
  // Time between two looks at the cursor. Default 1 s.
  int64_t interval_us = 1'000'000;
  // Entries per write transaction. Default 2,000: about 22 ms of the writer's CPU at the catch-up's
  // rate (bench/README.md), so a TAXII write waits for one batch at most that long.
  size_t batch = 2'000;
  // Pause between two batches, for the writes waiting on the store. Default 10 ms.
  int64_t pause_us = 10'000;
  // Called on the follower's thread when a catch-up fails, once per error in a row (an error
  // that differs from the last one, or any after a success): the node says it on stderr, so
  // an index that stays stale or behind is not silent. Default: nothing.
  std::function<void(const absl::Status&)> on_error;
};

class IndexFollower {
 public:
  // `index` must outlive the follower.
  IndexFollower(SearchIndex& index, IndexFollowerOptions options);
  ~IndexFollower();
  IndexFollower(const IndexFollower&) = delete;
  IndexFollower& operator=(const IndexFollower&) = delete;

  // Starts the thread: a look at once, then one every interval.
  void Start();
  // Ends the catch-up in progress after its current batch and joins the thread.
  void Stop();

  // Indexes every entry behind the cursor, batch by batch. Returns how many it indexed, or
  // the store's error (what was indexed before it stays indexed).
  absl::StatusOr<int64_t> CatchUpOnce();

 private:
  void Loop();
  // Waits `us` microseconds or until Stop(). Returns false when stopping.
  bool Wait(int64_t us);

  SearchIndex& index_;
  const IndexFollowerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace kizuna::store
