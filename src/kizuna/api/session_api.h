// Kizuna. Signing in to the web console: /api/v1/session, and who a request's cookie is.
#pragma once

// POST   /api/v1/session {"user": U, "password": P} or {"token": T}
//        -> 200 {"user", "organization", "organization_name", "nation", "roles": [...], "csrf"}
//           with Set-Cookie kizuna_session=...; Path=/; HttpOnly; Secure; SameSite=Strict
//        -> 401 on any failure (the same words whatever went wrong), 429 while the client
//           address is blocked by the failure limiter, 400 for a malformed body.
// GET    /api/v1/session -> the same body for the request's session, or 401.
// DELETE /api/v1/session -> 204; the session ends and the cookie is cleared.
// A password is checked with Argon2id (password.h); an unknown user or a user without a
// password costs the same check. A token goes through the node's Authenticator (its own
// limits and audit). Failures of either count per client (http::ClientKey) in this API's
// FailureLimiter: a blocked client gets 429 without any check until its block ends. A
// disabled user, or a user whose token was revoked or expired, cannot sign in, and their
// sessions stop working at the next request (Resume re-reads the directory every time).
// Audit: "session.create" (details: method), "session.end", and "auth.fail" (reason
// "password" or "session-token") for failed sign-ins; the token path's failures are audited
// by the Authenticator as well.
//
// Thread-safety: safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/api/session_store.h"
#include "kizuna/base/clock.h"
#include "kizuna/http/handler.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/directory.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/auth/failure_limiter.h"

namespace kizuna::api {

// A request's session, resolved.
struct SessionCaller {
  identity::Principal principal;
  std::string csrf;
};

// Returns true if `sent` (an X-CSRF-Token header) is the session's token `expected`, in time
// independent of where they differ. False when either is empty.
bool CsrfMatches(std::string_view sent, std::string_view expected);

class SessionApi {
 public:
  // The largest body of a sign-in.
  static constexpr size_t kMaxBodyBytes = 4096;

  // Every reference must outlive the API.
  SessionApi(store::Directory& directory, taxii::Authenticator& authenticator, SessionStore& sessions,
             Clock& clock, taxii::FailureLimits limits);

  // Answers a request for /api/v1/session.
  http::Response Answer(const http::Request& request, http::RequestInfo& info);

  // Returns the caller of the session whose cookie `request` carries; NotFound when it
  // carries none, Unauthenticated when the session is unknown or has ended, or its user
  // may no longer sign in.
  absl::StatusOr<SessionCaller> Resume(const http::Request& request);

 private:
  http::Response SignIn(const http::Request& request, http::RequestInfo& info);
  http::Response SignedIn(const identity::Principal& principal, const std::string& csrf);
  // The principal of `subject` as the directory says now.
  absl::StatusOr<identity::Principal> PrincipalOf(const SessionSubject& subject);
  void Audit(std::string_view actor, std::string_view action, std::string_view target,
             std::string_view remote, std::string details);

  store::Directory& directory_;
  taxii::Authenticator& authenticator_;
  SessionStore& sessions_;
  Clock& clock_;
  taxii::FailureLimiter limiter_;
};

}  // namespace kizuna::api
