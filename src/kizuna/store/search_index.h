// Kizuna. The search index kept beside the entries: the values, address ranges and text each
// object version carries, written in the same transaction as the entry.
#pragma once

// What an object carries is decided above the store (search/extract.h, which reads STIX
// patterns): the store is given an EntryIndexer (SearchIndex::SetIndexer) and calls it for
// every entry it adds, inside the write transaction, and again for every entry it deletes
// (the full-text table keeps no copy of the text, so a delete replays the extraction). The
// index is keyed by entry (date_added), so each version in each collection has its own rows.
//
// The index is complete, behind, or stale. Behind: a durable cursor (the last entry indexed)
// is stored with the index, and the entries added after it are not indexed yet; a writer that
// defers indexing (DeferIndexing: `kizuna import`'s bulk path) leaves its entries after the
// cursor, and so does every write while the index is behind; CatchUpIndex indexes them in
// batches, each advancing the cursor in the transaction that writes the rows it covers (so
// an entry is never indexed twice nor left out), and a delete removes the rows of the
// entries up to the cursor (the others have none). Stale: a write made without an indexer (a
// tool that opened the store without one) marks it stale, and so does an indexer of another
// version; `kizuna index rebuild` (RebuildIndex) makes it complete again. Queries say when the
// index is not complete; answers stay correct under the policy either way, since every hit is
// read as its entry and filtered (search/searcher.h): a lagging index only finds less.
//
// Reads here return raw hits, before any policy: callers (search/) pass every entry through
// policy::Policy::Filter before they show, count or follow it.
//
// Thread-safety: SearchIndex's methods are safe to call concurrently; an EntryIndexer is
// called from the writing thread and must be safe to share (const, no state).

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

// Why a value is in an entry's index rows.
enum class ValueKind : uint8_t {
  kObservable = 1,  // a cyber-observable's property (ipv4-addr:value, file:hashes.MD5, ...)
  kPattern = 2,     // the literal of a STIX pattern comparison
  kExternalId = 3,  // an external reference's external_id (T1566, CVE-2021-44228)
  kReference = 4,   // the id another object refers to (source_ref, sighting_of_ref, ...)
};

// Most bytes of one indexed value, of one path, and of an entry's text; longer ones are cut
// (values: left out) by the indexer. Most values and ranges per entry.
inline constexpr size_t kMaxIndexedValueBytes = 2048;
inline constexpr size_t kMaxIndexedPathBytes = 256;
inline constexpr size_t kMaxIndexedTextBytes = 64 * 1024;
inline constexpr size_t kMaxIndexedValues = 1024;

struct IndexedValue {
  std::string value;  // normalised (search/normalize.h)
  std::string path;   // where it is: an object path (`ipv4-addr:value`) or a property name
  ValueKind kind = ValueKind::kObservable;
};

// An address block: [start, end] as unsigned big-endian numbers of 4 (IPv4) or 16 bytes.
struct IndexedRange {
  bool v6 = false;
  int prefix = 0;
  std::array<uint8_t, 16> start{};  // the first 4 bytes for IPv4
  std::array<uint8_t, 16> end{};
  std::string path;
  ValueKind kind = ValueKind::kObservable;
};

// Everything one entry contributes to the index.
struct EntryIndex {
  std::vector<IndexedValue> values;
  std::vector<IndexedRange> ranges;  // blocks wider than one address (also in `values`)
  std::string names;                 // full text: names and aliases
  std::string text;                  // full text: descriptions, labels and other text
  void Clear() {
    values.clear();
    ranges.clear();
    names.clear();
    text.clear();
  }
};

class EntryIndexer {
 public:
  virtual ~EntryIndexer() = default;
  // Fills `out` (cleared first) with what the object of type `type` whose JSON is `json`
  // carries. Deterministic: the same JSON always gives the same index (deletes replay it).
  virtual void Extract(std::string_view type, std::string_view json, EntryIndex& out) const = 0;
  // Changes whenever Extract's output for some object changes; stored with the index.
  virtual int64_t Version() const = 0;
};

