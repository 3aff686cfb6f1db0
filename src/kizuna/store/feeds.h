// Kizuna. Scheduled feeds: URLs the node fetches on a schedule and imports into a collection.
#pragma once

// FeedStore is the persistent half of scheduled feeds (docs/feeds.md, "Scheduled feeds"): a
// feed is a URL (https://, or http:// to a loopback host: peer_url.h), a format, a collection,
// the user whose grants and organisation every run writes with, a period, limits, and how to
// authenticate to the server (as peers do: none, a Bearer token or Basic, the secret sealed
// with the node's key and never listed). Each run saves its outcome (SaveFeedRun): the
// conditional-request validators, the counts and the last error. Adding and removing feeds
// is audited ("feed.add", "feed.remove") in the same transaction; the audit details never
// hold a secret. SqliteStore and PgStore implement it; FeedsOf gives it for a node's Database.
//
//   FeedStore& feeds = FeedsOf(db);
//   KZ_RETURN_IF_ERROR(feeds.AddFeed("cli", feed));
//   KZ_ASSIGN_OR_RETURN(std::vector<Feed> all, feeds.ListFeeds());
//
// Errors: InvalidArgument for a malformed field (naming it), AlreadyExists for a duplicate
// name, NotFound for an unknown feed or collection.
// Thread-safety: all methods are safe to call concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/store/peers.h"

namespace kizuna::store {

// What a feed's body holds.
enum class FeedKind : uint8_t {
  kMisp,   // a MISP event or event list (ingest/misp.h)
  kCsv,    // a CSV list of values (detect/feed.h)
  kLines,  // one value a line (detect/feed.h)
  kStix,   // a STIX bundle, envelope, list or JSON lines (ingest/importer.h)
  kTaxii,  // a TAXII 2.1 collection: the objects added since the last run (sync/feed_taxii.h)
};

// "misp", "csv", "lines", "stix", "taxii"; and back (nullopt for anything else).
std::string_view FeedKindName(FeedKind k);
std::optional<FeedKind> ParseFeedKind(std::string_view name);

// Bounds of a feed's settings.
inline constexpr int64_t kMinFeedEveryUs = 1'000'000;              // 1 s
inline constexpr int64_t kMaxFeedEveryUs = 366LL * 86400'000'000;  // a year
inline constexpr int64_t kMinFeedTimeoutMs = 100;
inline constexpr int64_t kMaxFeedTimeoutMs = 3'600'000;            // an hour
inline constexpr int64_t kMaxFeedBodyBytes = 1LL << 30;            // 1 GiB
inline constexpr size_t kMaxFeedUrlBytes = 2048;
inline constexpr size_t kMaxFeedMapBytes = 1024;
inline constexpr size_t kMaxFeedErrorBytes = 1024;
inline constexpr size_t kMaxFeedValidatorBytes = 256;  // an ETag or Last-Modified kept

struct Feed {
  std::string name;        // [a-z0-9._-]{1,64}, unique on the node
  std::string url;         // what is fetched: https://host[:port]/path, http:// for loopback
  FeedKind kind = FeedKind::kLines;
  std::string collection;  // the local collection's id
  std::string as_user;     // the user the runs write as (its grants, its organisation)
  int64_t every_us = 3600'000'000;
  std::string field_map;   // csv: "value=ip,family=threat" renames columns; else empty
  int64_t timeout_ms = 60'000;             // the whole fetch
  int64_t max_bytes = 256LL << 20;         // the largest body read
  PeerAuth auth = PeerAuth::kNone;
  std::string basic_user;  // kBasic
  std::string secret;      // kBearer: the token; kBasic: the password. Sealed in the store
  std::string ca_file;     // PEM CAs to trust; empty: the system's
  int64_t created_us = 0;
  // State, written by SaveFeedRun (ignored by AddFeed).
  // Validators of the last body imported; for a taxii feed, last_modified holds the
  // X-TAXII-Date-Added-Last of the last page imported (the next run's added_after).
  std::string etag, last_modified;
  int64_t runs = 0;                 // runs that reached the server and got an answer or failed
  int64_t not_modified = 0;         // runs answered 304 Not Modified
  int64_t new_objects = 0;          // objects added that the node did not hold
  int64_t updated_objects = 0;      // new versions of objects the node held
  int64_t rejected_objects = 0;     // objects or values refused or invalid
  std::optional<int64_t> last_run_us, last_success_us, last_error_us;
  std::string last_error;           // of the last failed run; cleared by a success
  int failures = 0;                 // consecutive failed runs
};

// The outcome of one run, for SaveFeedRun.
struct FeedRunRecord {
  bool ok = true;
  bool not_modified = false;
  // ok and not not_modified: the new validators; a failed run: empty, but for a taxii feed's
  // cursor after the pages it imported before failing (kept when not empty).
  std::string etag, last_modified;
  // The feed's last_modified as the run read it before it began (a taxii feed's cursor: the
  // run's added_after). When set and another run (`kizuna feed run` beside the node's
  // schedule) stored its validators meanwhile, the run's are stored only if they are a taxii
  // cursor later than the other's (compared as times): a cursor is never moved back, which
  // would pull again what was deleted here since. The run's counts are recorded either way.
  // nullopt: the validators are replaced as they come. (ValidatorsAfterRun.)
  std::optional<std::string> began_at;
  int64_t new_objects = 0, updated_objects = 0, rejected_objects = 0;
  std::string error;                // !ok: why
  int64_t time_us = 0;
  // The epoch of the lead the run's pass runs under (PeerStore::LeadFederationEpoch); 0 for
  // a process that does not lead (`kizuna feed run`). PgStore records no run of a lead that
  // has ended (FailedPrecondition).
  int64_t lead_epoch = 0;
};

// A feed's conditional-request validators (a taxii feed: last_modified is its cursor).
struct FeedValidators {
  std::string etag, last_modified;
};

// The validators a feed of `kind` keeps after `run`, given those `stored` when the run's write
// begins (read in the same write transaction): a 304 keeps them; a success replaces them; a
// failure replaces only a non-empty last_modified (a taxii feed's cursor after the pages it
// imported). With run.began_at set and no longer what is stored, only a taxii cursor later
// than the stored one replaces it (timestamps compared as instants; one that does not parse
// replaces nothing). Used by both stores' SaveFeedRun.
FeedValidators ValidatorsAfterRun(FeedKind kind, const FeedValidators& stored,
                                  const FeedRunRecord& run);

class FeedStore {
 public:
  virtual ~FeedStore() = default;
  FeedStore(const FeedStore&) = delete;
  FeedStore& operator=(const FeedStore&) = delete;

