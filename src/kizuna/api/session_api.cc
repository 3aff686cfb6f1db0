// Kizuna.
#include "kizuna/api/session_api.h"

#include <openssl/crypto.h>

#include <boost/json.hpp>
#include <utility>

#include "kizuna/api/answer.h"
#include "kizuna/api/cookie.h"
#include "kizuna/api/password.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/http/client_key.h"
#include "kizuna/identity/roles.h"
#include "kizuna/taxii/auth/token.h"

namespace kizuna::api {
namespace {

constexpr std::string_view kSignInFailed = "sign-in failed: check the user name and password, or the token";
constexpr std::string_view kSessionEnded = "no session: sign in (POST /api/v1/session)";

bool IsJson(std::string_view content_type) {
  return EqualsIgnoreCase(Trim(content_type.substr(0, content_type.find(';'))), "application/json");
}

// What a password session keeps of the hash it was opened with (never the hash itself).
std::string PasswordDigest(std::string_view hash) {
  const Sha256Digest d = Sha256(hash);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string_view Field(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string_view(v->as_string().data(), v->as_string().size());
}

std::string Details(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  boost::json::object o;
  for (const auto& [k, v] : fields) o[boost::json::string_view(k.data(), k.size())] = boost::json::string(v.data(), v.size());
  return boost::json::serialize(o);
}

}  // namespace

bool CsrfMatches(std::string_view sent, std::string_view expected) {
  return !expected.empty() && sent.size() == expected.size() &&
         CRYPTO_memcmp(sent.data(), expected.data(), expected.size()) == 0;
}

SessionApi::SessionApi(store::Directory& directory, taxii::Authenticator& authenticator, SessionStore& sessions,
                       Clock& clock, taxii::FailureLimits limits)
    : directory_(directory), authenticator_(authenticator), sessions_(sessions), clock_(clock), limiter_(limits) {}

void SessionApi::Audit(std::string_view actor, std::string_view action, std::string_view target,
                       std::string_view remote, std::string details) {
  store::AuditEvent e;
  e.actor = actor.empty() ? "-" : std::string(actor.substr(0, store::kMaxAuditFieldBytes));
  e.action = std::string(action);
  e.target = std::string(target.substr(0, store::kMaxAuditFieldBytes));
  e.remote = std::string(remote);
  e.details = std::move(details);
  (void)directory_.AppendAudit(e);  // a lost audit line must not decide a sign-in
}

absl::StatusOr<identity::Principal> SessionApi::PrincipalOf(const SessionSubject& subject) {
  const absl::Status refused = absl::UnauthenticatedError(AbslView(kSessionEnded));
  if (!subject.token_id.empty()) {
    absl::StatusOr<store::Credential> c = directory_.GetCredential(subject.token_id);
    if (!c.ok()) return absl::IsNotFound(c.status()) ? refused : c.status();
    if (c->user.disabled || !c->token.ActiveAt(clock_.NowMicros()) || c->user.name != subject.user) return refused;
    return identity::UserPrincipal(c->user.name, c->user.organization, c->nation, c->groups, c->user.roles);
  }
  absl::StatusOr<store::PasswordCredential> c = directory_.GetPasswordCredential(subject.user);
  if (!c.ok()) return absl::IsNotFound(c.status()) ? refused : c.status();
  if (c->user.disabled || c->password_hash.empty() || PasswordDigest(c->password_hash) != subject.password) {
    return refused;
  }
  return identity::UserPrincipal(c->user.name, c->user.organization, c->nation, c->groups, c->user.roles);
}

absl::StatusOr<SessionCaller> SessionApi::Resume(const http::Request& request) {
  std::string_view id = CookieValue(request.cookie, kSessionCookie);
  if (id.empty()) return absl::NotFoundError("no session cookie");
  std::optional<Session> s = sessions_.Find(id);
  if (!s) return absl::UnauthenticatedError(AbslView(kSessionEnded));
  KZ_ASSIGN_OR_RETURN(identity::Principal p, PrincipalOf(s->subject));
  return SessionCaller{std::move(p), s->csrf};
}

http::Response SessionApi::SignedIn(const identity::Principal& p, const std::string& csrf) {
  boost::json::array roles;
  for (uint8_t bit = 1; bit != 0 && bit <= static_cast<uint8_t>(identity::Role::kPeer); bit <<= 1) {
    if (p.roles & bit) roles.emplace_back(identity::RoleName(static_cast<identity::Role>(bit)));
  }
  absl::StatusOr<store::Organization> org = directory_.FindOrganization(p.organization);
  return JsonAnswer(boost::json::serialize(boost::json::object{
      {"user", p.user},
      {"organization", p.organization},
      {"organization_name", org.ok() ? org->name : std::string()},
      {"nation", p.nation},
      {"roles", std::move(roles)},
      {"csrf", csrf},
  }));
}

http::Response SessionApi::SignIn(const http::Request& request, http::RequestInfo& info) {
  // A cross-site form can send text/plain, never application/json: no sign-in from another
  // site's page (login CSRF, which would make an analyst publish as someone else).
  if (!IsJson(request.content_type)) return ErrorAnswer(415, "a sign-in is sent as application/json");
  const std::string client = http::ClientKey(request.remote);
  const int64_t now_us = clock_.NowMicros();
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(request.body, ec);
  if (ec || !body.is_object()) return ErrorAnswer(400, "the body must be a JSON object with user and password, or token");
  const boost::json::object& o = body.as_object();
  std::string_view token = Field(o, "token");
  std::string_view user = Field(o, "user");
  std::string_view password = Field(o, "password");
  // Failures count per address and per user name; a success clears only its user's count, so
  // signing in as oneself never buys more guesses at another account.
  const std::string account = StrCat("user:", user.substr(0, store::kMaxAuditFieldBytes));
  if (!limiter_.Allowed(client, now_us) || (!user.empty() && !limiter_.Allowed(account, now_us))) {
    http::Response r = ErrorAnswer(429, "too many failed sign-ins from this address or for this user: wait a minute");
    r.headers.emplace_back("Retry-After", "60");
    return r;
  }
  SessionSubject subject;
  absl::StatusOr<identity::Principal> who = absl::UnauthenticatedError(AbslView(kSignInFailed));
  std::string_view method;
  if (!token.empty()) {
    method = "token";
    std::optional<taxii::TokenParts> parts = taxii::ParseToken(token);
    who = authenticator_.Authenticate(StrCat("Bearer ", token), request.remote);
    if (who.ok() && parts) subject = {who->user, std::string(parts->id), ""};
    if (who.ok() && !parts) who = absl::UnauthenticatedError(AbslView(kSignInFailed));
    if (absl::IsUnavailable(who.status())) {
      http::Response r = ErrorAnswer(503, View(who.status().message()));
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
  } else if (!user.empty() && !password.empty()) {
    method = "password";
    absl::StatusOr<store::PasswordCredential> c = directory_.GetPasswordCredential(user);
    if (!c.ok() && !absl::IsNotFound(c.status()) && !absl::IsInvalidArgument(c.status())) {
      return ErrorAnswer(503, "the directory cannot be read: retry");
    }
    const bool matches = CheckPassword(c.ok() ? c->password_hash : std::string(), password);
    if (matches && !c->user.disabled) {
      who = identity::UserPrincipal(c->user.name, c->user.organization, c->nation, c->groups, c->user.roles);
      subject = {c->user.name, "", PasswordDigest(c->password_hash)};
    }
  } else {
    return ErrorAnswer(400, "the body needs user and password, or token");
  }
  if (!who.ok()) {
    bool blocked = limiter_.RecordFailure(client, now_us);
    if (!user.empty()) blocked = limiter_.RecordFailure(account, now_us) || blocked;
    Audit(user, "auth.fail", user, request.remote,
          Details({{"reason", method == "token" ? "session-token" : "password"}, {"blocked", blocked ? "yes" : "no"}}));
    return ErrorAnswer(401, kSignInFailed);
  }
  if (!user.empty()) limiter_.RecordSuccess(account, now_us);
  SessionStore::Created created = sessions_.Create(subject);
  info.user = who->user;
  Audit(who->user, "session.create", who->user, request.remote, Details({{"method", method}}));
  http::Response r = SignedIn(*who, created.session.csrf);
  r.headers.emplace_back("Set-Cookie", SessionCookieHeader(created.id));
  return r;
}

http::Response SessionApi::Answer(const http::Request& request, http::RequestInfo& info) {
  info.endpoint = "api-session";
  switch (request.method) {
    case http::Method::kPost:
      return SignIn(request, info);
    case http::Method::kGet:
    case http::Method::kHead: {
      absl::StatusOr<SessionCaller> caller = Resume(request);
      if (!caller.ok()) {
        if (absl::IsUnavailable(caller.status())) return ErrorAnswer(503, "the directory cannot be read: retry");
        return ErrorAnswer(401, kSessionEnded);
      }
      info.user = caller->principal.user;
      return SignedIn(caller->principal, caller->csrf);
    }
    case http::Method::kDelete: {
      std::string_view id = CookieValue(request.cookie, kSessionCookie);
      absl::StatusOr<SessionCaller> caller = Resume(request);
      if (caller.ok() && !CsrfMatches(request.csrf_token, caller->csrf)) {
        return ErrorAnswer(403, "a write with the session cookie needs the session's X-CSRF-Token header");
      }
      if (caller.ok()) {
        info.user = caller->principal.user;
        Audit(caller->principal.user, "session.end", caller->principal.user, request.remote, "{}");
      }
      if (!id.empty()) sessions_.Remove(id);
      http::Response r;
      r.status = 204;
      r.headers.emplace_back("Set-Cookie", ClearedSessionCookieHeader());
      return r;
    }
    default: {
      http::Response r = ErrorAnswer(405, "the session allows GET, POST and DELETE");
      r.headers.emplace_back("Allow", "GET, HEAD, POST, DELETE");
      return r;
    }
  }
}

}  // namespace kizuna::api