// One index row that matched a query.
struct IndexHit {
  int64_t date_added_us = 0;  // the entry
  std::string collection_id;
  ValueKind kind = ValueKind::kObservable;
  std::string path;
  std::string value;   // the normalised value, or for a range hit the block ("10.0.0.0/8")
};

// An entry with the collection that holds it.
struct LocatedObject {
  std::string collection_id;
  StoredObject object;
};

// Filters of a full-text query that the index applies (the rest is the caller's).
struct TextQuery {
  std::string match;                     // an FTS5 query expression
  std::vector<std::string> types = {};        // empty: any
  std::vector<std::string> collections = {};  // collection ids; empty: any
  int64_t added_after_us = 0;            // 0: any
  int64_t added_before_us = 0;           // 0: any
  std::optional<int64_t> valid_at_us = {};  // not revoked, valid_from <= t < valid_until
  size_t offset = 0;                     // in rank order
  size_t limit = 100;
  // The query ends with DeadlineExceeded once it has run this long (0: at its first check):
  // a query of common words ranks every match, and must not hold a reader indefinitely.
  int64_t deadline_ms = kDefaultTextDeadlineMs;
  static constexpr int64_t kDefaultTextDeadlineMs = 2000;
};

struct IndexState {
  bool complete = false;   // every entry is indexed by the current indexer's version
  int64_t version = 0;     // the indexer version the index was built with; 0 when stale
  int64_t values = 0, ranges = 0, texts = 0;  // rows held
  bool behind = false;                        // entries after the cursor wait for CatchUpIndex
  int64_t pending = 0;  // how many (node-wide: for the operator, never shown to a principal)
};

// The state a query needs, from one row read: the version and whether the index is behind.
struct IndexHead {
  int64_t version = 0;
  bool behind = false;
};

// Called by RebuildIndex and CatchUpIndex after each batch: entries indexed so far, of `total`.
using RebuildProgress = std::function<void(int64_t done, int64_t total)>;