  // Adds a feed (its settings checked: name, URL, bounds, collection). `actor` names who did
  // it in the audit log.
  absl::Status AddFeed(std::string_view actor, const Feed& feed);
  // Feeds by name, with their state (secrets opened).
  absl::StatusOr<std::vector<Feed>> ListFeeds();
  absl::StatusOr<Feed> GetFeed(std::string_view name);
  absl::Status RemoveFeed(std::string_view actor, std::string_view name);
  // Records a run: counts added, validators as ValidatorsAfterRun decides, error and failures
  // kept (not ok). NotFound when the feed was removed meanwhile.
  absl::Status SaveFeedRun(std::string_view name, const FeedRunRecord& run);

 protected:
  FeedStore() = default;

 private:
  virtual absl::Status DoAddFeed(std::string_view actor, const Feed& feed) = 0;
  virtual absl::StatusOr<std::vector<Feed>> DoListFeeds(std::string_view name) = 0;  // all when empty
  virtual absl::Status DoRemoveFeed(std::string_view actor, std::string_view name) = 0;
  virtual absl::Status DoSaveFeedRun(std::string_view name, const FeedRunRecord& run) = 0;
};

class Database;

// The FeedStore of the node's database (the stores implement it beside Database).
// REQUIRES: `db` was opened by store::OpenDatabase.
FeedStore& FeedsOf(Database& db);

// Checks `feed`'s settings; InvalidArgument names the field and the rule.
absl::Status ValidateFeed(const Feed& feed);

}  // namespace kizuna::store
