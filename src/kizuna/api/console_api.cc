// Kizuna.
#include "kizuna/api/console_api.h"

#include <string>

#include "kizuna/api/answer.h"
#include "kizuna/api/cookie.h"
#include "kizuna/base/strings.h"

namespace kizuna::api {
namespace {

bool IsRead(const http::Request& r) { return r.method == http::Method::kGet || r.method == http::Method::kHead; }

// True for the content types a cross-site HTML form can send without a CORS preflight.
// The search endpoints (search_api.h): any reader's, partner nodes' included; GET only.
bool IsSearchPath(std::string_view path) {
  return path == "search" || path.starts_with("observables/") ||
         (path.starts_with("objects/") && path.ends_with("/related"));
}

bool FormContentType(std::string_view content_type) {
  std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  return type.empty() || EqualsIgnoreCase(type, "text/plain") ||
         EqualsIgnoreCase(type, "application/x-www-form-urlencoded") || EqualsIgnoreCase(type, "multipart/form-data");
}

std::string_view PathOf(const http::Request& request) {
  return request.Path().substr(ConsoleApi::kPrefix.size());
}

}  // namespace

absl::Status ConsoleApi::MountOn(http::Router& router) { return router.Prefix(std::string(kPrefix), *this); }

http::Response ConsoleApi::Error(int status, std::string_view description) {
  http::Response r = ErrorAnswer(status, description);
  AddSecurityHeaders(r, true);
  return r;
}

http::BodyLimit ConsoleApi::MaxBody(const http::Request& head) {
  if (PathOf(head) == "session") return {SessionApi::kMaxBodyBytes, "the sign-in body limit"};
  return endpoints_.MaxBody(PathOf(head));
}

bool ConsoleApi::Writes(const http::Request& head) {
  return !IsRead(head) && endpoints_.Writes(PathOf(head));
}

http::Response ConsoleApi::Answer(const http::Request& request, http::RequestInfo& info) {
  info.endpoint = "api";
  std::string_view path = PathOf(request);
  if (path == "session") return sessions_.Answer(request, info);

  std::optional<identity::Principal> who;
  bool by_session = false, by_certificate = false;
  std::string csrf;
  if (request.authorization.empty()) {
    absl::StatusOr<SessionCaller> s = sessions_.Resume(request);
    if (s.ok()) {
      who = std::move(s->principal);
      csrf = std::move(s->csrf);
      by_session = true;
    } else if (absl::IsUnavailable(s.status())) {
      return ErrorAnswer(503, "the directory cannot be read: retry");
    } else if (!absl::IsNotFound(s.status())) {
      http::Response r = ErrorAnswer(401, View(s.status().message()));
      r.headers.emplace_back("Set-Cookie", ClearedSessionCookieHeader());
      return r;
    }
  }
  if (!who) {
    by_certificate = request.authorization.empty() && !request.client_certificate.empty();
    absl::StatusOr<identity::Principal> p = authenticator_.AuthenticateRequest(request);
    if (!p.ok()) {
      if (absl::IsUnavailable(p.status())) {
        http::Response r = ErrorAnswer(503, View(p.status().message()));
        r.headers.emplace_back("Retry-After", "1");
        return r;
      }
      return ErrorAnswer(401, "authentication required: sign in, or send a token as 'Authorization: Bearer <token>'");
    }
    who = std::move(*p);
  }
  info.user = who->user;
  if (!IsRead(request)) {
    if (by_session && !CsrfMatches(request.csrf_token, csrf)) {
      return ErrorAnswer(403, "a write with the session cookie needs the session's X-CSRF-Token header");
    }
    if (by_certificate && FormContentType(request.content_type)) {
      return ErrorAnswer(403, "a write with a client certificate needs a Content-Type a form cannot send, "
                              "such as application/json");
    }
  }
  // A partner node's account reads and writes over TAXII (and searches, as any reader): the
  // console's pages (partners, dashboard, audit, publish, import) are for this node's people.
  if (who->Kind() == identity::PrincipalKind::kPeer && !IsSearchPath(path)) {
    return ErrorAnswer(403, "a partner node's account uses TAXII, not the console");
  }
  if (std::optional<http::Response> r = endpoints_.Answer({request, *who, path, info})) return std::move(*r);
  if (!IsRead(request)) {
    if (!IsSearchPath(path)) return ErrorAnswer(404, "no such endpoint of the JSON API");
    http::Response r = ErrorAnswer(405, "only GET is allowed here");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  return search_.Answer(request, *who, info.endpoint);
}

std::shared_ptr<const http::Response> ConsoleApi::Serve(const http::Request& request, http::RequestInfo& info) {
  http::Response r = Answer(request, info);
  AddSecurityHeaders(r, true);
  return std::make_shared<const http::Response>(std::move(r));
}

}  // namespace kizuna::api
