// Kizuna. SqliteStore: the search index's queries and its rebuild (search_index.h).
#include <arpa/inet.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/index_writer.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

std::string sqlite_internal::BlockText(bool v6, std::string_view bytes, int64_t prefix) {
  char text[INET6_ADDRSTRLEN] = {};
  unsigned char raw[16] = {};
  std::copy_n(bytes.data(), std::min<size_t>(bytes.size(), 16), raw);
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, raw, text, sizeof(text));
  return StrCat(text, "/", prefix);
}

std::array<uint8_t, 16> sqlite_internal::Network(const std::array<uint8_t, 16>& address,
                                                 int prefix) {
  std::array<uint8_t, 16> out{};
  for (int i = 0; i < 16; ++i) {
    int bits = std::clamp(prefix - i * 8, 0, 8);
    out[i] = bits == 0 ? 0 : static_cast<uint8_t>(address[i] & (0xff << (8 - bits)));
  }
  return out;
}

namespace {

using sqlite_internal::BlockText;
using sqlite_internal::JsonArray;
using sqlite_internal::Network;
using sqlite_internal::Transaction;

// Entries with their collection's id: kStoredObjectColumns, the JSON, then c.id. `hint`
// follows the entries table (e.g. "NOT INDEXED").
std::string LocatedSelect(std::string_view hint = {}) {
  return StrCat("SELECT ", sqlite_internal::kStoredObjectColumns, ", e.json, c.id FROM entries e ", hint,
                " JOIN collections c ON c.pk = e.collection");
}
constexpr int kLocatedCollectionColumn = sqlite_internal::kStoredObjectJsonColumn + 1;

absl::StatusOr<std::vector<LocatedObject>> ReadLocated(Statement& st, size_t limit) {
  std::vector<LocatedObject> out;
  for (;;) {
    absl::StatusOr<bool> row = st.Step();
    if (!row.ok()) {
      st.Reset();
      return row.status();
    }
    if (!*row || out.size() == limit) break;
    LocatedObject& o = out.emplace_back();
    sqlite_internal::ReadStoredObject(st, o.object);
    o.collection_id = st.Text(kLocatedCollectionColumn);
  }
  st.Reset();
  return out;
}

// The value rows are in search_values and in the runs of search_value_runs (index_writer.h):
// a query reads both, as one compound SELECT whose ORDER BY SQLite answers by merging the
// two parts, each in key order, so a LIMIT still stops the reading early. `columns` and
// `where` name the value row `v` (with `e`, its entry, and `c`, its collection); a run is
// found by one seek per run number held (1 to the largest: the runs are numbered from 1),
// unless `by_run` is false (`where` names an entry, whose index finds it).
std::string ValueRows(std::string_view columns, std::string_view where, std::string_view order_limit,
                      bool by_run = true) {
  auto part = [&](std::string_view table, std::string_view runs) {
    return StrCat("SELECT ", columns, " FROM ", table,
                  " v JOIN entries e ON e.date_added_us = v.entry JOIN collections c ON c.pk = e.collection WHERE ",
                  runs, where);
  };
  return StrCat(part("search_values", ""), " UNION ALL ",
                part("search_value_runs",
                     by_run ? "v.run IN (WITH RECURSIVE n(run) AS (SELECT 1 UNION ALL SELECT run + 1 FROM n"
                              " WHERE run < (SELECT max(run) FROM search_value_runs)) SELECT run FROM n) AND "
                            : ""),
                " ", order_limit);
}
constexpr std::string_view kHitColumns = "v.entry, c.id, v.kind, v.path, v.value";

absl::Status ReadHits(Statement& st, std::vector<IndexHit>& out, size_t limit) {
  for (;;) {
    absl::StatusOr<bool> row = st.Step();
    if (!row.ok()) {
      st.Reset();
      return row.status();
    }
    if (!*row || out.size() >= limit) break;
    IndexHit& hit = out.emplace_back();
    hit.date_added_us = st.Int(0);
    hit.collection_id = st.Text(1);
    hit.kind = static_cast<ValueKind>(st.Int(2));
    hit.path = st.Text(3);
    hit.value = st.Text(4);
  }
  st.Reset();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<IndexHit>> SqliteStore::DoFindValues(std::span<const std::string> values,
                                                                int64_t after_us, size_t limit) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  std::vector<IndexHit> out;
  if (values.size() == 1) {
    // One value: its rows come in entry order from the primary key.
    static const std::string kOne = ValueRows(kHitColumns, "v.value = ?1 AND v.entry > ?2", "ORDER BY 1 LIMIT ?3");
    KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kOne));
    st->BindView(1, values[0]).Bind(2, after_us).Bind(3, static_cast<int64_t>(limit));
    KZ_RETURN_IF_ERROR(ReadHits(*st, out, limit));
    return out;
  }
  static const std::string kMany =
      ValueRows(kHitColumns, "v.value IN (SELECT value FROM json_each(?1)) AND v.entry > ?2", "ORDER BY 1 LIMIT ?3");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kMany));
  st->Bind(1, JsonArray(values)).Bind(2, after_us).Bind(3, static_cast<int64_t>(limit));
  KZ_RETURN_IF_ERROR(ReadHits(*st, out, limit));
  return out;
}

