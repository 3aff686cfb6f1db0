// Kizuna. Finding the entries of one object id: the tables entry_id_chunks and
// entry_id_compacted (migration 7), which stand in for an index on entries.id_hash.
#pragma once

// An index on the random id_hash would make every write transaction rewrite most of its
// pages. Instead, the ids live in runs, each a sequence of chunks: sorted arrays of
// (id_hash, date_added_us) pairs in blobs, about kChunkPairs to a chunk, a hash never split
// between two chunks of one run. Each write transaction writes the ids of its new entries,
// when it ends (Adder::Finish), as the next of runs 1 to kMaxIdRuns (StartIdRun gives its
// number). When they are all taken, the next transaction first empties them. If they and
// entry_id_compacted hold at least an eighth of the store's ids, it merges all of them into
// run kMergedRun: it reads them, merges them in memory and writes run kMergedRun anew.
// Otherwise it compacts the runs: it inserts their pairs into the b-tree entry_id_compacted,
// which costs what the runs hold, however small they are. A deleted entry's pair stays
// where it is until a merge or compaction: the trigger on `entries` records the entry in
// entry_id_deleted, they leave it out, and lookups only return entries that exist.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

inline constexpr int64_t kMergedRun = 0;
// Write transactions take runs 1 to kMaxIdRuns.
inline constexpr int64_t kMaxIdRuns = 8;
// Pairs in a chunk, but for the pairs of one hash, which stay together: 4 KiB. A lookup
// reads one chunk a run; with 16 KiB chunks, it took a tenth longer.
inline constexpr size_t kChunkPairs = 256;

// An (id hash, date added) pair, as chunks store it.
struct IdPair {
  int64_t id_hash, date_added_us;
  auto operator<=>(const IdPair&) const = default;
};

// Makes the SQL function that EntriesOfId uses known to `db`; once per connection.
absl::Status AddEntryIdFunction(Connection& db);

// Packs the ids that migration 7 left in entry_id_unpacked into run kMergedRun, if any.
absl::Status PackUnpackedIds(Connection& db);

// Returns the run for the ids of the caller's write transaction, after merging or
// compacting the runs if all are taken. `ids_in_store` is about how many entries the store
// holds. Runs inside the caller's write transaction.
absl::StatusOr<int64_t> StartIdRun(Connection& db, int64_t ids_in_store);

// Writes `pairs` (sorted) as run `run`. Runs inside the caller's write transaction.
absl::Status WriteRun(Connection& db, int64_t run, const std::vector<IdPair>& pairs);

// Returns an SQL condition on `date_added_column` (a column of `entries`, perhaps qualified,
// as in "e.date_added_us") that holds for the entries whose id hash is parameter
// `hash_param` (such as "?9") and, if `collection_param` is not empty, whose collection is
// that parameter. `pending_param`, if not empty, is a parameter holding a JSON array of
// more date_added_us to accept: the writer's entries whose ids are not written yet. The
// caller still compares stix_id (hashes may collide). Use it with `NOT INDEXED` on entries,
// so that SQLite reads them by date_added_us.
std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param = {},
                        std::string_view pending_param = {});

// Returns the entries deleted since the last merge (entry_id_deleted), sorted.
absl::StatusOr<std::vector<int64_t>> DeletedEntries(Connection& db);

// Calls `add` with the id hash of every pair in the chunks and entry_id_compacted (some of
// them deleted entries').
absl::Status ForEachIdHash(Connection& db, absl::FunctionRef<void(int64_t)> add);

}  // namespace kizuna::store::sqlite_internal
