// Kizuna. The Authenticator of Kizuna API tokens, with a cache and failure limits.
#pragma once

// TokenAuthenticator turns an Authorization header (Bearer <token>, or Basic with the
// token's user and the token as password) into the principal of the token's user.
//
// Cost: the first request with a token runs Argon2id once (token.h); the verification is
// then remembered, keyed by token id and compared by SHA-256 of the presented secret, so
// later requests cost a hash, a table lookup and a copy of the principal.
// Freshness: expiry is checked against the clock on every request. Revocation, disabled
// users, role, organisation and group changes are seen when the directory's change version
// moves: at once for changes made through the same Directory object, and within
// `refresh_interval_us` (default 1 s) for changes made by another process (`kizuna admin`).
// A changed version re-reads the token's rows (indexed reads) but does not re-run Argon2.
// Failures: every failure gives the same Unauthenticated message, whatever went wrong; the
// reason goes to the audit log ("auth.fail"). Failures are counted per token id and per
// client address (failure_limiter.h); a blocked id or address gets no slow verification
// until the block ends, and unknown token ids never cost a slow hash.
//
//   TokenAuthenticator auth(db->directory(), SystemClock());
//   absl::StatusOr<policy::Principal> who = auth.Authenticate(header, "198.51.100.7");
//
// Thread-safety: safe for concurrent use by every server thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/digest.h"
#include "kizuna/store/directory.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/auth/authorization.h"
#include "kizuna/taxii/auth/change_watch.h"
#include "kizuna/taxii/auth/failure_limiter.h"

namespace kizuna::taxii {

struct AuthenticatorOptions {
  // Longest a change made by another process takes to be seen. Default 1 s: one indexed read
  // per second; 0 reads the version on every request.
  int64_t refresh_interval_us = 1'000'000;
  // A token's last-used time is written at most this often (default once a minute), so
  // requests do not each cost a database write.
  int64_t touch_interval_us = 60'000'000;
  // Verified tokens remembered (default 10,000, a few hundred bytes each); when full, an
  // arbitrary entry is dropped and its next request pays Argon2 again.
  size_t max_cached_tokens = 10'000;
  // Failures per token id: 5 in a minute block that id's slow verifications for a minute.
  FailureLimits per_token = {5, 60'000'000, 60'000'000, 4096};
  // Failures per client address: 20 in a minute block that address for a minute.
  FailureLimits per_remote = {20, 60'000'000, 60'000'000, 4096};
  // Failed-login audit events written per minute at most (default 600); beyond it failures
  // are counted and the count goes into the next event written, so a flood cannot turn into
  // a flood of synchronous database writes.
  int max_failure_audits_per_minute = 600;
};

class TokenAuthenticator : public Authenticator {
 public:
  // `directory` and `clock` must outlive the authenticator.
  TokenAuthenticator(store::Directory& directory, Clock& clock, AuthenticatorOptions options = {});
  TokenAuthenticator(const TokenAuthenticator&) = delete;
  TokenAuthenticator& operator=(const TokenAuthenticator&) = delete;

  // See Authenticator. Also returns the directory's error (e.g. Unavailable) when the
  // directory cannot be read: that is no authentication failure and is not audited.
  absl::StatusOr<policy::Principal> Authenticate(std::string_view authorization,
                                                 std::string_view remote) override;

  // The message of every authentication failure.
  static constexpr std::string_view kFailureMessage =
      "authentication failed: send a valid Kizuna API token as 'Authorization: Bearer <token>'"
      " or as the password of Basic authentication with its user name";

 private:
  struct Entry {
    Sha256Digest secret_digest;
    policy::Principal principal;
    std::optional<int64_t> expires_us;
    uint64_t epoch = 0;
    int64_t touched_us = 0;  // when last_used was last written (or found written)
  };
  enum class CacheState : uint8_t { kMiss, kStale, kFresh };
  struct Attempt {
    const Credentials& credentials;
    std::string_view token_id;
    std::string_view secret;
    std::string_view remote;
    int64_t now_us;
    uint64_t epoch;
  };

  // Copies the cached principal of a fresh entry matching `digest` into `out`; sets `touch`
  // when its last-used time is due.
  CacheState Lookup(const Attempt& a, const Sha256Digest& digest, std::optional<Entry>& out,
                    bool& touch);
  // Authenticates from the directory: rows, then Argon2 unless `verified`.
  absl::StatusOr<policy::Principal> Verify(const Attempt& a, const Sha256Digest& digest,
                                           bool verified);
  void Remember(std::string_view token_id, Entry entry);
  void Forget(std::string_view token_id);
  struct Failure {
    std::string_view remote;
    std::string_view user;      // as tried with Basic; empty for Bearer
    std::string_view token_id;  // when the token text could be read
    std::string_view reason;    // for the audit log only
    bool count = true;          // counts towards the client address's failure limit
    bool count_token = true;    // also towards the token id's (only ids that exist)
  };
  static Failure FailureOf(const Attempt& a, std::string_view reason) {
    return {a.remote, a.credentials.user, a.token_id, reason};
  }
  // Counts and audits a failure; returns the Unauthenticated status every failure gets.
  absl::Status Fail(const Failure& f, int64_t now_us);
  void AuditFailure(const Failure& f, bool blocked, int64_t now_us);

  store::Directory& directory_;
  Clock& clock_;
  const AuthenticatorOptions options_;
  ChangeWatch watch_;
  FailureLimiter per_token_;
  FailureLimiter per_remote_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
  absl::Mutex audit_mu_;
  int64_t audit_window_us_ ABSL_GUARDED_BY(audit_mu_) = 0;
  int audits_in_window_ ABSL_GUARDED_BY(audit_mu_) = 0;
  int64_t unrecorded_failures_ ABSL_GUARDED_BY(audit_mu_) = 0;
};

}  // namespace kizuna::taxii