absl::StatusOr<std::vector<IndexHit>> SqliteStore::DoFindValueRange(std::string_view from, std::string_view to,
                                                                    std::string_view after_value,
                                                                    int64_t after_entry, size_t limit) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kRange =
      ValueRows(kHitColumns, "(v.value, v.entry) > (?1, ?2) AND v.value < ?3", "ORDER BY 5, 1 LIMIT ?4");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kRange));
  // One row-value bound (the primary key's range), so that each page starts at its cursor.
  if (after_value < from) {
    st->BindView(1, from).Bind(2, std::numeric_limits<int64_t>::min());
  } else {
    st->BindView(1, after_value).Bind(2, after_entry);
  }
  st->BindView(3, to).Bind(4, static_cast<int64_t>(limit));
  std::vector<IndexHit> out;
  KZ_RETURN_IF_ERROR(ReadHits(*st, out, limit));
  return out;
}

absl::StatusOr<std::vector<IndexHit>> SqliteStore::DoFindRanges(bool v6, const std::array<uint8_t, 16>& address,
                                                                int prefix, size_t limit) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // The prefix lengths held, each found by one index seek.
  KZ_ASSIGN_OR_RETURN(Statement * next, db->Cached(
      "SELECT prefix FROM search_ranges WHERE family = ?1 AND prefix > ?2 AND prefix <= ?3"
      " ORDER BY family, prefix LIMIT 1"));
  KZ_ASSIGN_OR_RETURN(Statement * at, db->Cached(
      "SELECT r.entry, c.id, r.kind, r.path, r.start FROM search_ranges r"
      " JOIN entries e ON e.date_added_us = r.entry JOIN collections c ON c.pk = e.collection"
      " WHERE r.family = ?1 AND r.prefix = ?2 AND r.start = ?3 LIMIT ?4"));
  const int family = v6 ? 6 : 4;
  std::vector<IndexHit> out;
  for (int64_t p = -1; out.size() < limit;) {
    next->Bind(1, family).Bind(2, p).Bind(3, prefix);
    KZ_ASSIGN_OR_RETURN(bool found, next->Step());
    p = found ? next->Int(0) : -1;
    next->Reset();
    if (!found) break;
    std::array<uint8_t, 16> network = Network(address, static_cast<int>(p));
    std::string_view bytes(reinterpret_cast<const char*>(network.data()), v6 ? 16 : 4);
    at->Bind(1, family).Bind(2, p).BindBlobView(3, bytes).Bind(4, static_cast<int64_t>(limit - out.size()));
    size_t before = out.size();
    KZ_RETURN_IF_ERROR(ReadHits(*at, out, limit));
    for (size_t i = before; i < out.size(); ++i) out[i].value = BlockText(v6, bytes, p);
  }
  return out;
}

