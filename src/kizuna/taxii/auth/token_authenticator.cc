// Kizuna.
#include "kizuna/taxii/auth/token_authenticator.h"

#include <sodium.h>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/http/client_key.h"
#include "kizuna/taxii/auth/token.h"

namespace kizuna::taxii {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
// Longest text recorded from a failed attempt (user name, reason, address); longer is cut.
constexpr size_t kMaxRecordedBytes = 256;

// Returns client-supplied `text` fit for the audit log: printable ASCII, at most
// kMaxRecordedBytes, other bytes as '?'.
std::string Recordable(std::string_view text) {
  std::string out(text.substr(0, kMaxRecordedBytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

identity::Principal PrincipalOf(const store::Credential& c) {
  return identity::UserPrincipal(c.user.name, c.user.organization, c.nation, c.groups, c.user.roles);
}

}  // namespace

TokenAuthenticator::TokenAuthenticator(store::Directory& directory, Clock& clock,
                                       AuthenticatorOptions options)
    : directory_(directory),
      clock_(clock),
      options_(options),
      watch_(directory, clock, options.refresh_interval_us),
      per_client_(options.per_client),
      per_token_(options.per_token),
      slow_checks_(options.slow_checks),
      audit_gate_(options.failure_audits),
      touches_(options.touch_in_background ? std::make_unique<TouchQueue>(directory, options.max_cached_tokens)
                                           : nullptr) {}

void TokenAuthenticator::Touch(std::string_view token_id, int64_t now_us) {
  if (touches_ != nullptr) {
    touches_->Touch(token_id, now_us);
  } else {
    (void)directory_.TouchToken(token_id, now_us);  // best effort
  }
}

absl::StatusOr<identity::Principal> TokenAuthenticator::Authenticate(std::string_view authorization,
                                                                   std::string_view remote) {
  if (authorization.empty()) {
    // No credentials at all: counted, neither audited nor held against the client.
    unauthenticated_.fetch_add(1, std::memory_order_relaxed);
    return absl::UnauthenticatedError(AbslView(kFailureMessage));
  }
  const int64_t now = clock_.NowMicros();
  const std::string client = http::ClientKey(remote);
  absl::StatusOr<Credentials> credentials = ParseAuthorization(authorization);
  if (!credentials.ok()) {
    return Fail({FailureKind::kMalformed, remote, client, "", "", View(credentials.status().message()), true, false},
                now);
  }
  std::optional<TokenParts> parts = ParseToken(credentials->token);
  if (!parts) {
    return Fail({FailureKind::kMalformed, remote, client, credentials->user, "", "malformed token", true, false}, now);
  }
  KZ_ASSIGN_OR_RETURN(uint64_t epoch, watch_.Epoch());
  const Attempt a{*credentials, parts->id, parts->secret, remote, client, now, epoch};
  const Sha256Digest digest = Sha256(parts->secret);

  std::optional<Entry> hit;
  bool touch = false;
  CacheState state = Lookup(a, digest, hit, touch);
  // An id verified before has one secret, and this is not it: no need for the slow hash.
  if (state == CacheState::kWrongSecret) return Fail(FailureOf(a, FailureKind::kWrongSecret, "wrong secret"), now);
  if (state != CacheState::kFresh) return Verify(a, digest, state == CacheState::kStale);
  if (hit->expires_us && now >= *hit->expires_us) {
    Forget(a.token_id);
    return Fail(FailureOf(a, FailureKind::kExpired, "token expired"), now);
  }
  if (a.credentials.scheme == AuthScheme::kBasic && a.credentials.user != hit->principal.user) {
    return Fail(FailureOf(a, FailureKind::kWrongUser, "token belongs to another user"), now);
  }
  if (touch) Touch(a.token_id, now);
  return std::move(hit->principal);
}

absl::StatusOr<identity::Principal> TokenAuthenticator::AuthenticateCertificate(std::string_view sha256,
                                                                              std::string_view remote) {
  const int64_t now = clock_.NowMicros();
  const std::string client = http::ClientKey(remote);
  absl::StatusOr<store::CertificateCredential> c = directory_.GetCertificateCredential(sha256);
  Failure f{FailureKind::kUnknownCertificate, remote, client, "", sha256, "client certificate maps to no user",
            false, false};
  if (absl::IsNotFound(c.status()) || absl::IsInvalidArgument(c.status())) return Fail(f, now);
  if (!c.ok()) return c.status();
  if (c->user.disabled) {
    f.kind = FailureKind::kUserDisabled;
    f.user = c->user.name;
    f.reason = "user disabled";
    return Fail(f, now);
  }
  return identity::UserPrincipal(c->user.name, c->user.organization, c->nation, c->groups, c->user.roles);
}

TokenAuthenticator::CacheState TokenAuthenticator::Lookup(const Attempt& a,
                                                          const Sha256Digest& digest,
                                                          std::optional<Entry>& out, bool& touch) {
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(AbslView(a.token_id));
  if (it == cache_.end()) return CacheState::kMiss;
  Entry& e = it->second;
  if (sodium_memcmp(e.secret_digest.data(), digest.data(), digest.size()) != 0) {
    return CacheState::kWrongSecret;
  }
  if (e.epoch != a.epoch) return CacheState::kStale;
  if (a.now_us - e.touched_us >= options_.touch_interval_us) {
    e.touched_us = a.now_us;
    touch = true;
  }
  out = e;
  return CacheState::kFresh;
}

absl::StatusOr<identity::Principal> TokenAuthenticator::Verify(const Attempt& a,
                                                             const Sha256Digest& digest,
                                                             bool verified) {
  const int64_t now = a.now_us;
  // A blocked client gets neither a directory read nor a slow hash, unless this very secret
  // was verified before (only the rows changed since).
  if (!verified && !per_client_.Allowed(a.client, now)) {
    Failure f = FailureOf(a, FailureKind::kBlocked, "too many failures: blocked");
    f.count = f.count_token = false;
    return Fail(f, now);
  }
  absl::StatusOr<store::Credential> c = directory_.GetCredential(a.token_id);
  if (absl::IsNotFound(c.status())) {
    Failure f = FailureOf(a, FailureKind::kUnknownToken, "unknown token id");
    f.count_token = false;  // made-up ids would fill the table; they cost no hash anyway
    return Fail(f, now);
  }
  if (!c.ok()) return c.status();
  // The token's state first: a revoked or expired token costs no slow hash.
  std::string_view reason;
  FailureKind kind = FailureKind::kRevoked;
  if (c->token.revoked_us) {
    reason = "token revoked";
  } else if (c->token.expires_us && now >= *c->token.expires_us) {
    reason = "token expired";
    kind = FailureKind::kExpired;
  } else if (c->user.disabled) {
    reason = "user disabled";
    kind = FailureKind::kUserDisabled;
  }
  if (!reason.empty()) {
    Forget(a.token_id);
    return Fail(FailureOf(a, kind, reason), now);
  }
  // A wrong user or secret leaves the cache alone: someone who knows a token's id must not
  // be able to evict its owner's verification.
  if (a.credentials.scheme == AuthScheme::kBasic && a.credentials.user != c->user.name) {
    return Fail(FailureOf(a, FailureKind::kWrongUser, "token belongs to another user"), now);
  }
  if (!verified) {
    const bool clean = per_client_.Clean(a.client, now) && per_token_.Allowed(a.token_id, now);
    if (!slow_checks_.Take(clean ? SlowCheckLane::kClean : SlowCheckLane::kSuspect, now)) {
      return absl::UnavailableError(AbslView(kBusyMessage));
    }
    if (!VerifySecret(c->secret_hash, a.secret)) {
      return Fail(FailureOf(a, FailureKind::kWrongSecret, "wrong secret"), now);
    }
  }
  per_token_.RecordSuccess(a.token_id, now);
  int64_t used = c->token.last_used_us.value_or(INT64_MIN / 2);
  bool touch = now - used >= options_.touch_interval_us;
  Entry entry{digest, PrincipalOf(*c), c->token.expires_us, a.epoch, touch ? now : used};
  identity::Principal principal = entry.principal;
  Remember(a.token_id, std::move(entry));
  if (touch) Touch(a.token_id, now);
  return principal;
}

void TokenAuthenticator::Remember(std::string_view token_id, Entry entry) {
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(AbslView(token_id));
  if (it != cache_.end()) {
    it->second = std::move(entry);
    return;
  }
  if (cache_.size() >= options_.max_cached_tokens && !cache_.empty()) cache_.erase(cache_.begin());
  cache_.emplace(std::string(token_id), std::move(entry));
}

void TokenAuthenticator::Forget(std::string_view token_id) {
  absl::MutexLock lock(&mu_);
  cache_.erase(AbslView(token_id));
}

absl::Status TokenAuthenticator::Fail(const Failure& f, int64_t now_us) {
  failures_[static_cast<size_t>(f.kind)].fetch_add(1, std::memory_order_relaxed);
  bool blocked = false;
  if (f.count) {
    blocked = per_client_.RecordFailure(f.client, now_us);
    if (f.count_token && !f.token_id.empty()) {
      blocked = per_token_.RecordFailure(f.token_id, now_us) || blocked;
    }
  }
  AuditFailure(f, blocked, now_us);
  return absl::UnauthenticatedError(AbslView(kFailureMessage));
}

bool TokenAuthenticator::TakeAuditPlace(int64_t failures, int64_t now_us, int64_t& unrecorded) {
  absl::MutexLock lock(&audit_mu_);
  if (now_us - audit_window_us_ >= kMinuteUs || now_us < audit_window_us_) {
    audit_window_us_ = now_us;
    audits_in_window_ = 0;
  }
  if (audits_in_window_ >= options_.max_failure_audits_per_minute) {
    unrecorded_failures_ += failures;
    return false;
  }
  ++audits_in_window_;
  unrecorded = unrecorded_failures_;
  unrecorded_failures_ = 0;
  return true;
}

void TokenAuthenticator::AuditFailure(const Failure& f, bool blocked, int64_t now_us) {
  // One client's repeated failures: its first, then one event a minute with the count.
  const int64_t failures = audit_gate_.Admit(f.client, now_us);
  int64_t unrecorded = 0;
  if (failures == 0 || !TakeAuditPlace(failures, now_us, unrecorded)) return;
  std::string details = "{\"reason\":";
  AppendJsonString(Recordable(f.reason), details);
  details += ",\"user\":";
  AppendJsonString(Recordable(f.user), details);
  if (blocked) details += ",\"blocked\":true";
  if (failures > 1) StrAppend(details, ",\"failures\":", failures);
  if (unrecorded > 0) StrAppend(details, ",\"unrecorded_failures_before\":", unrecorded);
  details += '}';
  store::AuditEvent event;
  event.time_us = now_us;
  event.actor = "anonymous";
  event.action = "auth.fail";
  event.target = f.token_id;
  event.remote = Recordable(f.remote);
  event.details = std::move(details);
  (void)directory_.AppendAudit(event);  // an unwritable audit log must not let anyone in
}

std::string_view TokenAuthenticator::FailureLabel(FailureKind kind) {
  switch (kind) {
    case FailureKind::kMalformed: return "malformed";
    case FailureKind::kUnknownToken: return "unknown_token";
    case FailureKind::kWrongSecret: return "wrong_secret";
    case FailureKind::kRevoked: return "revoked";
    case FailureKind::kExpired: return "expired";
    case FailureKind::kUserDisabled: return "user_disabled";
    case FailureKind::kWrongUser: return "wrong_user";
    case FailureKind::kBlocked: return "blocked";
    case FailureKind::kUnknownCertificate: return "unknown_certificate";
    case FailureKind::kCount: break;
  }
  return "other";
}

std::string TokenAuthenticator::MetricsText() const {
  std::string out =
      "# HELP kizuna_auth_unauthenticated_total Requests without an Authorization header (not audited).\n"
      "# TYPE kizuna_auth_unauthenticated_total counter\n";
  StrAppend(out, "kizuna_auth_unauthenticated_total ", unauthenticated_.load(std::memory_order_relaxed), "\n");
  out +=
      "# HELP kizuna_auth_failures_total Failed authentications with credentials, by reason.\n"
      "# TYPE kizuna_auth_failures_total counter\n";
  for (size_t i = 0; i < failures_.size(); ++i) {
    StrAppend(out, "kizuna_auth_failures_total{reason=\"", FailureLabel(static_cast<FailureKind>(i)), "\"} ",
              failures_[i].load(std::memory_order_relaxed), "\n");
  }
  return out;
}

}  // namespace kizuna::taxii
