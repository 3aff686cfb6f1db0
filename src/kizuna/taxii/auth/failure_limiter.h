// Kizuna. Counting failed logins per key (token id, client address) and blocking floods.
#pragma once

// A key that fails `max_failures` times within `window_us` is blocked for `block_us`: while
// blocked, the authenticator refuses its attempts without running the slow hash, so nobody
// can make the node spend its CPU on Argon2 (a cached, already verified token still works).
// Memory is bounded: at most `max_keys` keys are tracked. When the table is full of keys
// that are all still counting or blocked, new keys are treated as blocked ("fail closed"):
// during a flood from very many addresses, only cached tokens get in.
// Thread-safety: safe for concurrent use (one internal mutex, held for a hash lookup).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace kizuna::taxii {

struct FailureLimits {
  int max_failures = 5;            // failures within the window that start a block
  int64_t window_us = 60'000'000;  // how long failures are remembered
  int64_t block_us = 60'000'000;   // how long a block lasts
  size_t max_keys = 4096;          // keys tracked at once (about 100 bytes each)
};

class FailureLimiter {
 public:
  explicit FailureLimiter(FailureLimits limits) : limits_(limits) {}
  FailureLimiter(const FailureLimiter&) = delete;
  FailureLimiter& operator=(const FailureLimiter&) = delete;

  // Returns true if `key` may try a slow verification at `now_us`.
  bool Allowed(std::string_view key, int64_t now_us);

  // Counts a failure of `key`. Returns true if this failure started a block.
  bool RecordFailure(std::string_view key, int64_t now_us);

  // Forgets the failures of `key` after it authenticated at `now_us`; a block in force
  // stays until it ends.
  void RecordSuccess(std::string_view key, int64_t now_us);

  // Keys tracked now.
  size_t Size();

 private:
  struct Entry {
    int failures = 0;
    int64_t window_start_us = 0;
    int64_t blocked_until_us = 0;
  };

  // True if `e` neither counts failures nor blocks at `now_us`.
  bool Idle(const Entry& e, int64_t now_us) const;
  // Makes room for one key by dropping idle ones; false if every key is still active.
  bool MakeRoom(int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const FailureLimits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::taxii
