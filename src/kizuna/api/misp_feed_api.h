// Kizuna. A collection served as a MISP feed, so that a MISP instance can pull it.
#pragma once

// MISP pulls a feed as three kinds of files below the feed's URL (MISP's "Feeds": a feed of
// format "MISP Feed"); for collection ID_OR_ALIAS this handler serves, under kPrefix:
//   GET /misp-feed/{collection}/manifest.json   {event uuid: {info, date, timestamp, analysis,
//                                                threat_level_id, Orgc, Tag}, ...}
//   GET /misp-feed/{collection}/{uuid}.json     {"Event": {...}}, one event
//   GET /misp-feed/{collection}/hashes.csv      "md5(value),event uuid" per attribute
// The events are what `kizuna export --format misp` writes (misp/to_misp.h) of the objects
// the policy releases to the authenticated principal (policy::ReleasedReader): an object the
// principal may not read is in no file, not even as a hash. The three kinds of files are
// built together and kept, so that MISP's pull (the manifest, then every event) reads the
// collection once: per collection and release key (policy::ReleaseKey: principals released
// the same entries share it, no other), stamped with the store's change count and last
// date_added, read before the build. A kept feed answers while both are unchanged (any write
// through this process, any addition by another) and for at most kCacheMaxAgeUs (what
// another process deletes, or a refresh of the policy's caches, shows within it); at most
// kCacheMaxBytes are kept. Whether the principal may read the collection is decided at every
// request, before the cache. The
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

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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
  static constexpr int64_t kCacheMaxAgeUs = 10'000'000;
  static constexpr size_t kCacheMaxBytes = 256 << 20;

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
  struct Feed;  // the files of one feed
  struct Stamp {
    int64_t changes = 0;     // store::Store::LocalContentChanges()
    int64_t last_added = 0;  // store::Store::LastDateAdded()
    bool operator==(const Stamp&) const = default;
  };
  struct Kept {
    std::shared_ptr<const Feed> feed;
    int64_t built_us = 0;
  };

  http::Response Answer(const http::Request& request, const identity::Principal& principal);
  // The MISP event list of what `principal` may read of `collection`.
  absl::StatusOr<std::string> Events(const identity::Principal& principal, const store::Collection& collection);
  // The feed of `collection` for `principal`: kept, or built (and kept).
  absl::StatusOr<std::shared_ptr<const Feed>> FeedFor(const identity::Principal& principal,
                                                      const store::Collection& collection);

  store::Store& store_;
  policy::Policy& policy_;
  taxii::Authenticator& authenticator_;
  const MayRead may_read_;
  Clock& clock_;
  absl::Mutex mu_;
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Kept> feeds_ ABSL_GUARDED_BY(mu_);  // by collection and release key
};

}  // namespace kizuna::api
