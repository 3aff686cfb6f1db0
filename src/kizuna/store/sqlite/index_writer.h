// Kizuna. Writing and removing an entry's search index rows inside the store's transaction.
#pragma once

// The Adder calls Add for every new entry, the delete paths call Remove for every entry they
// erase, and RebuildIndex calls Add for every entry held; all run inside the writer's open
// transaction, so the index is durable exactly when the entries are. Without an indexer the
// store calls MarkIndexStale instead (search_index.h).
//
// Add keeps the value and range rows in memory and Flush writes them sorted by key, many rows
// per INSERT: one statement step per kRowsPerInsert rows, and each B-tree page of the index
// visited once per run of neighbouring keys instead of once per row (the values of a batch are
// spread over the whole index). Value rows that are small beside the index are appended as a
// run of search_value_runs instead, merged into search_values every 16 runs (index_writer.cc,
// docs/formats/store.md). The caller MUST call Flush before it commits (rows not flushed are
// lost with the writer); Add flushes by itself past kMaxPendingRows, and Remove first (a
// delete must see the rows of its own transaction).
//
// Behind its cursor (node_state search_index_cursor: the last entry indexed; absent when the
// index follows every write), a writer indexes nothing: Add leaves the entry for the catch-up
// (SqliteStore::DoCatchUpIndex), Remove removes rows only of entries up to the cursor, and
// Finish stores the cursor when this writer was the one to leave the index behind (Defer).
// Thread-safety: used under the store's write mutex, like the connection it writes to.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

class IndexWriter {
 public:
  // `db` and `indexer` must outlive the writer. `cursor`: the stored cursor (IndexCursor), or
  // none when the index follows the writes.
  IndexWriter(Connection& db, const EntryIndexer& indexer,
              std::optional<int64_t> cursor = std::nullopt)
      : db_(db), indexer_(indexer), cursor_(cursor) {}

  // Leaves the entries after `last_indexed` unindexed (a deferring writer; no effect when the
  // index is behind already): Finish stores the cursor if any entry was left.
  void Defer(int64_t last_indexed) {
    if (!cursor_) {
      cursor_ = last_indexed;
      store_cursor_ = true;
    }
  }
  // Entries after this one are not indexed (none: every entry is).
  std::optional<int64_t> cursor() const { return cursor_; }

  // Rows of one multi-row INSERT, and rows held before Add flushes by itself.
  static constexpr size_t kRowsPerInsert = 64;
  static constexpr size_t kMaxPendingRows = 100'000;

  // Extracts the entry's index; its text goes in now, its value and range rows at Flush.
  absl::Status Add(int64_t entry, std::string_view type, std::string_view json);
  // Writes the value and range rows added since the last Flush.
  absl::Status Flush();
  // Flush, and the cursor stored when this writer left entries behind it: before commit.
  absl::Status Finish();
  // Removes the entry's rows (the text by replaying the extraction on `json`).
  absl::Status Remove(int64_t entry, std::string_view type, std::string_view json);

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
  absl::Status FlushValues();
  absl::Status FlushRanges();

  Connection& db_;
  const EntryIndexer& indexer_;
  std::optional<int64_t> cursor_;
  bool store_cursor_ = false;  // Defer set the cursor: Finish stores it if an entry was left
  bool left_any_ = false;      // Add left an entry after the cursor
  EntryIndex scratch_;
  std::vector<PendingValue> values_pending_;
  std::vector<PendingRange> ranges_pending_;
  int64_t values_ = 0, ranges_ = 0, texts_ = 0;
};

// Marks the index stale (search_index_version 0): a write went in without indexing, and
// removes the value and range rows of `entries` (deleted entries), whose text is left for
// the next rebuild.
absl::Status MarkIndexStale(Connection& db, std::span<const int64_t> entries = {});

// The indexer version stored with the index (0: stale).
absl::StatusOr<int64_t> StoredIndexVersion(Connection& db);
absl::Status SetStoredIndexVersion(Connection& db, int64_t version);

// The index's cursor (node_state search_index_cursor): the last entry indexed, when entries
// after it are not; none when the index follows every write. Setting it, and clearing it
// once the index has caught up.
absl::StatusOr<std::optional<int64_t>> IndexCursor(Connection& db);
absl::Status SetIndexCursor(Connection& db, int64_t last_indexed);
absl::Status ClearIndexCursor(Connection& db);

}  // namespace kizuna::store::sqlite_internal