absl::StatusOr<std::vector<IndexHit>> SqliteStore::DoValuesOf(int64_t date_added_us) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  std::vector<IndexHit> out;
  static const std::string kOfEntry = ValueRows(kHitColumns, "v.entry = ?1", "", /*by_run=*/false);
  KZ_ASSIGN_OR_RETURN(Statement * values, db->Cached(kOfEntry));
  values->Bind(1, date_added_us);
  KZ_RETURN_IF_ERROR(ReadHits(*values, out, kMaxIndexedValues));
  KZ_ASSIGN_OR_RETURN(Statement * ranges, db->Cached(
      "SELECT r.family, r.prefix, r.start, r.kind, r.path FROM search_ranges r WHERE r.entry = ?1"));
  ranges->Bind(1, date_added_us);
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, ranges->Step());
    if (!row) break;
    IndexHit& hit = out.emplace_back();
    hit.date_added_us = date_added_us;
    hit.collection_id = out.front().collection_id;
    hit.value = BlockText(ranges->Int(0) == 6, ranges->Text(2), ranges->Int(1));
    hit.kind = static_cast<ValueKind>(ranges->Int(3));
    hit.path = ranges->Text(4);
  }
  ranges->Reset();
  return out;
}

namespace {

// Interrupts the statements of a connection once `deadline_ms` has passed, while in scope.
// FTS5 ranks every match in statements of its own on the same connection, which the
// connection's progress handler reaches too.
class TextDeadline {
 public:
  TextDeadline(sqlite3* db, int64_t deadline_ms)
      : db_(db), end_(std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms)) {
    sqlite3_progress_handler(db_, kStepsPerCheck, OnProgress, this);
  }
  ~TextDeadline() { sqlite3_progress_handler(db_, 0, nullptr, nullptr); }
  TextDeadline(const TextDeadline&) = delete;
  TextDeadline& operator=(const TextDeadline&) = delete;

  bool Fired() const { return fired_; }

 private:
  static constexpr int kStepsPerCheck = 1000;
  static int OnProgress(void* arg) {
    auto* self = static_cast<TextDeadline*>(arg);
    if (std::chrono::steady_clock::now() >= self->end_) self->fired_ = true;
    return self->fired_ ? 1 : 0;
  }

  sqlite3* db_;
  std::chrono::steady_clock::time_point end_;
  bool fired_ = false;
};

// The pieces of a query made of quoted words only (`"w1" "w2"`, as search::Searcher writes
// it): each word split at every ASCII character that is not a letter or a digit (all of them
// separate tokens in FTS5's unicode61), so each piece is one token or a part of its word's
// phrase, and every entry matching the query matches each piece alone. Empty for any other
// query syntax.
std::vector<std::string> QueryPieces(std::string_view match) {
  std::vector<std::string> out;
  size_t i = 0;
  const auto separator = [](char c) {
    return static_cast<unsigned char>(c) < 0x80 &&
           !absl::ascii_isalnum(static_cast<unsigned char>(c));
  };
  while (i < match.size()) {
    if (match[i] == ' ') {
      ++i;
      continue;
    }
    if (match[i] != '"') return {};
    std::string piece;
    for (++i;; ++i) {
      if (i == match.size()) return {};  // unterminated
      const char c = match[i];
      if (c == '"' && (i + 1 == match.size() || match[i + 1] != '"')) break;
      if (c == '"') ++i;  // "" inside a word: a quote, a separator
      if (separator(c)) {
        if (!piece.empty()) out.push_back(std::move(piece));
        piece.clear();
      } else {
        piece += c;
      }
    }
    if (!piece.empty()) out.push_back(std::move(piece));
    // After the closing quote, a space or the end (not, e.g., a prefix query's '*').
    ++i;
    if (i < match.size() && match[i] != ' ') return {};
  }
  return out;
}

}  // namespace

