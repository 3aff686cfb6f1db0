// Kizuna. Which failed logins reach the audit log: the first of a client, then one a minute.
#pragma once

// A client that fails to authenticate again and again (a script with a revoked token, a
// scanner) must not write one audit event per request. The gate lets a client's first
// failure through, then at most one per `interval_us` (default a minute), carrying the number
// of failures it stands for (those held back since the client's last recorded failure, and
// itself); the node's metrics count every failure.
//
// Memory is bounded: at most `max_keys` clients are tracked. When the table is full, clients
// whose last recorded failure is older than the interval are dropped first (their next
// failure would be let through anyway); if none is, the eighth recorded longest ago are
// dropped, whose next failure is then let through as a first one. The held-back failures of a
// dropped client are not recorded (the metrics have them).
// Thread-safety: safe for concurrent use (one internal mutex, held for a hash lookup).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace kizuna::taxii {

struct FailureAuditLimits {
  int64_t interval_us = 60'000'000;  // at most one recorded failure per client this often
  size_t max_keys = 4096;            // clients tracked at once (about 80 bytes each)
};

class FailureAuditGate {
 public:
  explicit FailureAuditGate(FailureAuditLimits limits) : limits_(limits) {}
  FailureAuditGate(const FailureAuditGate&) = delete;
  FailureAuditGate& operator=(const FailureAuditGate&) = delete;

  // Counts a failure of client `key` at `now_us`. Returns how many failures to record now
  // (this one and those held back since the client's last recorded one), or 0 when this one
  // is held back.
  int64_t Admit(std::string_view key, int64_t now_us);

  // Clients tracked now.
  size_t Size();

 private:
  struct Entry {
    int64_t recorded_us = 0;  // when its last failure was let through
    int64_t held_back = 0;    // failures since then
  };
  // Makes room for one key: drops clients recorded over an interval ago, else the oldest eighth.
  void MakeRoom(int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const FailureAuditLimits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::taxii
