// Kizuna. A collection served as a MISP feed, so that a MISP instance can pull it.
#pragma once

// MISP pulls a feed as three kinds of files below the feed's URL (MISP's "Feeds": a feed of
// format "MISP Feed"); for collection ID_OR_ALIAS this handler serves, under kPrefix:
//   GET /misp-feed/{collection}/manifest.json   {event uuid: {info, date, timestamp, analysis,
//                                                threat_level_id, Orgc, Tag}, ...}
//   GET /misp-feed/{collection}/{uuid}.json     {"Event": {...}}, one event
//   GET /misp-feed/{collection}/hashes.csv      "md5(value),event uuid" per attribute
// The events are what `kizuna export --format misp` writes (misp/to_misp.h) of the objects
// the policy releases to the authenticated principal (policy::ReleasedReader), built at each
// request: an object the principal may not read is in no file, not even as a hash. The
// principal authenticates as for TAXII (MISP's feed settings send custom headers, e.g.
// "Authorization: Bearer TOKEN"; or a client certificate) and must be allowed to read the
// collection; a collection it may not read answers 404 like one that does not exist.
// Errors are {"status": N, "description": "..."}: 401, 404, 405, 500.
// Limits: at most kMaxObjects objects are read for one answer (500 beyond).
//
// Thread-safety: safe for concurrent use, as the store, policy and authenticator are.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/api/get_endpoint.h"
#include "kizuna/base/clock.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/router.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"

namespace kizuna::api {

class MispFeedApi final : public http::Handler {
 public:
  static constexpr std::string_view kPrefix = "/misp-feed/";
  static constexpr int64_t kMaxObjects = 1'000'000;

  using MayRead = api::MayRead;

  // All must outlive the handler.
  MispFeedApi(store::Store& store, policy::Policy& policy, taxii::Authenticator& authenticator, MayRead may_read,
              Clock& clock)
      : store_(store), policy_(policy), authenticator_(authenticator), may_read_(std::move(may_read)), clock_(clock) {}

  // Mounts this handler on kPrefix. Errors as Router::Prefix.
  absl::Status MountOn(http::Router& router);

  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override;
  bool Writes(const http::Request&) override { return false; }
  http::Response Error(int status, std::string_view description) override;

 private:
  http::Response Answer(const http::Request& request, const identity::Principal& principal);
  // The MISP event list of what `principal` may read of `collection`.
  absl::StatusOr<std::string> Events(const identity::Principal& principal, const store::Collection& collection);

  store::Store& store_;
  policy::Policy& policy_;
  taxii::Authenticator& authenticator_;
  const MayRead may_read_;
  Clock& clock_;
};

}  // namespace kizuna::api
