// Kizuna. The Authenticator of Kizuna API tokens, with a cache and failure limits.
#pragma once

// TokenAuthenticator turns an Authorization header (Bearer <token>, or Basic with the
// token's user and the token as password) into the principal of the token's user, and a
// verified client certificate into the principal of the user it is mapped to.
//
// Cost: the first request with a token runs Argon2id once (token.h); the verification is
// then remembered, keyed by token id and compared by SHA-256 of the presented secret, so
// later requests cost a hash, a table lookup and a copy of the principal.
// Freshness: expiry is checked against the clock on every request. Revocation, disabled
// users, role, organisation and group changes are seen when the directory's change version
// moves: at once for changes made through the same Directory object, and within
// `refresh_interval_us` (default 1 s) for changes made by another process (`kizuna admin`).
// A changed version re-reads the token's rows (indexed reads) but does not re-run Argon2.
// Failures: every failure gives the same Unauthenticated message, whatever went wrong. A
// request without an Authorization header (a browser, a probe) is only counted
// (kizuna_auth_unauthenticated_total in /metrics): it costs nothing and proves nothing. Other
// failures are counted by reason (kizuna_auth_failures_total) and go to the audit log
// ("auth.fail" with the reason): a client address's first failure, then at most one event a
// minute per address carrying the count (failure_audit_gate.h), and at most
// `max_failure_audits_per_minute` events node-wide.
//
// Failed logins and the slow hash. A token's secret has 256 random bits, so limits are not
// there against guessing but against two floods: one that makes the node spend its cores on
// Argon2, and one that makes it refuse valid tokens. The design:
//   - Failures are counted per client (client_key.h: the IPv4 address, or the IPv6 /64; never
//     per TCP connection) and per existing token id (failure_limiter.h).
//   - A blocked client (20 failures in a minute, by default) gets no directory read and no
//     slow hash until its block ends; its attempts fail at once. Other clients are unaffected.
//   - Argon2 runs only for a token id that exists, is neither revoked nor expired, and is not
//     yet verified in this process: unknown ids, and wrong secrets for an id verified before
//     (its cached digest differs), fail without it.
//   - Every Argon2 run draws on a node-wide budget (slow_check_budget.h). Attempts from a
//     clean client for a clean token id (no recent failures) draw on the large share; the
//     rest on a small one. A flood of wrong secrets marks its clients and ids, so it spends
//     only the small share; a spent share answers Unavailable ("retry"), never a failure.
//   - Failure tables are bounded and never fail closed: when full they evict (oldest
//     activity first), so no flood can make the node refuse a client or token that did not
//     fail.
// What is not stopped: a client behind the same address (NAT) as a flooding one shares its
// block; the owner of a token id that others are flooding with wrong secrets, if the token
// was not yet used since the node started, draws on the small share and may be asked to
// retry (503) until the flood stops.
//
//   TokenAuthenticator auth(db->directory(), SystemClock());
//   absl::StatusOr<identity::Principal> who = auth.Authenticate(header, "198.51.100.7");
//
// Thread-safety: safe for concurrent use by every server thread.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
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
#include "kizuna/taxii/auth/failure_audit_gate.h"
#include "kizuna/taxii/auth/failure_limiter.h"
#include "kizuna/taxii/auth/slow_check_budget.h"
#include "kizuna/taxii/auth/touch_queue.h"

namespace kizuna::taxii {

struct AuthenticatorOptions {
  // Longest a change made by another process takes to be seen. Default 1 s: one indexed read
  // per second; 0 reads the version on every request.
  int64_t refresh_interval_us = 1'000'000;
  // A token's last-used time is written at most this often (default once a minute), so
  // requests do not each cost a database write.
  int64_t touch_interval_us = 60'000'000;
  // Whether that write is left to a background thread (touch_queue.h), so that no request
  // waits for the store's writer (default); false writes it in the request, as tests like.
  bool touch_in_background = true;
  // Verified tokens remembered (default 10,000, a few hundred bytes each); when full, an
  // arbitrary entry is dropped and its next request pays Argon2 again.
  size_t max_cached_tokens = 10'000;
  // Failures per client (address, or IPv6 /64): 20 in a minute block that client's
  // uncached logins for a minute. At most 4,096 clients are tracked (about 100 bytes each).
  FailureLimits per_client = {20, 60'000'000, 60'000'000, 4096};
  // Wrong secrets (or a wrong Basic user) per existing token id: 3 in a minute mark the id as
  // suspect for a minute, so its slow verifications draw on the small share of
  // `slow_checks`. This never refuses the id.
  FailureLimits per_token = {3, 60'000'000, 60'000'000, 4096};
  // Argon2 verifications per second, node-wide (slow_check_budget.h).
  SlowCheckLimits slow_checks;
  // Failed-login audit events per client: its first failure, then one a minute with the count
  // (4,096 clients tracked).
  FailureAuditLimits failure_audits;
  // Failed-login audit events written per minute at most, node-wide (default 600); beyond it
  // failures are counted and the count goes into the next event written, so a flood from
  // many addresses cannot turn into a flood of synchronous database writes.
  int max_failure_audits_per_minute = 600;
};

class TokenAuthenticator : public Authenticator {
 public:
  // `directory` and `clock` must outlive the authenticator.
  TokenAuthenticator(store::Directory& directory, Clock& clock, AuthenticatorOptions options = {});
  TokenAuthenticator(const TokenAuthenticator&) = delete;
  TokenAuthenticator& operator=(const TokenAuthenticator&) = delete;

