// Kizuna. The node's tables as the reports read them: one SQLite connection, whatever the store.
#pragma once

// The brief (report/) and the console's exact counts (api/released_counts.h) compute in SQL,
// on an SQLite connection of their own, over a few of the node's tables.
// Database::OpenReportView (database.h) gives that connection for either store:
//
//   - SqliteStore: the database file itself, opened read-only (the report reads the live
//     tables, as fast as any read of the store);
//   - PgStore: a private temporary SQLite database (a file SQLite deletes when it is closed,
//     so a large view spills to disk rather than memory) filled from one REPEATABLE READ
//     snapshot of PostgreSQL with the rows the ReportScope asks for.
//
// Either way the connection holds these tables with these columns (a subset of SQLite's, in
// SQLite's types: docs/formats/store.md), so the reports' SQL is written once:
//
//   entries (date_added_us INTEGER PRIMARY KEY, collection, id_hash, stix_id, type,
//            version_ns, spec_version, created_by_ref, markings, granular_refs, origin,
//            added_by, added_by_nation, is_first, is_last, is_top_spec, json)
//   collections (pk, id)
//   provenance (date_added_us, received_us)
//   sync_runs (pk, peer, local_collection, remote_collection, ok, first_us, last_us, failures)
//
// It holds at least the rows of the scope and may hold more (SQLite holds every row): the SQL
// run on it selects what it counts itself. On PostgreSQL `json` is NULL except for the
// entries with granular markings and, when the scope asks, sightings and relationships, and
// `id_hash` is a hash of stix_id of its own (equal ids, equal hashes). The view is read-only
// for the node's tables; temporary tables may be made on it. Reports never write through it.
// Thread-safety: the connection belongs to one thread, as any store::Connection.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace kizuna::store {

// The rows a report view must hold.
struct ReportScope {
  // The entries of these collections (ids); none when empty.
  std::vector<std::string> collections;
  // Entries added in (after_us, through_us]; marking definitions of every collection added
  // in that range are held too (the counts ask when one was last added).
  int64_t after_us = std::numeric_limits<int64_t>::min();
  int64_t through_us = std::numeric_limits<int64_t>::max();
  // Only current versions (is_last and is_top_spec: TAXII's default read).
  bool current_only = false;
  // Only entries of this type ("": every type).
  std::string type;
  // The JSON of sightings and relationships too (the brief reads their refs and counts).
  bool json_of_refs = false;
};

}  // namespace kizuna::store