// Matches of a full-text query ranked at most: the newest ones, after the filters
// (docs/search.md). The searcher reads at most as many (search::Searcher::kMaxEntriesScanned).
constexpr int64_t kMaxRankedMatches = 20'000;
// Pieces of a query (QueryPieces) counted at most to tell whether few enough match.
constexpr size_t kMaxPiecesCounted = 8;
// The JSON a catch-up batch reads at most (besides its count of entries): 8 MiB.
constexpr size_t kCatchUpBatchBytes = size_t{8} << 20;

absl::StatusOr<std::vector<int64_t>> SqliteStore::DoFindText(const TextQuery& query) {
  // Only the entries' keys go through the ranking's sort; their JSON is read by page later.
  const bool filtered = !query.types.empty() || !query.collections.empty() || query.added_after_us > 0 ||
                        query.added_before_us > 0 || query.valid_at_us.has_value();
  // Ranked by kizuna_rank() (text_rank.h: bm25 without a walk of each word's every entry).
  std::string matches =
      filtered ? " FROM search_text f JOIN entries e ON e.date_added_us = f.rowid"
                 " JOIN collections c ON c.pk = e.collection WHERE search_text MATCH ?1"
                 " AND f.rank MATCH 'kizuna_rank()'"
               : " FROM search_text f WHERE search_text MATCH ?1 AND f.rank MATCH 'kizuna_rank()'";
  if (!query.types.empty()) matches += " AND e.type IN (SELECT value FROM json_each(?2))";
  if (!query.collections.empty()) matches += " AND c.id IN (SELECT value FROM json_each(?3))";
  if (query.added_after_us > 0) matches += " AND e.date_added_us > ?4";
  if (query.added_before_us > 0) matches += " AND e.date_added_us < ?5";
  if (query.valid_at_us) {
    matches += " AND e.revoked = 0 AND coalesce(e.valid_from_us, ?6) <= ?6 AND coalesce(e.valid_until_us, ?6 + 1) > ?6";
  }
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  TextDeadline deadline(db->handle(), query.deadline_ms);
  // Binds the parameters of `matches`, and kMaxRankedMatches (?9).
  const auto bind = [&](Statement& st) {
    st.BindView(1, query.match);
    if (!query.types.empty()) st.Bind(2, JsonArray(std::span<const std::string>(query.types)));
    if (!query.collections.empty())
      st.Bind(3, JsonArray(std::span<const std::string>(query.collections)));
    if (query.added_after_us > 0) st.Bind(4, query.added_after_us);
    if (query.added_before_us > 0) st.Bind(5, query.added_before_us);
    if (query.valid_at_us) st.Bind(6, *query.valid_at_us);
    st.Bind(9, kMaxRankedMatches);
  };
  const auto failed = [&](const absl::Status& status) {
    if (deadline.Fired()) {
      return absl::DeadlineExceededError(StrCat("the full-text query '", query.match, "' ran longer than ",
                                                query.deadline_ms, " ms; add words or filters to narrow it"));
    }
    if (status.message().find("fts5") != std::string_view::npos) {
      return absl::InvalidArgumentError(StrCat("full-text query '", query.match, "': ", status.message()));
    }
    return status;
  };
  // At most kMaxRankedMatches match when one piece of the query (QueryPieces) is in no more
  // entries than that: counted alone (a walk of one token's doclist, stopped at
  // kMaxRankedMatches + 1), a piece costs far less than the query, whose phrases and words
  // seek each other's doclists at every match. Only worth it for a query of several pieces.
  bool few = false;
  if (std::vector<std::string> pieces = QueryPieces(query.match); pieces.size() > 1) {
    KZ_ASSIGN_OR_RETURN(Statement * count,
                        db->Cached("SELECT count(*) FROM (SELECT 1 FROM search_text WHERE "
                                   "search_text MATCH ?1 LIMIT ?2)"));
    // In rounds: each piece to 1,000, then 5,000, then kMaxRankedMatches + 1, so a rare
    // piece ends it after short counts whichever word it is in.
    for (const int64_t cap : {int64_t{1'000}, int64_t{5'000}, kMaxRankedMatches + 1}) {
      for (size_t i = 0; i < pieces.size() && i < kMaxPiecesCounted && !few; ++i) {
        count->Bind(1, StrCat("\"", pieces[i], "\"")).Bind(2, cap);
        absl::StatusOr<bool> counted = count->Step();
        const int64_t n = counted.ok() && *counted ? count->Int(0) : 0;
        few = n > 0 && n < cap && n <= kMaxRankedMatches;
        count->Reset();
        if (!counted.ok()) return failed(counted.status());
      }
      if (few) break;
    }
  }
  // One pass, stopped at kMaxRankedMatches + 1: in FTS5's order when few match (walking a
  // phrase's or several words' doclists backwards costs more than forwards), else newest
  // first (FTS5 walks its doclists backwards and stops there), and if it stopped, the oldest
  // of those is dropped and the newest kMaxRankedMatches are ranked, else every match is. So
  // a word every object carries costs that many scores, not one per entry held, and no match
  // is walked twice. The ranks are sorted here, not by FTS5 or SQLite's sorter, which copy
  // every row into a temporary b-tree first.
  std::vector<std::pair<double, int64_t>> ranked;  // (rank, entry): best first when sorted
  for (const bool newest_first : {false, true}) {
    if (!newest_first && !few) continue;
    KZ_ASSIGN_OR_RETURN(
        Statement * st,
        db->Cached(StrCat("SELECT f.rowid, f.rank", matches,
                          newest_first ? " ORDER BY f.rowid DESC" : "", " LIMIT ?9 + 1")));
    bind(*st);
    ranked.clear();
    for (;;) {
      absl::StatusOr<bool> row = st->Step();
      if (!row.ok()) {
        st->Reset();
        return failed(row.status());
      }
      if (!*row) break;
      ranked.emplace_back(st->Double(1), st->Int(0));
    }
    st->Reset();
    // More than kMaxRankedMatches in FTS5's order: the pieces were not the query's tokens
    // (e.g. a piece FTS5 finds no token in counts 0, and only non-zero counts are trusted,
    // but a tokenizer could split otherwise); read again, newest first.
    if (newest_first || ranked.size() <= static_cast<size_t>(kMaxRankedMatches)) break;
  }
  if (ranked.size() > static_cast<size_t>(kMaxRankedMatches)) {
    // More match than are ranked: the oldest read (the last, newest first) is left out.
    auto oldest = std::min_element(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second < b.second;
    });
    ranked.erase(oldest);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<int64_t> out;
  const size_t from = std::min(query.offset, ranked.size());
  const size_t to = from + std::min(query.limit, ranked.size() - from);
  out.reserve(to - from);
  for (size_t i = from; i < to; ++i) out.push_back(ranked[i].second);
  return out;
}

