// Kizuna. Adding object versions to a collection inside one write transaction of the SQLite
// store: the version checks, the date_added sequence, and multi-row inserts.
#pragma once

// Each object goes through: the exercise rule (an object carrying the exercise marking enters
// exercise collections only: docs/security.md rule 6), the writer's rules (store.h, Writer), the id filter (a new id
// needs no lookup), the lookup of stored versions of its id (already present? same version
// with other content? a new version by another creator, or by a partner of an object written
// here or created by one of this node's organisations? other versions in this collection whose first/last flags change?
// For an unversioned object, SCOs included, only this collection's copies count), then its row. A
// marking definition is checked against the node's first definition of its id
// (marking_definitions), and becomes it when there is none. New rows are inserted
// `kRowsPerInsert` at a time, which halves SQLite's per-row statement overhead. Their ids
// (entry_ids.h) wait until Finish(), to be written, sorted, as the transaction's run.
// Pending rows are written before any lookup or flag update that must see them; pending
// ids are given to those as a list of the entries of the id (PendingEntries).
// Thread-safety: used under the store's write mutex, inside an open transaction.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/id_filter.h"
#include "kizuna/store/sqlite/index_writer.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/store.h"

namespace kizuna::store::sqlite_internal {

class Adder {
 public:
  static constexpr size_t kRowsPerInsert = 32;

  // `first_date_added_us` is the date_added of the first new entry; later ones follow it.
  // `id_run` is the run new entries' ids go to (entry_ids.h, StartIdRun). `writer` (and the
  // strings it views) must outlive the adder; a partner's name is the entries' origin.
  Adder(Connection& db, const IdHashKey& key, IdFilter& filter, int64_t collection_pk,
        int64_t now_us, int64_t first_date_added_us, int64_t id_run, const Writer& writer = {});

  // Adds one object version (the row may stay pending until Finish()).
  absl::StatusOr<AddResult> Add(const NewObject& object);

  // Whether the collection is an exercise collection (store.h, Collection::exercise); when it
  // is not, objects carrying the exercise marking are refused.
  void set_exercise_collection(bool exercise) { exercise_collection_ = exercise; }

  // Indexes every entry added from now on with `index` (null: none); must outlive the adder.
  void set_index(IndexWriter* index) { index_ = index; }

  // Writes the pending rows and ids. Returns the last date_added given out (or the one
  // before the first, if none was).
  absl::StatusOr<int64_t> Finish();

 private:
  struct Row {
    int64_t date_added_us, version_ns, spec, revoked, id_hash, granular_refs;
    std::optional<int64_t> valid_from_us, valid_until_us;
    std::string_view id, type, creator, json;  // views into the caller's objects
    std::string version, markings;
  };
  // Looks up the stored versions of the object's id and sets the members below: in any
  // collection for a versioned object; in this collection only for an unversioned one (SCOs:
  // their ids derive from their values, so a write that answered by copies held elsewhere
  // would tell anyone who can compute an id whether the node holds that value, in
  // collections the writer cannot read). `creator` is the new version's creator (after
  // attribution).
  absl::Status FindKnown(const stix::ObjectIndex& index, int64_t id_hash, int64_t version_ns,
                         int64_t spec, std::string_view creator);
  // Returns why the writer may not write `object` as created by `creator` (the writer's
  // rules; another definition under a marking id the node holds), or "". A marking
  // definition under an id new to the node becomes the node's definition of that id.
  absl::StatusOr<std::string> CheckRules(const NewObject& object, std::string_view creator);
  // The reason of a conflict with the version FindKnown found, naming the collection that
  // holds it, for the operator only (others may not learn of collections they cannot read);
  // "" for other writers (the result then gives kConflictReason).
  absl::StatusOr<std::string> ConflictPlace();
  // Whether `creator` is one of this node's own organisations: held, and not a partner's
  // (Organization::partner, of a peer's nation, or with a `peer` user). Cached per adder.
  absl::StatusOr<bool> IsOwnOrganization(std::string_view creator);
  // The INSERT of `rows` rows, from full_insert_ when `rows` is kRowsPerInsert.
  absl::StatusOr<Statement*> Insert(size_t rows);
  absl::Status FlushRows();
  // The date_added of the pending ids of `id_hash`, as a JSON array.
  std::string PendingEntries(int64_t id_hash) const;

  Connection& db_;
  const IdHashKey& key_;
  IdFilter& filter_;
  const int64_t collection_pk_;
  const int64_t now_us_;
  const int64_t id_run_;
  const Writer& writer_;
  const std::string_view origin_;  // a partner's name; empty otherwise
  int64_t next_added_us_;
  std::vector<Row> rows_;
  std::vector<IdPair> ids_;
  absl::flat_hash_map<std::string, bool> own_organization_;  // IsOwnOrganization's answers
  IndexWriter* index_ = nullptr;
  bool exercise_collection_ = false;
  // The kRowsPerInsert-row INSERT, once prepared.
  Statement* full_insert_ = nullptr;
  // What FindKnown found for the current object.
  int64_t same_version_at_ = 0;
  int64_t same_version_collection_ = 0;  // the pk of the collection of same_version_at_
  bool same_version_here_ = false;
  bool other_versions_here_ = false;
  bool other_creator_ = false;   // a stored version has another creator
  bool written_here_ = false;    // a stored version was written on this node (no origin)
};

}  // namespace kizuna::store::sqlite_internal
