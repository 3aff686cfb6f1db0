// Kizuna. Writing and removing an entry's search index rows inside a write transaction of the
// PostgreSQL store: the counterpart of sqlite/index_writer.h.
#pragma once

// PgStore::DoAddObjects calls Add for every entry it adds, DoDeleteObject calls Remove for
// every entry it erases, and RebuildIndex calls Add for every entry held; all run inside the
// writer's open transaction (after the writers' advisory lock), so the index is durable exactly
// when the entries are. Without an indexer, or when the stored index version is not the
// indexer's, the store calls MarkIndexStale instead (search_index.h).
//
// Add keeps the rows in memory and Flush writes them sorted by key, kRowsPerInsert per INSERT
// (one round trip each). Unlike SQLite's writer there are no value runs: PostgreSQL's B-tree
// takes the rows directly (migrations/004_search.sql). The caller MUST call Flush before it
// commits; Add flushes by itself past kMaxPendingRows, and Remove first.
// A value or path that PostgreSQL's text cannot hold (a NUL character, invalid UTF-8) is left
// out, as values too long to index are.
// Thread-safety: used under the store's write mutex, like the connection it writes to.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/search_index.h"

namespace kizuna::store::pg_internal {

class PgIndexWriter {
 public:
  // Rows per INSERT: values take 4 parameters, ranges 7, texts 2 (of PostgreSQL's 65,535).
  static constexpr size_t kRowsPerInsert = 256;
  static constexpr size_t kMaxPendingRows = 100'000;

  PgIndexWriter(pg::Connection& db, const EntryIndexer& indexer) : db_(db), indexer_(indexer) {}

  // Extracts the entry's index; its rows go in at Flush.
  absl::Status Add(int64_t entry, std::string_view type, std::string_view json);
  // Writes the rows added since the last Flush.
  absl::Status Flush();
  // Removes the entry's rows (search_text keeps its words: no replay of the extraction needed).
  absl::Status Remove(int64_t entry);

  // Rows written by Add so far.
  int64_t values() const { return values_; }
  int64_t ranges() const { return ranges_; }
  int64_t texts() const { return texts_; }

 private:
  struct PendingValue {
    IndexedValue value;
    int64_t entry = 0;
  };
  struct PendingRange {
    IndexedRange range;
    int64_t entry = 0;
  };
  struct PendingText {
    int64_t entry = 0;
    std::string words;  // tsvector text
  };
  size_t pending() const {
    return values_pending_.size() + ranges_pending_.size() + texts_pending_.size();
  }

  pg::Connection& db_;
  const EntryIndexer& indexer_;
  EntryIndex scratch_;
  std::vector<PendingValue> values_pending_;
  std::vector<PendingRange> ranges_pending_;
  std::vector<PendingText> texts_pending_;
  int64_t values_ = 0, ranges_ = 0, texts_ = 0;
};

// Marks the index stale (search_index_version 0): a write went in without indexing; and
// removes every row of `entries` (deleted entries).
absl::Status MarkIndexStale(pg::Connection& db, std::span<const int64_t> entries = {});

// The indexer version stored with the index (0: stale).
absl::StatusOr<int64_t> StoredIndexVersion(pg::Connection& db);
absl::Status SetStoredIndexVersion(pg::Connection& db, int64_t version);

}  // namespace kizuna::store::pg_internal