absl::StatusOr<std::vector<LocatedObject>> SqliteStore::DoReadEntries(std::span<const int64_t> date_added_us) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kSql =
      StrCat(LocatedSelect(), " WHERE e.date_added_us IN (SELECT value FROM json_each(?1))");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kSql));
  st->Bind(1, JsonArray(date_added_us));
  KZ_ASSIGN_OR_RETURN(std::vector<LocatedObject> found, ReadLocated(*st, date_added_us.size()));
  absl::flat_hash_map<int64_t, size_t> at;
  for (size_t i = 0; i < found.size(); ++i) at[found[i].object.date_added_us] = i;
  std::vector<LocatedObject> out;
  out.reserve(found.size());
  for (int64_t d : date_added_us) {
    auto it = at.find(d);
    if (it != at.end()) out.push_back(found[it->second]);
  }
  return out;
}

absl::StatusOr<std::vector<LocatedObject>> SqliteStore::DoReadObject(std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kSql =
      StrCat(LocatedSelect("NOT INDEXED"), " WHERE ",
             sqlite_internal::EntriesOfId("e.date_added_us", "?2"),
             " AND e.stix_id = ?1 AND e.is_top_spec = 1 ORDER BY e.date_added_us");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kSql));
  st->BindView(1, object_id).Bind(2, sqlite_internal::IdHash(id_hash_key_, object_id));
  return ReadLocated(*st, kMaxPageLimit);
}

