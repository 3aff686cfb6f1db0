// Kizuna. Adding object versions to a collection inside one write transaction of the
// PostgreSQL store: the same checks and outcomes as the SQLite store's Adder (sqlite/adder.h).
#pragma once

// The stored entries of every id of a batch are read in one query first (Prefetch), and the
// entries the batch adds join them in memory, so each object is decided without a round trip:
// the exercise rule, the writer's rules (store.h, Writer), the same version already held (in
// this collection: kAlreadyPresent; with other content anywhere: kConflict), a new version by
// another creator, or by a partner of an object first written here, and a partner's new object
// created by one of this node's organisations (one query per creator and batch). Marking
// definitions are checked against the node's first definition of their id (one query each).
// New rows are written kRowsPerInsert at a time at Finish(), after the version flags of the
// ids that gained versions are recomputed over their stored and new entries.
// Thread-safety: used under the store's write mutex, inside an open transaction.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/store.h"

namespace kizuna::store::pg_internal {

class PgAdder {
 public:
  // Rows per INSERT: a round trip per 128 rows (2,560 parameters of PostgreSQL's 65,535).
  static constexpr size_t kRowsPerInsert = 128;

  // `first_date_added_us` is the date_added of the first new entry; later ones follow it.
  // `writer` (and the strings it views) must outlive the adder.
  PgAdder(pg::Connection& db, int64_t collection_pk, bool exercise_collection, int64_t now_us,
          int64_t first_date_added_us, const Writer& writer);

  // Reads the stored entries of the ids of `objects` (call once, before Add).
  absl::Status Prefetch(std::span<const NewObject> objects);
  // Decides one object version; an added one is written at Finish().
  absl::StatusOr<AddResult> Add(const NewObject& object);
  // Writes the new rows and the changed flags. Returns the last date_added given out (or the
  // one before the first, if none was).
  absl::StatusOr<int64_t> Finish();

 private:
  struct Known {  // an entry of an id: stored, or added by this batch (row >= 0)
    int64_t date_added_us, collection, version_ns, spec;
    std::string creator;
    bool written_here;  // no origin: written on this node
    bool first, last, top;
    int64_t row = -1;
  };
  struct Row {
    int64_t date_added_us, version_ns, spec, granular_refs;
    bool revoked;
    std::optional<int64_t> valid_from_us, valid_until_us;
    std::string_view id, type, creator, json;  // views into the caller's objects
    std::string version, markings;
    bool first = true, last = true, top = true;
  };

  absl::StatusOr<std::string> CheckRules(const NewObject& object, std::string_view creator);
  absl::StatusOr<std::string> ConflictPlace(int64_t collection_pk, bool here);
  // Whether `creator` is one of this node's own organisations: held, and not a partner's
  // (Organization::partner, of a peer's nation, or with a `peer` user). Cached per adder.
  absl::StatusOr<bool> IsOwnOrganization(std::string_view creator);
  absl::Status RecomputeTouchedFlags();
  absl::Status InsertRows(size_t from, size_t count);

  pg::Connection& db_;
  const int64_t collection_pk_;
  const bool exercise_collection_;
  const int64_t now_us_;
  const Writer& writer_;
  const std::string_view origin_;  // a partner's name; empty otherwise
  int64_t next_added_us_;
  absl::flat_hash_map<std::string, std::vector<Known>> known_;  // by object id
  absl::flat_hash_set<std::string>
      touched_;  // ids whose flags in this collection must be recomputed
  std::vector<Row> rows_;
  // IsOwnOrganization's answers, and whether the database has the peers table (once read).
  absl::flat_hash_map<std::string, bool> own_organization_;
  bool peers_known_ = false;
  bool peers_table_ = false;
};

}  // namespace kizuna::store::pg_internal
