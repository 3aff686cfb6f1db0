// Kizuna. Moving a node from its SQLite file to PostgreSQL without loss (`kizuna store copy`).
#pragma once

// CopySqliteToPostgres reads the SQLite database in one read transaction (a consistent
// snapshot: a node may keep serving meanwhile, though what it writes after the copy began is
// not copied) and writes every row into a PostgreSQL database, migrated first, in one
// transaction: a copy that fails leaves the target as it was. The PostgreSQL tables carry the
// SQLite tables' names and columns (postgres/migrations), so rows move table by table, in the
// order of the target's foreign keys, with their keys (identity columns are set past them).
//
// Left out, because they are derived and rebuilt: the SQLite store's own lookup machinery
// (entries.id_hash, the entry_id* tables, node_state's hash keys) and the search index (the
// search_* tables: the target's index is left stale, for RebuildIndex to build PostgreSQL's). Any
// other table or column holding data the target has no place for fails the copy, naming it, before
// anything is written. The target must hold no objects and no identities: InvalidArgument
// otherwise.
//
// The target's search index is marked stale when entries were copied. At the end every
// table's row count is compared, and the entries' JSON read back from the
// target is compared with what was read (SHA-256 of every date_added and octet, in order):
// DataLoss when they differ. Secrets sealed with the node's key (peer tokens) stay sealed: the
// PostgreSQL node must use the data directory's key files. Last, ANALYZE gives the planner
// the statistics of the filled tables.
// Thread-safety: stateless; one copy per target at a time.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::store {

struct CopiedTable {
  std::string name;
  int64_t rows = 0;
};

struct CopySummary {
  std::vector<CopiedTable> tables;    // in the order copied
  std::vector<std::string> left_out;  // derived tables not copied (rebuilt)
  int64_t rows = 0;                   // all tables
  int64_t entries = 0;                // object versions
  int64_t entry_bytes = 0;            // their JSON
  std::string entries_sha256;         // checked on the target
};

// Called after each batch: the table and the rows of it copied so far.
using CopyProgress = std::function<void(std::string_view table, int64_t rows)>;

// Copies the SQLite database at `sqlite_path` into the PostgreSQL database at `pg_url`.
absl::StatusOr<CopySummary> CopySqliteToPostgres(const std::string& sqlite_path,
                                                 const std::string& pg_url,
                                                 const CopyProgress& progress = nullptr);

}  // namespace kizuna::store
