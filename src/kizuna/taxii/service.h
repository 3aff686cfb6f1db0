// Kizuna. The TAXII 2.1 service: every endpoint of the standard, one mount of the HTTP router.
#pragma once

// Service turns one http::Request into one http::Response: routing (every TAXII URL ends in '/'),
// content negotiation (406, 415), authentication (401), collection access (403, or 404 for a
// collection the caller may neither read nor write, so its existence is not revealed),
// filters and pagination, the releasability policy on every object version served
// (policy::Policy: denied versions are left out as if absent, redacted copies are served in
// place of the stored JSON), and the TAXII error format. It is an http::Handler: the node
// mounts it as the router's default (its discovery resource and API roots live at the top
// level; node/node.h keeps other mounts off the API roots' names), and the HTTP server
// calls it from its threads, answering HEAD and refusing content codings for it
// (http/router.h, Dispatch); tests call Handle, which does the same.
//
//   policy::Policy policy(store, &directory, SystemClock());
//   Service service(store, policy, authenticator, access, key, SystemClock(), options);
//   router.Default(service);
//
// Endpoints (TAXII 2.1 §4-§5): GET /taxii2/, GET {root}/, GET {root}/status/{id}/,
// GET {root}/collections/, GET {root}/collections/{id}/, GET .../manifest/,
// GET|POST .../objects/, GET|DELETE .../objects/{object-id}/, GET .../versions/.
// A request body may be as large as its API root's max_content_length (MaxBody).
//
// Thread-safety: every method is safe to call concurrently.

#include <functional>
#include <memory>
#include <string>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/message.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"
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
  // Responses of the reading endpoints kept for repeated requests (response_cache.h).
  ResponseCacheOptions response_cache;
  // Makes the ids of status resources; must outlive the service and be thread-safe. Null:
  // SecureRandom(). (The nonces of `next` tokens always come from SecureRandom().)
  Random* random = nullptr;
};

class Service final : public http::Handler {
 public:
  // Every reference must outlive the service. `policy` decides every object version served
  // (the node's one Policy, which sync shares; built over the directory that knows the
  // nations of objects' creators, docs/policy.md). Object writes and deletes are recorded in
  // `audit`'s log when it is not null.
  Service(store::Store& store, policy::Policy& policy, Authenticator& authenticator, AccessControl& access,
          const NextTokens::Key& token_key, Clock& clock, ServiceOptions options,
          store::Directory* audit = nullptr);
  ~Service() override;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Handles one request (HEAD as GET) and records it in metrics(). Never throws; internal
  // errors become 500s. `info` receives the endpoint matched (RouteName) and the user. A
  // kept response (response_cache.h) is shared with the cache, not copied.
  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override;
  // Handles `request` as the HTTP server does (http::Dispatch: HEAD answered from the GET,
  // content codings refused with 415) and returns a copy of the answer, for tests.
  http::Response Handle(const http::Request& request);

  // Adds the objects of the TAXII envelope `envelope` ({"objects": [...]}) to collection
  // `collection_id` (of any API root) for `principal`, authenticated by the caller (the
  // console's JSON API): the same checks, store write, status resource and audit as Add
  // Objects over TAXII; `remote` is the client address. Returns Add Objects' answer (202
  // with the status resource, or a TAXII error; 404 for a collection the principal may
  // neither read nor write).
  http::Response AddObjectsFor(const identity::Principal& principal, std::string_view collection_id,
                               std::string envelope, std::string_view remote);

  // The max_content_length in effect for the API root the target names (its own, or the
  // default; the default for unknown roots), for the server to limit request bodies before
  // reading them.
  http::BodyLimit MaxBody(const http::Request& head) override;
  // A TAXII error message (errors.h).
  http::Response Error(int status, std::string_view description) override;

  Metrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::taxii
