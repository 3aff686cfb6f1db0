// Kizuna. Counting failed logins per key (client, token id) and blocking floods.
#pragma once

// A key that fails `max_failures` times within `window_us` is blocked for `block_us`. What a
// block means is the caller's choice (token_authenticator.h: a blocked client gets no slow
// verification; a blocked token id only draws on the small share of the slow-check budget).
// A key is clean while it has no failure within the window and no block.
//
// Memory is bounded: at most `max_keys` keys are tracked. When the table is full, idle keys
// are dropped first; if every key is still counting or blocked, the eighth of the keys whose
// last failure is oldest are dropped (they start afresh, clean). The table never fails
// closed: a flood of failures from very many keys evicts other keys of the flood, and never
// makes a key that has not failed look blocked.
// Thread-safety: safe for concurrent use (one internal mutex, held for a hash lookup; an
// eviction scans the table once every max_keys / 8 new keys).

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

  // Returns true unless `key` is blocked at `now_us`.
  bool Allowed(std::string_view key, int64_t now_us);

  // Returns true if `key` has no failure within the window and no block at `now_us`.
  bool Clean(std::string_view key, int64_t now_us);

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
    int64_t last_failure_us = 0;
    int64_t blocked_until_us = 0;
  };

  // True if `e` neither counts failures nor blocks at `now_us`.
  bool Idle(const Entry& e, int64_t now_us) const;
  // Makes room for one key: drops idle keys, else the oldest eighth.
  void MakeRoom(int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const FailureLimits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::taxii
