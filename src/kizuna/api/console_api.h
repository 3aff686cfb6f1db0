// Kizuna. The JSON API under /api/v1/: who is asking, CSRF, security headers, and which
// endpoint group answers.
#pragma once

// Every /api/v1/ route but the sign-in itself (session_api.h) needs a caller, found in this
// order:
//   1. an Authorization header: a Kizuna token as Bearer (or Basic), as TAXII;
//   2. the console's session cookie `kizuna_session` (session_api.h);
//   3. a client certificate verified in the TLS handshake and mapped to a user.
// (taxii::Authenticator::AuthenticateRequest does 1 and 3.) A request that names a caller
// that fails gets 401, never a weaker fallback.
// Writes (any method but GET and HEAD):
//   - by session cookie need the header X-CSRF-Token equal to the session's CSRF token (the
//     cookie is SameSite=Strict too: two defences); 403 otherwise;
//   - by client certificate need a Content-Type a cross-site form cannot send (not
//     text/plain, application/x-www-form-urlencoded or multipart/form-data): a browser
//     presents its certificate to any site's form, so a form post must not act as the user;
//   - by token need nothing more: a token is never sent by a browser on its own.
// Every answer carries the security headers and Cache-Control: no-store (answer.h); errors
// are {"status": N, "description": "..."}.
// The endpoint groups, one file each, are documented in docs/api.openapi.yaml.
//
// Thread-safety: safe for concurrent use, as its parts are.

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/api/search_api.h"
#include "kizuna/api/session_api.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/router.h"

namespace kizuna::api {

class ConsoleApi final : public http::Handler {
 public:
  static constexpr std::string_view kPrefix = "/api/v1/";

  // Every reference must outlive the handler.
  ConsoleApi(SessionApi& sessions, SearchApi& search, taxii::Authenticator& authenticator,
             ConsoleEndpoints& endpoints)
      : sessions_(sessions), search_(search), authenticator_(authenticator), endpoints_(endpoints) {}

  // Mounts this handler on kPrefix. Errors as Router::Prefix.
  absl::Status MountOn(http::Router& router);

  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override;
  http::BodyLimit MaxBody(const http::Request& head) override;
  bool Writes(const http::Request& head) override;
  http::Response Error(int status, std::string_view description) override;

 private:
  http::Response Answer(const http::Request& request, http::RequestInfo& info);

  SessionApi& sessions_;
  SearchApi& search_;
  taxii::Authenticator& authenticator_;
  ConsoleEndpoints& endpoints_;
};

}  // namespace kizuna::api
