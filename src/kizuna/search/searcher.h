// Kizuna. Search and correlation as one principal may see them: observable lookups, full
// text, and the objects related to an object, each through the policy.
#pragma once

// Every answer is built from index hits (store/search_index.h) that are read as entries,
// kept only from collections the principal may read (its grants, as TAXII checks them) and
// passed through policy::Policy::Filter for the principal BEFORE anything is counted,
// ordered, cut or followed: an entry the principal may not read gives no result, no count,
// no "more" and no correlation edge (a relationship is followed only when the relationship
// itself and the object at its other end are both released). A redacted copy (granular
// markings) counts only if the value is still in what is released: its values and text are
// extracted again from the redacted JSON. Limits apply after filtering, and `more` says that
// further released results exist (or that the scan stopped at kMaxEntriesScanned entries,
// as policy::ReleasedReader's pages do). One result per object: its newest released version.
//
// Address blocks: an address finds the objects whose blocks contain it ("in-range"); a block
// finds the objects carrying addresses inside it ("in-block"), read from the index by the
// text prefix of the block's canonical form (IPv4: its whole octets; IPv6: its leading
// non-zero groups; an IPv6 block whose first group is zero or shorter than /16 lists none).
//
// Common values: a value shared by at least `common_threshold` released objects, or listed
// by a warninglist (the `listed` callback, e.g. the detection engine's allowlists), is marked
// `common`; correlations through common values come after the others and carry the mark,
// so they are shown, never silently cut, and do not drown the rest.
//
//   search::Searcher searcher(store, index, policy);
//   KZ_ASSIGN_OR_RETURN(search::ObservableAnswer a, searcher.Observable(principal, "10.1.2.3", {}));
//
// Thread-safety: safe for concurrent use, as the store and the policy are.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/policy.h"
#include "kizuna/search/extract.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/store.h"

namespace kizuna::search {

// Why a result matched or is related.
struct Reason {
  std::string relation;  // "value", "in-range", "in-block", "sighting-of", "sighted-by",
                         // "relationship", "refers-to", "referred-by"
  std::string path;      // where the value is in the result (object path or property)
  std::string value;     // the normalised value (or block) shared
  std::string via;       // the relationship or sighting id it goes through; "" when direct
  std::string relationship_type;  // for "relationship": its relationship_type
  bool common = false;   // the value is common (see above)
  std::string block;     // for "in-block": the asked object's block that holds `value`
};

struct Result {
  std::string collection_id;
  store::StoredObject object;  // the newest released version; JSON as released (maybe redacted)
  std::string name;            // the object's name, when it has one
  std::vector<Reason> reasons;
  bool common_only = false;    // every reason goes through a common value
};

struct Answer {
  std::vector<Result> results;
  bool more = false;      // more released results exist beyond the limit
  bool index_complete = true;  // false: stale (`kizuna index rebuild`) or behind (catching up)
};

struct ObservableAnswer : Answer {
  std::string value;      // the value asked, normalised
  bool common = false;    // the value is common
  std::string listed_in;  // the warninglist that lists it, if any
};

struct TextRequest {
  std::string query;                       // words, all of which must occur
  std::vector<std::string> types = {};
  std::vector<std::string> collections = {};      // ids
  std::vector<std::string> tlp = {};              // levels ("clear", "white", "green", "amber", ...)
  std::vector<std::string> creator_nations = {};  // ISO 3166-1 alpha-3
  int64_t added_after_us = 0, added_before_us = 0;
  bool valid_now = false;
};

struct SearchOptions {
  // Results returned at most. Default 50; at most kMaxLimit.
  size_t limit = 50;
};

class Searcher {
 public:
  static constexpr size_t kMaxLimit = 1000;
  // Entries read from the index per answer at most (per value in Related).
  static constexpr size_t kMaxEntriesScanned = 20'000;
  // Released objects from which a value is common. Default 50.
  static constexpr size_t kDefaultCommonThreshold = 50;

  // Returns the name of the warninglist listing a normalised value, or "".
  using ListedFn = std::function<std::string(std::string_view value)>;
  // Returns whether the principal may read the collection at all (its grants: the TAXII
  // layer's GrantAccessControl); entries of other collections are dropped before the policy.
  using MayReadFn = std::function<absl::StatusOr<bool>(const identity::Principal&, const store::Collection&)>;

