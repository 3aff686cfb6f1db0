// Kizuna. The JSON API's search endpoints, a mount of the node's router beside TAXII.
#pragma once

// GET /api/v1/search?q=WORDS[&type=T][&collection=ID][&tlp=L][&nation=N][&added_after=T]
//     [&added_before=T][&valid_now=true][&limit=N]      full text (search::Searcher::Text)
// GET /api/v1/observables/{value}[?limit=N]             objects carrying a value
// GET /api/v1/objects/{id}/related[?limit=N]            objects related to one, with why
// Authentication is TAXII's: the same bearer tokens through the same TokenAuthenticator (its
// failure limits per client address included); every answer is for the authenticated
// principal, through its collection grants and the policy (searcher.h). Answers are
// application/json (search/answer_json.h); errors are {"status": N, "description": "..."}
// with 400 (bad parameter), 401, 404 (an object absent or not readable: the same words),
// 405 (not GET/HEAD), 500. docs/api.openapi.yaml documents them.
// Limits: a query string of at most kMaxQueryBytes, at most kMaxParameters parameters.
//
//   api::SearchApi api(searcher, authenticator);
//   KZ_RETURN_IF_ERROR(api.MountOn(router));
//
// Thread-safety: safe for concurrent use, as the searcher and the authenticator are.

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/router.h"
#include "kizuna/search/searcher.h"
#include "kizuna/taxii/auth/authenticator.h"

namespace kizuna::api {

class SearchApi final : public http::Handler {
 public:
  static constexpr std::string_view kPrefix = "/api/v1/";
  static constexpr size_t kMaxQueryBytes = 4096;
  static constexpr size_t kMaxParameters = 64;

  // Both must outlive the handler.
  SearchApi(search::Searcher& searcher, taxii::Authenticator& authenticator)
      : searcher_(searcher), authenticator_(authenticator) {}

  // Mounts this handler on kPrefix. Errors as Router::Prefix.
  absl::Status MountOn(http::Router& router);

  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override;
  bool Writes(const http::Request&) override { return false; }
  http::Response Error(int status, std::string_view description) override;

  // Answers a GET of the search endpoints for `principal` (authenticated by the caller:
  // console_api.h); `endpoint` receives the access log's label.
  http::Response Answer(const http::Request& request, const identity::Principal& principal,
                        std::string_view& endpoint);

 private:

  search::Searcher& searcher_;
  taxii::Authenticator& authenticator_;
};

}  // namespace kizuna::api
