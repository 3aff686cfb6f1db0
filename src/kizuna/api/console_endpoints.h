// Kizuna. The web console's JSON endpoints under /api/v1/, one file per group.
#pragma once

// ConsoleApi (console_api.h) authenticates and checks CSRF, then hands the request here with
// its principal. Every read goes through the collection grants (taxii::AccessControl) and
// the policy's released read (policy::ReleasedReader, or search::Searcher's Release, which
// applies Policy::Filter the same way): an object the principal may not read is absent, in
// lists, counts and details alike. Every write is audited. The groups:
//   objects_api.cc       GET  objects/{id}
//   patterns_api.cc      POST patterns/validate
//   preview_api.cc       POST release-preview
//   publish_api.cc       POST collections/{id}/objects
//   import_api.cc        POST collections/{id}/import?format=stix|csv|lines
//   collections_api.cc   GET  collections
//   dashboard_api.cc     GET  dashboard
//   sightings_api.cc     GET  sightings
//   partners_api.cc      GET  partners
//   audit_api.cc         GET  audit
//   exercises_api.cc     GET  exercises, exercises/{exercise}, exercises/{exercise}/aar
//   brief_api.cc         GET  brief (the caller as the audience)
//   users_api.cc         GET, POST users; POST users/{name}, users/{name}/tokens,
//                        users/{name}/password; DELETE users/{name}/tokens/{id}
// (docs/api.openapi.yaml documents each.)
//
// The dashboard's and the collections' counts are exact: aggregated in SQL per group of
// entries the policy decides alike (ReleasedCounter, released_counts.h), kept, and brought up
// to date from the entries added since. Thread-safety: safe for concurrent use, as its parts
// are (what is kept has its own mutex).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/api/compute_gate.h"
#include "kizuna/api/kept_cache.h"
#include "kizuna/base/clock.h"
#include "kizuna/http/handler.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/policy.h"
#include "kizuna/search/searcher.h"
#include "kizuna/store/database.h"
#include "kizuna/store/exercise_results.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/service.h"

namespace kizuna::api {

struct DashboardTally;  // dashboard_api.cc

// One request to an endpoint, authenticated.
struct ApiCall {
  const http::Request& request;
  const identity::Principal& principal;
  std::string_view path;  // after /api/v1/, not percent-decoded
  http::RequestInfo& info;
};

// Turns a TAXII answer (Add Objects) into the API's: a status resource as it is, an error as
// {"status", "description"} with the same code.
http::Response FromTaxii(http::Response r);

// The value of parameter `key` in the query string `query`, percent-decoded; "" when absent.
absl::StatusOr<std::string> QueryValue(std::string_view query, std::string_view key);
// The `limit` parameter of `query`: `default_limit` when absent; InvalidArgument unless
// 1..`max`.
absl::StatusOr<size_t> LimitOf(std::string_view query, size_t default_limit, size_t max);

// A 405 answer allowing `allow` (e.g. "GET, HEAD").
http::Response NotAllowed(std::string_view allow);

// A user as the API shows it: name, organisation (id), roles, disabled, created; never a
// password hash (users_api.cc).
boost::json::object UserJson(const store::User& user);
// A token as the API shows it: everything but its secret, which is never stored.
boost::json::object TokenJson(const store::Token& token);

// Whether `principal` may see the partners (their names, nations and sync state): node
// administrators only (partners_api.cc).
bool SeesPartners(const identity::Principal& principal);
// The partners as GET /api/v1/partners lists them for `principal`: none unless
// SeesPartners(principal) (partners_api.cc).
boost::json::array PartnersJson(const identity::Principal& principal, const std::vector<store::Peer>& peers);

class ConsoleEndpoints {
 public:
  // Relationships and sightings shown on an object page at most.
  static constexpr size_t kMaxRelatedShown = 200;
  // Entries one scan through the released read reads at most (a list's page; bringing the
  // dashboard's counts up to date, which are counted again beyond it).
  static constexpr size_t kMaxScanned = 200'000;
  // Objects added since a collection's count that it is brought up to date with, at most
  // (beyond it, it is counted again).
  static constexpr size_t kMaxObjectsAdvanced = 10'000;
  static constexpr int kMaxScanRounds = 8;
  static constexpr size_t kMaxSightingsPage = 500;
  static constexpr size_t kMaxAuditShown = 1000;
  static constexpr size_t kMaxExercisesShown = 1000;
  // Answers kept (Kept, and the dashboard's counts): at most this many, this many per user
  // (kept_cache.h), each this long.
  static constexpr size_t kMaxKept = 1024;
  static constexpr size_t kMaxKeptPerUser = 32;
  static constexpr int64_t kKeptMaxAgeUs = 30'000'000;
  // The dashboard's kept counts are brought up to date from the entries added since; they are
  // counted again from the start after this long (what another process deletes shows within
  // it).
  static constexpr int64_t kRecountMaxAgeUs = int64_t{600} * 1'000'000;
  // Briefs computed at once (brief_api.cc): one per user, at most this many on the node.
  static constexpr size_t kMaxBriefsRunning = 2;
  // The largest body of a publish (TAXII's default max_content_length).
  static constexpr uint64_t kMaxPublishBytes = uint64_t{10} << 20;
  // The largest body of a users/... request (users_api.cc).
  static constexpr uint64_t kMaxUsersBodyBytes = 4096;