  // See Authenticator. Also returns Unavailable (kBusyMessage) when the token needs a slow
  // verification and the budget's share is spent, and the directory's error (e.g.
  // Unavailable) when the directory cannot be read: neither is an authentication failure,
  // and neither is audited or counted.
  absl::StatusOr<identity::Principal> Authenticate(std::string_view authorization,
                                                 std::string_view remote) override;
  // See Authenticator: one indexed directory read per request (no cache, so a removed
  // mapping or a disabled user takes effect at once). A certificate that maps to no user is a
  // failure like an unknown token (counted, audited as "auth.fail" with the fingerprint as
  // target), but is not held against the client's limit: the CA vouched for it.
  absl::StatusOr<identity::Principal> AuthenticateCertificate(std::string_view sha256,
                                                            std::string_view remote) override;
  // The counters of requests without credentials and of failures by reason, in Prometheus
  // text format.
  std::string MetricsText() const override;

  // The message of every authentication failure.
  static constexpr std::string_view kFailureMessage =
      "authentication failed: send a valid Kizuna API token as 'Authorization: Bearer <token>'"
      " or as the password of Basic authentication with its user name";
  // The message when the slow-verification budget is spent.
  static constexpr std::string_view kBusyMessage =
      "too many new logins to verify at the moment: retry in a second";

 private:
  struct Entry {
    Sha256Digest secret_digest;
    identity::Principal principal;
    std::optional<int64_t> expires_us;
    uint64_t epoch = 0;
    int64_t touched_us = 0;  // when last_used was last written (or found written)
  };
  enum class CacheState : uint8_t { kMiss, kWrongSecret, kStale, kFresh };
  struct Attempt {
    const Credentials& credentials;
    std::string_view token_id;
    std::string_view secret;
    std::string_view remote;
    std::string_view client;  // ClientKey(remote)
    int64_t now_us;
    uint64_t epoch;
  };

  // Copies the cached principal of a fresh entry matching `digest` into `out`; sets `touch`
  // when its last-used time is due. kWrongSecret: the id is cached with another secret.
  CacheState Lookup(const Attempt& a, const Sha256Digest& digest, std::optional<Entry>& out,
                    bool& touch);
  // Authenticates from the directory: rows, then Argon2 (within the budget) unless
  // `verified`.
  absl::StatusOr<identity::Principal> Verify(const Attempt& a, const Sha256Digest& digest,
                                           bool verified);
  void Remember(std::string_view token_id, Entry entry);
  // Records the use of `token_id` at `now_us` as its last use (in the background or now).
  void Touch(std::string_view token_id, int64_t now_us);
  void Forget(std::string_view token_id);
  // Why an attempt failed, for the metrics (FailureLabel).
  enum class FailureKind : uint8_t {
    kMalformed, kUnknownToken, kWrongSecret, kRevoked, kExpired, kUserDisabled, kWrongUser, kBlocked,
    kUnknownCertificate, kCount
  };
  static std::string_view FailureLabel(FailureKind kind);
  struct Failure {
    FailureKind kind;
    std::string_view remote;    // as the server gave it, for the audit log
    std::string_view client;    // the key failures are counted under
    std::string_view user;      // as tried with Basic; empty for Bearer
    std::string_view token_id;  // when the token text could be read
    std::string_view reason;    // for the audit log only
    bool count = true;          // counts towards the client's failure limit
    bool count_token = true;    // also towards the token id's (only ids that exist)
  };
  static Failure FailureOf(const Attempt& a, FailureKind kind, std::string_view reason) {
    return {kind, a.remote, a.client, a.credentials.user, a.token_id, reason};
  }
  // Counts and audits a failure; returns the Unauthenticated status every failure gets.
  absl::Status Fail(const Failure& f, int64_t now_us);
  void AuditFailure(const Failure& f, bool blocked, int64_t now_us);
  // Takes a place in the node-wide audit budget of the minute of `now_us`; returns false when
  // it is spent (the failures are then counted into the next event written, `unrecorded`).
  bool TakeAuditPlace(int64_t failures, int64_t now_us, int64_t& unrecorded);

  store::Directory& directory_;
  Clock& clock_;
  const AuthenticatorOptions options_;
  ChangeWatch watch_;
  FailureLimiter per_client_;
  FailureLimiter per_token_;
  SlowCheckBudget slow_checks_;
  FailureAuditGate audit_gate_;
  std::atomic<int64_t> unauthenticated_{0};
  std::array<std::atomic<int64_t>, static_cast<size_t>(FailureKind::kCount)> failures_{};
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
  absl::Mutex audit_mu_;
  int64_t audit_window_us_ ABSL_GUARDED_BY(audit_mu_) = 0;
  int audits_in_window_ ABSL_GUARDED_BY(audit_mu_) = 0;
  int64_t unrecorded_failures_ ABSL_GUARDED_BY(audit_mu_) = 0;
  std::unique_ptr<TouchQueue> touches_;  // last: its thread stops first
};

}  // namespace kizuna::taxii
