// Kizuna. The TAXII 2.1 service: every endpoint of the standard, without the network.
#pragma once

// Service turns one HttpRequest into one HttpResponse: routing (every TAXII URL ends in '/'),
// content negotiation (406, 415), authentication (401), collection access (403, or 404 for a
// collection the caller may neither read nor write, so its existence is not revealed),
// filters and pagination, the releasability policy on every object version served
// (policy::Policy: denied versions are left out as if absent, redacted copies are served in
// place of the stored JSON), and the TAXII error format. The network server (server/) calls it
// from its threads; tests call it directly.
//
//   Service service(store, authenticator, access, key, SystemClock(), options);
//   HttpResponse r = service.Handle(request);
//
// Endpoints (TAXII 2.1 §4-§5): GET /taxii2/, GET {root}/, GET {root}/status/{id}/,
// GET {root}/collections/, GET {root}/collections/{id}/, GET .../manifest/,
// GET|POST .../objects/, GET|DELETE .../objects/{object-id}/, GET .../versions/.
// Operations: GET /healthz (no authentication; 503 when the store cannot be read or has met a
// damaged database, Store::CorruptionSeen) and GET /metrics (node admins, or anyone when
// ServiceOptions::metrics_public).
//
// Thread-safety: Handle() is safe to call concurrently.

#include <functional>
#include <memory>
#include <string>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/http.h"
#include "kizuna/taxii/metrics.h"
#include "kizuna/taxii/next_token.h"
#include "kizuna/taxii/query.h"
#include "kizuna/taxii/response_cache.h"

namespace kizuna::taxii {

struct ServiceOptions {
  // Discovery resource (§4.1). `public_url` is the base URL clients reach the server at,
  // e.g. "https://taxii.example.go.jp:8443"; when empty it is built from the Host header.
  std::string title = "Kizuna TAXII server";
  std::string description = "Threat intelligence shared between allied nations";
  std::string contact;
  std::string public_url;
  std::string default_api_root;  // empty: the first API root
  bool tls = true;               // the scheme used when public_url is built from Host
  // Page sizes and filter limits.
  PageLimits pages;
  // max_content_length of API roots that do not set their own (octets). Default 10 MiB:
  // enough for envelopes of ~10,000 indicators, small enough to parse in a blink.
  int64_t default_max_content_length = 10 * 1024 * 1024;
  // Objects in one Add Objects envelope; one more is a 413 naming this limit, answered
  // before any object is parsed. Default 10,000: about what 10 MiB holds of real indicators,
  // while 10 MiB of `{}` would be 3.5 million objects, each costing a line of the status.
  size_t max_envelope_objects = 10000;
  // Entries kept in full in each list (successes, failures) of a status resource; the others
  // are only counted, in its `x_kizuna_details_omitted` property, and the counts stay exact
  // (handlers/status_details.h). Default 1,000: with each entry's fields bounded, a status
  // stays under 3 MB and is typically tens of kB.
  size_t max_status_details = 1000;
  // How long a status stays readable after its request; older ones answer 404 (and
  // store::StatusSweeper deletes them). TAXII 2.1 §4.3 asks for at least 24 hours. Default
  // 7 days: a week of Add Objects requests stays small with the bounds above.
  int64_t status_retention_us = int64_t{7} * 24 * 3600 * 1'000'000;
  // Whether /metrics answers without authentication (for a scraper on a trusted network).
  bool metrics_public = false;
  // Responses of the reading endpoints kept for repeated requests (response_cache.h).
  ResponseCacheOptions response_cache;
  // Makes the ids of status resources; must outlive the service and be thread-safe. Null:
  // SecureRandom(). (The nonces of `next` tokens always come from SecureRandom().)
  Random* random = nullptr;
};

class Service {
 public:
  // Every reference must outlive the service. Object writes and deletes are recorded in
  // `audit`'s log when it is not null; `audit` is also where the releasability policy
  // (docs/policy.md) looks up the nations of objects' creators (without it, objects under a
  // creator-nation default reach only their creator organisation).
  Service(store::Store& store, Authenticator& authenticator, AccessControl& access,
          const NextTokens::Key& token_key, Clock& clock, ServiceOptions options,
          store::Directory* audit = nullptr);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // What the server logs about one handled request.
  struct RequestInfo {
    Route route = Route::kOther;
    std::string user;  // the authenticated user, empty when none
  };

  // Handles one request. Never throws; internal errors become 500s. `info` (optional)
  // receives the endpoint matched and the user, for metrics and logs.
  HttpResponse Handle(const HttpRequest& request, RequestInfo* info = nullptr);
  // The same, without copying: a kept response (response_cache.h) is shared with the cache.
  std::shared_ptr<const HttpResponse> Serve(const HttpRequest& request, RequestInfo* info = nullptr);

  Metrics& metrics();

  // The max_content_length in effect for `api_root` (its own, or the default), for the
  // server to limit request bodies before reading them; the default for unknown roots.
  int64_t MaxContentLength(std::string_view api_root);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::taxii
