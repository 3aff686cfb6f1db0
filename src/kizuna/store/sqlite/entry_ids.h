// Kizuna. Finding the entries of one object id: the tables entry_id_runs and
// entry_id_chunks (migrations 6 and 7), which stand in for an index on entries.id_hash.
#pragma once

// An index on the random id_hash would make every write transaction rewrite most of its
// pages. Instead, each write transaction appends the ids of its new entries, sorted, to
// entry_id_runs as one run (StartIdRun gives its number), so that it writes new pages only.
// When the runs 1 to kMaxIdRuns are taken, the next transaction first either merges every
// run into entry_id_chunks, or, while the runs hold less than an eighth of the store's ids,
// compacts them into run 0. A merge reads the chunks and the runs, merges them in memory
// and writes the chunks anew: sorted arrays of (id_hash, date_added_us) pairs, in blobs,
// about kChunkPairs to a chunk, a hash never split between two. A trigger on `entries`
// removes a deleted entry from the runs; a chunk keeps its pair until the next merge, which
// drops the entries listed in entry_id_deleted. Lookups only return entries that exist.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

// Runs 1..kMaxIdRuns take transactions; run 0 holds compacted ones. The trigger of
// migration 6 names the runs 0..8.
inline constexpr int64_t kMaxIdRuns = 8;
// Pairs in a chunk, but for the pairs of one hash, which stay together: 4 KiB. A lookup
// reads one chunk; with 16 KiB chunks, it took a tenth longer than a seek in a b-tree.
inline constexpr size_t kChunkPairs = 256;

// Makes the SQL function that EntriesOfId uses known to `db`; once per connection.
absl::Status AddEntryIdFunction(Connection& db);

// Returns the run for the ids of the caller's write transaction, after merging or
// compacting the runs if all are taken. `ids_in_store` is about how many entries the store
// holds. Runs inside the caller's write transaction.
absl::StatusOr<int64_t> StartIdRun(Connection& db, int64_t ids_in_store);

// Returns an SQL condition on `date_added_column` (a column of `entries`, perhaps qualified,
// as in "e.date_added_us") that holds for the entries whose id hash is parameter
// `hash_param` (such as "?9") and, if `collection_param` is not empty, whose collection is
// that parameter. The caller still compares stix_id (hashes may collide). Use it with
// `NOT INDEXED` on entries, so that SQLite reads them by date_added_us.
std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param = {});

// Calls `add` with the id hash of every entry in the runs and the chunks (and perhaps of
// some deleted ones).
absl::Status ForEachIdHash(Connection& db, absl::FunctionRef<void(int64_t)> add);

}  // namespace kizuna::store::sqlite_internal
