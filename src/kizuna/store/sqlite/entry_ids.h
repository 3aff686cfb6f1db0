// Kizuna. Finding the entries of one object id: the tables entry_ids and entry_ids_recent
// (migration 5), which stand in for an index on entries.id_hash.
#pragma once

// The writer puts each new entry's (id_hash, collection, date_added_us) into the table
// IdsTableFor() names, and a trigger on `entries` removes deleted ones from either table.
// Writers call MergeRecentIds before they commit; it moves the recent rows into entry_ids
// once there are `kRecentIdsToMerge` of them, in id_hash order, so that the large table's
// pages are rewritten once per merge rather than in every transaction.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

inline constexpr int64_t kRecentIdsToMerge = 16384;

// The table for the ids of a transaction that adds `objects` objects: entry_ids_recent,
// except for transactions so large (bulk imports) that they rewrite most of entry_ids'
// pages anyway, which go straight into entry_ids.
std::string_view IdsTableFor(size_t objects);

// Returns an SQL condition on `date_added_column` that holds for the entries whose id hash
// is parameter `hash_param` (such as "?9") and, if `collection_param` is not empty, whose
// collection is that parameter. The caller still compares stix_id (hashes may collide).
// Use it with `NOT INDEXED` on entries, so that SQLite reads them by date_added_us.
std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param = {});

// Moves every row of entry_ids_recent into entry_ids if there are at least
// `kRecentIdsToMerge` of them. Runs inside the caller's write transaction.
absl::Status MergeRecentIds(Connection& db);

}  // namespace kizuna::store::sqlite_internal