struct RebuildSummary {
  int64_t entries = 0, values = 0, ranges = 0, texts = 0;
};

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Sets the indexer every write of this object calls (null: none, the index goes stale on
  // the next write). Set it once, before the store is shared between threads.
  virtual void SetIndexer(std::shared_ptr<const EntryIndexer> indexer) = 0;
  // Writes of this object leave their entries after the index's cursor, for CatchUpIndex
  // (its caller or a node's IndexFollower), instead of indexing them in their transaction.
  // Set it before the store is shared. A store that cannot defer (PostgreSQL) ignores it and
  // keeps indexing in the write transaction.
  virtual void DeferIndexing(bool defer) = 0;

  // Index rows whose value is one of `values` (normalised), at most `limit`, in entry order
  // after entry `after_us`. InvalidArgument for more than kMaxQueryValues values.
  static constexpr size_t kMaxQueryValues = 256;
  absl::StatusOr<std::vector<IndexHit>> FindValues(std::span<const std::string> values,
                                                   int64_t after_us, size_t limit);
  // Index rows whose value is in [from, to) (bytewise), after (after_value, after_entry) in
  // (value, entry) order, at most `limit`: the addresses a block holds are found by the text
  // prefixes their canonical forms share (the caller checks each value it gets).
  absl::StatusOr<std::vector<IndexHit>> FindValueRange(std::string_view from, std::string_view to,
                                                       std::string_view after_value, int64_t after_entry,
                                                       size_t limit);
  // Range rows whose block contains the block `address`/`prefix` (IPv4 when !v6: its first
  // 4 bytes), at most `limit`, in no particular order. InvalidArgument for a bad prefix.
  absl::StatusOr<std::vector<IndexHit>> FindRanges(bool v6, const std::array<uint8_t, 16>& address,
                                                   int prefix, size_t limit);
  // The index rows of entry `date_added_us`.
  absl::StatusOr<std::vector<IndexHit>> ValuesOf(int64_t date_added_us);
  // The entries (date_added) of a full-text query, best match first, from `offset`, at most
  // `limit`: the caller reads them with ReadEntries and filters them through policy. Ranked
  // once for a whole scan: FTS5 computes the rank of every match it ranks at each query. Of
  // more than 20,000 matches (after the filters), the SQLite store ranks the newest 20,000.
  // DeadlineExceeded past query.deadline_ms; InvalidArgument for a malformed match.
  absl::StatusOr<std::vector<int64_t>> FindText(const TextQuery& query);
  // The entries `date_added_us` names, with JSON, in the order given; absent ones left out.
  absl::StatusOr<std::vector<LocatedObject>> ReadEntries(std::span<const int64_t> date_added_us);
  // The latest entries (in any collection) of object `object_id`, with JSON.
  absl::StatusOr<std::vector<LocatedObject>> ReadObject(std::string_view object_id);

  absl::StatusOr<IndexState> GetIndexState();
  // The indexer version the index was built with and whether it is behind (IndexHead) alone:
  // node_state read once, where GetIndexState counts every row held.
  absl::StatusOr<IndexHead> GetIndexHead();
  // Drops the index, sets its cursor before the first entry and catches up (CatchUpIndex):
  // every entry extracted again with the indexer set (FailedPrecondition without one), in
  // batches of `batch` entries each committed on its own; the index is complete again when it
  // returns OK. Interrupted, `CatchUpIndex` resumes it.
  absl::StatusOr<RebuildSummary> RebuildIndex(const RebuildProgress& progress, size_t batch = 10'000);
  // Indexes the entries after the cursor, `batch` per transaction (writers wait at most one
  // batch), each advancing the cursor with the rows it writes, until none is left or after
  // `max_batches` batches (0: no limit). OK with nothing done when the index is not behind;
  // FailedPrecondition without an indexer or when the index is stale (RebuildIndex).
  absl::StatusOr<RebuildSummary> CatchUpIndex(const RebuildProgress& progress,
                                              size_t batch = 10'000, size_t max_batches = 0);

 protected:
  SearchIndex() = default;

 private:
  virtual absl::StatusOr<std::vector<IndexHit>> DoFindValues(std::span<const std::string> values,
                                                             int64_t after_us, size_t limit) = 0;
  virtual absl::StatusOr<std::vector<IndexHit>> DoFindValueRange(std::string_view from, std::string_view to,
                                                                 std::string_view after_value, int64_t after_entry,
                                                                 size_t limit) = 0;
  virtual absl::StatusOr<std::vector<IndexHit>> DoFindRanges(bool v6, const std::array<uint8_t, 16>& address,
                                                             int prefix, size_t limit) = 0;
  virtual absl::StatusOr<std::vector<IndexHit>> DoValuesOf(int64_t date_added_us) = 0;
  virtual absl::StatusOr<std::vector<int64_t>> DoFindText(const TextQuery& query) = 0;
  virtual absl::StatusOr<std::vector<LocatedObject>> DoReadEntries(std::span<const int64_t> date_added_us) = 0;
  virtual absl::StatusOr<std::vector<LocatedObject>> DoReadObject(std::string_view object_id) = 0;
  virtual absl::StatusOr<IndexState> DoGetIndexState() = 0;
  virtual absl::StatusOr<IndexHead> DoGetIndexHead() = 0;
  virtual absl::StatusOr<RebuildSummary> DoRebuildIndex(const RebuildProgress& progress, size_t batch) = 0;
  virtual absl::StatusOr<RebuildSummary> DoCatchUpIndex(const RebuildProgress& progress,
                                                        size_t batch, size_t max_batches) = 0;
};

}  // namespace kizuna::store
