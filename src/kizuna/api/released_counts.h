// Kizuna. Exact counts of a principal's released read, aggregated in SQL per group of entries
// that share every fact the policy decides on: the console's collection counts and dashboard.
#pragma once

// Counting by reading every entry through policy::ReleasedReader costs a second per million
// entries; these counts read no JSON and make no decision per entry, yet equal the length of
// the released read exactly:
//   1. one SQL pass over the entries gives each row its group, the facts policy::Policy
//      decides on (collection, type, creator, adder and its nation, provenance, markings),
//      through a function of the connection (`kz_count`: a hash map, no sort, no join), and
//      adds the row to its group's count under its UTC day and its segment of `bounds`;
//   2. each group is decided once, by Policy::Filter over one entry standing for it (its
//      facts): the decision depends on nothing else, so every entry of the group shares it.
//      An entry with granular markings is a group of its own, read with its JSON and decided
//      alone (a redaction can withhold it).
// TallyEntries counts every version added in a range (the dashboard's read: all versions, no
// stand-ins). CountObjects counts TAXII's default read, the last version of each object: where
// that version is withheld and the object has other versions of its spec version, a released
// version stands in for it in the released read (ReleasedReader), so such an object counts
// when any of its versions is released; only those objects are read, one by one.
//
// The SQL runs on the store's report view (store/report_view.h: SQLite's file itself, or the
// same tables filled from a snapshot of PostgreSQL), so the counts are made the same way on
// either store.
//
//   KZ_ASSIGN_OR_RETURN(auto sql, db.OpenReportView(CountScope({collection}, after, through)));
//   ReleasedCounter counter(*sql, db, policy);
//   KZ_ASSIGN_OR_RETURN(int64_t n, counter.CountObjects(principal, collection));
//
// Thread-safety: belongs to one thread, as its connection.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/report_view.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/store.h"

namespace kizuna::api {

inline constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;
// How long after a marking definition is added the policy may still hold its id as unknown
// (policy::PolicyOptions::unknown_marking_ttl_us): a count made within it is made again.
inline constexpr int64_t kMarkingSettleUs =
    policy::PolicyOptions{}.unknown_marking_ttl_us + 1'000'000;

// The entries of one group: what the policy decides on, and how many there are.
struct CountedGroup {
  size_t collection = 0;      // its index among the collections counted
  store::StoredObject entry;  // stands for the group: its facts; the JSON of a granular entry
  int64_t last_added_us = 0;  // the newest date_added counted in it
  // Entries by (UTC day start, segment of the bounds): segment k holds the entries added
  // after bounds[k-1] up to bounds[k], and bounds.size() those after the last bound.
  std::map<std::pair<int64_t, size_t>, int64_t> counts;
};

// The rows of a report view the counts of `collections` read over (after_us, through_us]:
// every version of their entries (and every marking definition) added in that range.
// CountObjects reads every entry: (min, max].
store::ReportScope CountScope(const std::vector<store::Collection>& collections,
                              int64_t after_us = std::numeric_limits<int64_t>::min(),
                              int64_t through_us = std::numeric_limits<int64_t>::max());

class ReleasedCounter {
 public:
  // `sql` is a report view of the store `store` is (Database::OpenReportView, holding at least
  // CountScope of what is counted); every reference must outlive the counter.
  ReleasedCounter(store::Connection& sql, store::Store& store, policy::Policy& policy)
      : sql_(sql), store_(store), policy_(policy) {}

  // The groups of the entries (every version) of `collections` added in (after_us,
  // through_us], counted by day and by segment of `bounds` (ascending). Errors: the store's.
  absl::StatusOr<std::vector<CountedGroup>> TallyEntries(
      const std::vector<store::Collection>& collections, int64_t after_us, int64_t through_us,
      const std::vector<int64_t>& bounds);

  // Whether the policy releases each of `groups` (counted over `collections`) to
  // `principal`; the groups stay as stored (another principal is asked about the same
  // copies). Errors: the policy's (nothing is released then).
  absl::StatusOr<std::vector<bool>> Release(const identity::Principal& principal,
                                            const std::vector<store::Collection>& collections,
                                            const std::vector<CountedGroup>& groups);

  // The number of objects of `collection` that TAXII's default read (the last version of each
  // object) releases to `principal`. Errors: the store's, the policy's.
  absl::StatusOr<int64_t> CountObjects(const identity::Principal& principal,
                                       const store::Collection& collection);

  // How CountObjects's answer for `collection` changed with the entries added in (after_us,
  // through_us] (and nothing deleted): each object they are versions of is read, with its
  // versions, and counted as it was after after_us and as it is after through_us. nullopt
  // when the count must be made again: a marking definition was added in the range (in any
  // collection: it can release entries withheld before), or the entries name more than
  // `max_objects` objects. Errors: the store's, the policy's.
  absl::StatusOr<std::optional<int64_t>> ObjectsAdded(const identity::Principal& principal,
                                                      const store::Collection& collection,
                                                      int64_t after_us, int64_t through_us,
                                                      size_t max_objects);

  // The newest date_added of the store's entries (0 when there is none). Errors: the store's.
  absl::StatusOr<int64_t> LastEntryAdded();
  // The newest date_added of a marking definition added in (after_us, through_us], in any
  // collection; 0 when there is none. Errors: the store's.
  absl::StatusOr<int64_t> LastDefinitionAdded(int64_t after_us, int64_t through_us);

 private:
  struct Pass;
  // The newest date_added of the entries `where` selects (?1 = after_us, ?2 = through_us).
  absl::StatusOr<int64_t> Newest(std::string_view where, int64_t after_us, int64_t through_us);
  // The pks of `collections` as an SQL list ("NULL" when there are none), with their
  // indexes in `index_of` when it is not null.
  absl::StatusOr<std::string> PkList(const std::vector<store::Collection>& collections,
                                     absl::flat_hash_map<int64_t, size_t>* index_of);
  // Calls kz_count over every entry of `collections` that `where` (after WHERE, on entries e,
  // ?1 = after_us, ?2 = through_us) selects; `stand_in` says whether an entry's object may
  // have another version standing in for it.
  absl::Status Count(Pass& pass, const std::vector<store::Collection>& collections,
                     std::string_view where, std::string_view stand_in, int64_t after_us,
                     int64_t through_us);

  store::Connection& sql_;
  store::Store& store_;
  policy::Policy& policy_;
};

}  // namespace kizuna::api
