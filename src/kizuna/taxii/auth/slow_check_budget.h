// Kizuna. A node-wide budget of slow token verifications (Argon2id), in two shares.
#pragma once

// Every first use of a token in a server process costs one Argon2id run (about 30 ms of a
// core, token.h). Per-client blocks stop one address from making the node run many; this
// budget stops many addresses together. It is a pair of token buckets:
//   kClean    attempts from a client with no recent failure, for a token id with no recent
//             wrong secret: the share that valid first logins draw on;
//   kSuspect  everything else: a small share, so that a flood of wrong secrets (which marks
//             its clients and token ids as failing) cannot spend the clean share.
// An attempt that finds its share spent is answered "busy, retry" (503), not as a failed
// login. Tokens verified before never come here (the authenticator's cache).
// Thread-safety: safe for concurrent use (one internal mutex).

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace kizuna::taxii {

struct SlowCheckLimits {
  // Clean share: verifications per second, and how many may come at once. Default 16/s with
  // bursts of 32: about half a core of Argon2 at most, while a restart that brings back a few
  // dozen clients at once verifies them all without waiting.
  double per_second = 16;
  double burst = 32;
  // Suspect share. Default 2/s, bursts of 4: a client that mistyped its token retries at once.
  double suspect_per_second = 2;
  double suspect_burst = 4;
};

enum class SlowCheckLane : uint8_t { kClean, kSuspect };

class SlowCheckBudget {
 public:
  explicit SlowCheckBudget(SlowCheckLimits limits);
  SlowCheckBudget(const SlowCheckBudget&) = delete;
  SlowCheckBudget& operator=(const SlowCheckBudget&) = delete;

  // Takes one verification from `lane`'s share at `now_us`. Returns false, taking nothing,
  // when the share is spent.
  bool Take(SlowCheckLane lane, int64_t now_us);

 private:
  struct Bucket {
    double per_us;
    double burst;
    double tokens;
    int64_t updated_us = 0;
  };
  static bool TakeFrom(Bucket& bucket, int64_t now_us);

  absl::Mutex mu_;
  Bucket clean_ ABSL_GUARDED_BY(mu_);
  Bucket suspect_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::taxii