  // Every reference must outlive the endpoints. The counts, the sightings page and the brief
  // compute in SQL on report views of `db` (Database::OpenReportView), on SQLite and
  // PostgreSQL alike.
  ConsoleEndpoints(store::Database& db, policy::Policy& policy, taxii::AccessControl& access,
                   search::Searcher& searcher, taxii::Service& taxii, Clock& clock,
                   uint64_t max_import_bytes)
      : db_(db),
        policy_(policy),
        access_(access),
        searcher_(searcher),
        taxii_(taxii),
        clock_(clock),
        max_import_bytes_(max_import_bytes) {}

  // Returns the answer to `call`, or nullopt when no endpoint here has its path.
  std::optional<http::Response> Answer(const ApiCall& call);
  // The body limit of a request for `path` (after /api/v1/).
  http::BodyLimit MaxBody(std::string_view path) const;
  // Whether a POST or DELETE of `path` writes (else it runs with the reads: previews, checks).
  bool Writes(std::string_view path) const;

 private:
  http::Response Object(const ApiCall& call, std::string_view encoded_id);
  http::Response ValidatePattern(const ApiCall& call);
  http::Response ReleasePreview(const ApiCall& call);
  http::Response Publish(const ApiCall& call, std::string_view encoded_collection);
  http::Response Import(const ApiCall& call, std::string_view encoded_collection);
  http::Response Collections(const ApiCall& call);
  http::Response Dashboard(const ApiCall& call);
  http::Response Sightings(const ApiCall& call);
  http::Response Partners(const ApiCall& call);
  http::Response Audit(const ApiCall& call);
  http::Response Users(const ApiCall& call);
  http::Response Exercises(const ApiCall& call);
  http::Response Brief(const ApiCall& call);
  // The dashboard's counts for `principal` (all but the partners' rows): the kept ones
  // brought up to date, or counted again (dashboard_api.cc).
  absl::StatusOr<boost::json::value> DashboardCounts(const identity::Principal& principal,
                                                      const std::vector<store::Collection>& readable,
                                                      const std::vector<store::Peer>& peers, int64_t today_us);
  // Counts into `tally` (new, with through_us the window's start) the entries added up to
  // `through_us`, in SQL (ReleasedCounter), exactly. Errors: the store's, the policy's.
  absl::Status CountTally(const identity::Principal& principal, const std::vector<store::Collection>& readable,
                          const std::vector<store::Peer>& peers, int64_t today_us, int64_t through_us,
                          DashboardTally& tally);
  // Adds to `tally` the entries added after tally.through_us up to `through_us`, and those a
  // push cursor moved past, as released to `principal`. Returns false when the tally cannot
  // be brought up to date (a push cursor moved back, a marking definition was added, more
  // than kMaxScanned entries to read): `tally` is then unspecified and must be counted again.
  // Errors: the store's, the policy's.
  absl::StatusOr<bool> AdvanceTally(const identity::Principal& principal,
                                    const std::vector<store::Collection>& readable,
                                    const std::vector<store::Peer>& peers, int64_t today_us, int64_t through_us,
                                    DashboardTally& tally);

  // The collections (of every API root) the principal may read.
  absl::StatusOr<std::vector<store::Collection>> Readable(const identity::Principal& principal);
  // Calls `each` for every entry of `collection` released to the principal (the released
  // read, policy::ReleasedReader), without JSON unless `with_json`, oldest first, that
  // matches `filter`; at most kMaxScanned entries. Returns whether it stopped at the bound.
  absl::StatusOr<bool> ScanReleased(const identity::Principal& principal, const store::Collection& collection,
                                    const store::ObjectFilter& filter, bool with_json,
                                    const std::function<void(const store::StoredObject&)>& each);

