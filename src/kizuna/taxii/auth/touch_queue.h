// Kizuna. Tokens' last-used times, written by a thread of their own.
#pragma once

// A request with a cached token must not wait for the store's writer: writing last_used
// (once a minute per token) takes the store's write lock and an fsync, which a busy writer
// can delay for as long as its own writes take. TouchQueue keeps the latest time per token
// id and writes them from one background thread, best effort (a failed write is dropped; the
// next touch of the token writes again). At most `max_pending` ids wait; more are dropped.
//
//   TouchQueue touches(directory, 10'000);
//   touches.Touch(token_id, now_us);   // returns at once
//
// Thread-safety: Touch and Flush are safe from any thread. The destructor writes what is
// pending and joins the thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/store/directory.h"

namespace kizuna::taxii {

class TouchQueue {
 public:
  // `directory` must outlive the queue.
  TouchQueue(store::Directory& directory, size_t max_pending);
  ~TouchQueue();
  TouchQueue(const TouchQueue&) = delete;
  TouchQueue& operator=(const TouchQueue&) = delete;

  // Queues writing `used_us` as the last use of `token_id`; returns at once.
  void Touch(std::string_view token_id, int64_t used_us);

  // Returns once every touch queued before the call has been written (or dropped).
  void Flush();

 private:
  void Run();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !pending_.empty(); }
  bool Done() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pending_.empty() && !writing_; }

  store::Directory& directory_;
  const size_t max_pending_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started last, in the constructor
};

}  // namespace kizuna::taxii
