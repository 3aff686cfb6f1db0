// Kizuna. Noticing directory changes cheaply, for caches of principals and grants.
#pragma once

// A cache built from the directory stays valid while the directory's change version stays
// the same. Reading the version is one indexed read; ChangeWatch does it at most once per
// `interval_us` (and at once after a change made through the same Directory object), and
// otherwise answers from two atomics. So a change made by another process, such as
// `kizuna admin token revoke`, reaches the caches within `interval_us`.
// Thread-safety: safe for concurrent use.

#include <atomic>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/directory.h"

namespace kizuna::taxii {

class ChangeWatch {
 public:
  // `directory` and `clock` must outlive the watch.
  ChangeWatch(store::Directory& directory, Clock& clock, int64_t interval_us);
  ChangeWatch(const ChangeWatch&) = delete;
  ChangeWatch& operator=(const ChangeWatch&) = delete;

  // Returns an epoch number that increases whenever the directory is seen to have changed.
  // Returns the directory's error (e.g. Unavailable) when a due check fails; the next call
  // checks again.
  absl::StatusOr<uint64_t> Epoch();

 private:
  store::Directory& directory_;
  Clock& clock_;
  const int64_t interval_us_;
  std::atomic<int64_t> checked_us_{0};   // when the version was last read
  std::atomic<int64_t> seen_local_{-1};  // directory_.LocalChanges() at that time
  std::atomic<uint64_t> epoch_{0};
  absl::Mutex mu_;  // one checker at a time
  int64_t seen_version_ ABSL_GUARDED_BY(mu_) = -1;
};

}  // namespace kizuna::taxii