  // The exercise results held (every period) that the principal may read, newest first
  // (exercises_api.cc).
  absl::StatusOr<std::vector<store::ExerciseResultRow>> ReleasedExerciseResults(
      const identity::Principal& principal);
  // The value kept under `key`, or `build`'s, then kept (filed under `owner`, a user name).
  // A kept value serves while the store's stamp (its change count and last date_added, read
  // before `build` runs) is unchanged, for at most kKeptMaxAgeUs (what another process
  // deletes shows within it).
  // REQUIRES: `key` holds everything but the store's content that the value depends on (for
  // released reads: policy::ReleaseKey and the policy::CollectionKey of the collections read).
  // `built_us`, when given, is set to when the value was built. Errors: `build`'s, the store's.
  absl::StatusOr<std::shared_ptr<const boost::json::value>> Kept(
      const std::string& owner, std::string key,
      const std::function<absl::StatusOr<boost::json::value>()>& build,
      int64_t* built_us = nullptr);

  // The collection `id` (in any API root) when the principal may write to it; nullopt when
  // it may not or there is none.
  absl::StatusOr<std::optional<store::Collection>> WritableCollection(const identity::Principal& principal,
                                                                      std::string_view id);

  store::Database& db_;
  policy::Policy& policy_;
  taxii::AccessControl& access_;
  search::Searcher& searcher_;
  taxii::Service& taxii_;
  Clock& clock_;
  const uint64_t max_import_bytes_;

  // What a kept answer was built from (read before building it): the store's change and
  // delete counts (this process) and last date_added (any process). What the directory
  // decides is in the keys: the caller's release key, the collections' policy settings
  // (policy::CollectionKey).
  struct KeptStamp {
    int64_t changes = 0;
    int64_t deletes = 0;
    int64_t last_added = 0;
    bool operator==(const KeptStamp&) const = default;
  };
  absl::StatusOr<KeptStamp> StampNow();
  // The number of objects of `collection` released to `principal` (collections_api.cc): kept
  // per release key and policy::CollectionKey, brought up to date from the entries added since
  // (ReleasedCounter::ObjectsAdded), counted again (ReleasedCounter::CountObjects) when
  // nothing is kept, after a change that added nothing (a delete), kRecountMaxAgeUs after the
  // last counting, or while a marking definition may still be unknown to the policy. `stamp` and
  // `now_us` were read before anything else; the request's `views` of `counted` (the
  // collections it counts) are opened when first needed.
  struct CountViews {
    std::unique_ptr<store::Connection> all;    // every entry: a recount, or any update
    std::unique_ptr<store::Connection> since;  // the entries added after since_after_us
    int64_t since_after_us = 0;
  };
  absl::StatusOr<int64_t> ObjectCount(const identity::Principal& principal,
                                      const store::Collection& collection, const KeptStamp& stamp,
                                      int64_t now_us, const std::vector<store::Collection>& counted,
                                      CountViews& views);
  struct KeptValue {
    KeptStamp stamp;  // before building
    int64_t built_us = 0;
    std::shared_ptr<const boost::json::value> value;
  };
  absl::Mutex kept_mu_;
  KeptCache<KeptValue> kept_ ABSL_GUARDED_BY(kept_mu_){kMaxKeptPerUser, kMaxKept};
  struct KeptCount {
    int64_t objects = 0;
    int64_t through_us = 0;  // entries up to this date_added are counted
    int64_t changes = 0;     // LocalContentChanges when through_us was read
    int64_t deletes = 0;     // LocalDeletes then: a delete since, and it is counted again
    int64_t counted_us = 0;  // when it was counted from nothing
    int64_t settled_us = 0;  // a counting before it is made again (a new marking definition)
  };
  // The collections' counts, per release key and policy::CollectionKey.
  KeptCache<KeptCount> object_counts_ ABSL_GUARDED_BY(kept_mu_){kMaxKeptPerUser, kMaxKept};
  // The dashboard's counts, per DashboardKey.
  KeptCache<std::shared_ptr<const DashboardTally>> tallies_ ABSL_GUARDED_BY(kept_mu_){
      kMaxKeptPerUser, kMaxKept};
  ComputeGate briefs_{kMaxBriefsRunning};
};

}  // namespace kizuna::api