  // Every reference must outlive the searcher; `directory` may be null (no creator nations).
  // REQUIRES: `may_read` is set.
  Searcher(store::Store& store, store::SearchIndex& index, policy::Policy& policy,
           store::Directory* directory, Clock& clock, MayReadFn may_read, ListedFn listed = nullptr,
           size_t common_threshold = kDefaultCommonThreshold);

  // The objects carrying `value` (normalised first), and those whose address blocks contain
  // it (for an address or block). InvalidArgument for an empty value or one over
  // store::kMaxIndexedValueBytes.
  absl::StatusOr<ObservableAnswer> Observable(const identity::Principal& principal, std::string_view value,
                                              const SearchOptions& options);
  // Full-text search (FTS5) with filters, best match first. A word repeated counts once.
  // InvalidArgument for a query with no words, over kMaxQueryBytes, or of more than
  // kMaxQueryWords distinct words (each is one more phrase FTS5 intersects and ranks);
  // DeadlineExceeded when ranking the matches in the collections the principal may read
  // takes longer than store::TextQuery::kDefaultTextDeadlineMs.
  static constexpr size_t kMaxQueryBytes = 1024;
  static constexpr size_t kMaxQueryWords = 8;
  absl::StatusOr<Answer> Text(const identity::Principal& principal, const TextRequest& request,
                              const SearchOptions& options);
  // The objects related to `object_id`, each with why. NotFound, with the same words whether
  // the object does not exist or the principal may not read it.
  absl::StatusOr<Answer> Related(const identity::Principal& principal, std::string_view object_id,
                                 const SearchOptions& options);
  // Every version of `object_id` released to the principal, in every collection it may
  // read (collection grants, then the policy, as Related), ordered by version then
  // date_added; empty when there is none (absent and withheld read alike).
  absl::StatusOr<std::vector<store::LocatedObject>> Versions(const identity::Principal& principal,
                                                             std::string_view object_id);

 private:
  // Returns the entries of `hits` released to the principal (in hit order), each with the
  // hit, dropping redacted copies that no longer carry the hit's value.
  struct ReleasedHit {
    store::LocatedObject entry;
    store::IndexHit hit;
  };
  absl::StatusOr<std::vector<ReleasedHit>> ReleaseHits(const identity::Principal& principal,
                                                       std::vector<store::IndexHit> hits);
  // Returns the entries released to the principal, in the order given; `redacted` (if not
  // null) receives the date_added of those released redacted.
  absl::StatusOr<std::vector<store::LocatedObject>> Release(const identity::Principal& principal,
                                                            std::vector<store::LocatedObject> entries,
                                                            std::vector<int64_t>* redacted = nullptr);
  // The newest version of `object_id` released to the principal, or nullopt.
  absl::StatusOr<std::optional<store::LocatedObject>> ReleasedObject(const identity::Principal& principal,
                                                                     std::string_view object_id);
  // Scans the entries carrying `value` (up to kMaxEntriesScanned), released, until `stop_at`
  // distinct objects are found; calls `each` for every released hit.
  absl::Status ScanValue(const identity::Principal& principal, const std::string& value, size_t stop_at,
                         const std::function<void(ReleasedHit&&)>& each, bool* stopped);
  // Scans the addresses (and narrower blocks) inside `block` that index rows carry, in value
  // order, released, until `stop_at` distinct objects are found or kMaxEntriesScanned rows
  // were read (`stopped`: more rows follow). A value reaching common_threshold_ released
  // objects (or listed) is common: its further rows are skipped. Calls `each` for every
  // released hit with whether its value is common (known once the value's rows are read).
  absl::Status ScanBlock(const identity::Principal& principal, const store::IndexedRange& block, size_t stop_at,
                         const std::function<void(ReleasedHit&&, bool common)>& each, bool* stopped);
  absl::StatusOr<size_t> ReleasedCount(const identity::Principal& principal, const std::string& value,
                                       size_t stop_at);
  absl::StatusOr<bool> IsCommon(const identity::Principal& principal, const std::string& value);
  absl::StatusOr<bool> Complete();

  store::Store& store_;
  store::SearchIndex& index_;
  policy::Policy& policy_;
  store::Directory* directory_;
  Clock& clock_;
  MayReadFn may_read_;
  ListedFn listed_;
  const size_t common_threshold_;
  const Extractor extractor_;
};

}  // namespace kizuna::search