absl::StatusOr<IndexState> SqliteStore::DoGetIndexState() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  sqlite_internal::ReadTransaction read(*db);  // the counts and the cursor of one snapshot
  KZ_RETURN_IF_ERROR(read.status());
  IndexState state;
  KZ_ASSIGN_OR_RETURN(state.version, sqlite_internal::StoredIndexVersion(*db));
  KZ_ASSIGN_OR_RETURN(std::optional<int64_t> cursor, sqlite_internal::IndexCursor(*db));
  state.behind = cursor.has_value();
  state.complete =
      state.version != 0 && indexer_ != nullptr && state.version == indexer_->Version() && !cursor;
  KZ_ASSIGN_OR_RETURN(
      Statement * st,
      db->Cached(
          "SELECT (SELECT count(*) FROM search_values) + (SELECT count(*) FROM search_value_runs),"
          " (SELECT count(*) FROM search_ranges),"
          " (SELECT count(*) FROM search_text_docsize),"
          " (SELECT count(*) FROM entries WHERE ?1 AND date_added_us > ?2)"));
  st->Bind(1, int64_t{cursor ? 1 : 0}).Bind(2, cursor.value_or(0));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (row) {
    state.values = st->Int(0);
    state.ranges = st->Int(1);
    state.texts = st->Int(2);
    state.pending = st->Int(3);
  }
  st->Reset();
  return state;
}

absl::StatusOr<IndexHead> SqliteStore::DoGetIndexHead() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db->Cached("SELECT key, value FROM node_state WHERE key IN "
                                 "('search_index_version', 'search_index_cursor')"));
  IndexHead head;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    if (st->Text(0) == "search_index_cursor") {
      head.behind = true;
    } else {
      head.version = st->Int(1);
    }
  }
  st->Reset();
  return head;
}

absl::StatusOr<std::optional<sqlite_internal::IndexWriter>> SqliteStore::IndexWriterFor(Connection& db) {
  std::optional<sqlite_internal::IndexWriter> out;
  if (indexer_ == nullptr) return out;
  KZ_ASSIGN_OR_RETURN(int64_t version, sqlite_internal::StoredIndexVersion(db));
  if (version != indexer_->Version()) return out;
  KZ_ASSIGN_OR_RETURN(std::optional<int64_t> cursor, sqlite_internal::IndexCursor(db));
  out.emplace(db, *indexer_, cursor);
  return out;
}

absl::StatusOr<RebuildSummary> SqliteStore::DoRebuildIndex(const RebuildProgress& progress, size_t batch) {
  if (indexer_ == nullptr)
    return absl::FailedPreconditionError("the store has no indexer to rebuild its index with");
  {
    // The index emptied, of the current version, and behind from the first entry on: the
    // catch-up below indexes every entry, and writes made meanwhile are left to it.
    absl::MutexLock lock(&write_mu_);
    Connection& db = *writer_;
    Transaction tx(db);
    KZ_RETURN_IF_ERROR(tx.Begin());
    KZ_RETURN_IF_ERROR(db.Exec(
        "DELETE FROM search_values; DELETE FROM search_value_runs; DELETE FROM search_ranges;"
        " DELETE FROM node_state WHERE key = 'search_values_rows';"
        " INSERT INTO search_text (search_text) VALUES ('delete-all');"));
    KZ_RETURN_IF_ERROR(sqlite_internal::SetStoredIndexVersion(db, indexer_->Version()));
    KZ_RETURN_IF_ERROR(sqlite_internal::SetIndexCursor(db, 0));
    KZ_RETURN_IF_ERROR(tx.Commit());
  }
  return DoCatchUpIndex(progress, batch, 0);
}

