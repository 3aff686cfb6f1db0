// Kizuna. The audience's released read for a brief: the entries of two periods that the
// policy releases to it, as temporary tables the figures are computed from in SQL.
#pragma once

// A brief never loads objects into memory: its figures are SQL aggregates over the temporary
// table `brief_rows` and the views over it, which hold exactly the entries of the audience's
// collections, added in the current or the previous period, that policy::Policy::Filter
// releases to the audience. It is built in one read of the period's entries:
//
//   1. `brief_rows`: the objects whose current version (TAXII's default: the last version of
//      the highest spec version held) was added in one of the two periods, one row per
//      collection holding it, with what the policy decides on (the collection, type, creator,
//      adder, provenance and markings) gathered into a group number `grp`, and, for sightings
//      and relationships, the refs the figures group by (their JSON is read only there). The
//      groups are numbered while the rows are read, by a function of this connection
//      (`brief_group`, a hash map of the facts: no sort, no join);
//   2. every group (few, as objects share a handful of markings and creators) is decided once,
//      by Policy::Filter over one representative entry, for the audience's principal: the
//      decision depends on nothing else, so all entries of a group share it. Entries with
//      granular markings are decided one by one, with their JSON (a redaction can withhold
//      them);
//   3. `brief_allowed`: the released groups, with their TLP and releasability label;
//      `brief_released` (a view): the rows of released groups; `brief_objects`: the same
//      without marking and extension definitions. An object whose current version is withheld
//      is not counted (nor is an older version of it), which can only count less than the
//      audience reads.
// Columns: see released_rows.cc. Other decisions over the same groups (what was pushed to a
// peer: DecideGroups) need no further reads of the entries.
//
// The connection is the store's report view (store/report_view.h): SQLite's file itself, or,
// on a PostgreSQL node, the same tables filled from one snapshot, so this SQL (SQLite's, with
// json_extract and brief_group) is the only one, whatever the store.
// Thread-safety: belongs to one thread, as its connection.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/policy/policy.h"
#include "kizuna/report/audience.h"
#include "kizuna/report/labels.h"
#include "kizuna/report/period.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::report {

// The facts the policy decides on, shared by every entry of a group.
struct EntryGroup {
  int64_t grp = 0;
  int64_t collection_pk = 0;
  std::string type, created_by_ref, added_by, added_by_nation, markings;
  bool received = false;
};

class ReleasedRows {
 public:
  // `sql` is a report view (store/report_view.h) of the store `policy` decides over; both must
  // outlive this.
  ReleasedRows(store::Connection& sql, policy::Policy& policy, store::Store& store)
      : sql_(sql), policy_(policy), labels_(store) {}

  // Builds the temporary tables (dropping those of an earlier call) for `audience` over
  // `current` (period 0) and `previous` (period 1). Errors: the store's and the policy's.
  absl::Status Build(const Audience& audience, const Period& current, const Period& previous);

  // Returns the groups of released entries (granular ones excepted) that `principal` would
  // also be released, by collection (e.g. a peer: what this node may push to it).
  absl::StatusOr<std::vector<const EntryGroup*>> DecideGroups(const identity::Principal& principal,
                                                               const std::vector<store::Collection>& collections);

  // The released groups, by grp.
  const absl::flat_hash_map<int64_t, EntryGroup>& groups() const { return groups_; }
  // collection pk -> id, of the audience's collections.
  const absl::flat_hash_map<int64_t, std::string>& collection_ids() const { return collection_ids_; }
  MarkingLabels& labels() { return labels_; }

 private:
  absl::Status LoadRows(const Audience& audience, const Period& current, const Period& previous);
  absl::Status DecideAllGroups(const Audience& audience);
  absl::Status DecideGranular(const Audience& audience);
  absl::Status Materialise();
  struct Grouper;
  absl::StatusOr<std::vector<const EntryGroup*>> Decide(const identity::Principal& principal,
                                                         const std::vector<store::Collection>& collections,
                                                         const absl::flat_hash_map<int64_t, EntryGroup>& source);

  store::Connection& sql_;
  policy::Policy& policy_;
  MarkingLabels labels_;
  absl::flat_hash_map<int64_t, std::string> collection_ids_;
  absl::flat_hash_map<int64_t, EntryGroup> all_groups_;  // every group met, released or not
  absl::flat_hash_map<int64_t, EntryGroup> groups_;      // released
};

}  // namespace kizuna::report