absl::StatusOr<RebuildSummary> SqliteStore::DoCatchUpIndex(const RebuildProgress& progress,
                                                           size_t batch, size_t max_batches) {
  if (indexer_ == nullptr)
    return absl::FailedPreconditionError("the store has no indexer to index entries with");
  RebuildSummary summary;
  int64_t total = -1;  // entries pending when the catch-up began
  for (size_t batches = 0; max_batches == 0 || batches < max_batches; ++batches) {
    absl::MutexLock lock(&write_mu_);
    Connection& db = *writer_;
    Transaction tx(db);
    KZ_RETURN_IF_ERROR(tx.Begin());
    KZ_ASSIGN_OR_RETURN(int64_t version, sqlite_internal::StoredIndexVersion(db));
    if (version != indexer_->Version()) {
      return absl::FailedPreconditionError(
          StrCat("the search index is stale (indexer version ", version, ", this Kizuna's is ",
                 indexer_->Version(), "): run `kizuna index rebuild`"));
    }
    KZ_ASSIGN_OR_RETURN(std::optional<int64_t> cursor, sqlite_internal::IndexCursor(db));
    if (!cursor) break;  // caught up
    if (total < 0) {
      KZ_ASSIGN_OR_RETURN(Statement * count,
                          db.Cached("SELECT count(*) FROM entries WHERE date_added_us > ?1"));
      count->Bind(1, *cursor);
      KZ_ASSIGN_OR_RETURN(bool row, count->Step());
      total = row ? count->Int(0) : 0;
      count->Reset();
    }
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "SELECT date_added_us, type, json FROM entries WHERE date_added_us > ?1"
        " ORDER BY date_added_us LIMIT ?2"));
    st->Bind(1, *cursor).Bind(2, static_cast<int64_t>(batch));
    // At most `batch` entries and kCatchUpBatchBytes of JSON (at least one entry), so that
    // large objects neither hold the writer long nor take much memory.
    std::vector<std::tuple<int64_t, std::string, std::string>> rows;
    size_t bytes = 0;
    bool last = false;  // no entry after these
    for (;;) {
      if (bytes >= kCatchUpBatchBytes) break;
      absl::StatusOr<bool> row = st->Step();
      if (!row.ok()) {
        st->Reset();
        return row.status();
      }
      if (!*row) {
        last = rows.size() < batch;
        break;
      }
      rows.emplace_back(st->Int(0), st->Text(1), st->Text(2));
      bytes += std::get<2>(rows.back()).size();
    }
    st->Reset();
    sqlite_internal::IndexWriter writer(db, *indexer_);
    for (const auto& [entry, type, json] : rows) KZ_RETURN_IF_ERROR(writer.Add(entry, type, json));
    KZ_RETURN_IF_ERROR(writer.Flush());
    // The cursor moves with the rows it covers; past the last entry the index follows the
    // writes again (no write can come between: this transaction holds the store's writer).
    if (last) {
      KZ_RETURN_IF_ERROR(sqlite_internal::ClearIndexCursor(db));
    } else {
      KZ_RETURN_IF_ERROR(sqlite_internal::SetIndexCursor(db, std::get<0>(rows.back())));
    }
    KZ_RETURN_IF_ERROR(tx.Commit());
    summary.entries += static_cast<int64_t>(rows.size());
    summary.values += writer.values();
    summary.ranges += writer.ranges();
    summary.texts += writer.texts();
    if (progress) progress(summary.entries, std::max(total, summary.entries));
  }
  return summary;
}

}  // namespace kizuna::store
