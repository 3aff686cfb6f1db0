// Kizuna.
#include "kizuna/store/sqlite/index_writer.h"

#include <algorithm>
#include <tuple>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store::sqlite_internal {
namespace {

std::string_view Bytes(const std::array<uint8_t, 16>& a, bool v6) {
  return std::string_view(reinterpret_cast<const char*>(a.data()), v6 ? 16 : 4);
}

// Runs of value rows held before a flush merges them into search_values. The value rows of a
// write are spread over the whole value index: inserted there, they would rewrite most of the
// pages of a large index at every write. FlushValues appends them instead, sorted, as the
// next run of search_value_runs (migration 21, keyed by run first); the flush that writes run
// kMaxValueRuns inserts every run's rows into search_values in key order, so each of its pages
// is rewritten once per kMaxValueRuns writes, and empties the runs. Rows that are at least a
// kMaxValueRuns-th of the index (a small index, or a large write) go straight into it: they
// would rewrite most of its pages either way, and a run would only copy them twice. Queries
// read both tables (sqlite_search.cc).
constexpr int64_t kMaxValueRuns = 16;

// The rows written to search_values (node_state search_values_rows): deletes leave it as it
// is, so it only ever overstates the index, which then takes runs a little early.
constexpr std::string_view kMergedRowsKey = "search_values_rows";

// The integer node_state holds under `key` (0 when none), and setting it.
absl::StatusOr<int64_t> NodeStateValue(Connection& db, std::string_view key) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT value FROM node_state WHERE key = ?1"));
  st->BindView(1, key);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t value = row ? st->Int(0) : 0;
  st->Reset();
  return value;
}

absl::Status SetNodeStateValue(Connection& db, std::string_view key, int64_t value) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "INSERT INTO node_state (key, value) VALUES (?1, ?2)"
      " ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value"));
  st->BindView(1, key).Bind(2, value);
  absl::Status s = st->Run();
  st->Reset();
  return s;
}

// Removes the value and range rows of `entries`.
absl::Status RemoveRows(Connection& db, std::span<const int64_t> entries) {
  for (const char* sql : {"DELETE FROM search_values WHERE entry = ?1",
                          "DELETE FROM search_value_runs WHERE entry = ?1",
                          "DELETE FROM search_ranges WHERE entry = ?1"}) {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
    for (int64_t entry : entries) {
      st->Bind(1, entry);
      absl::Status s = st->Run();
      st->Reset();
      KZ_RETURN_IF_ERROR(s);
    }
  }
  return absl::OkStatus();
}

// Inserts `rows` in order, kRowsPerInsert per statement: `head` is the INSERT up to VALUES,
// `columns` the parameters per row, `bind(statement, first parameter - 1, row)` binds one.
template <typename Row, typename Bind>
absl::Status InsertRows(Connection& db, std::string_view head, int columns, const std::vector<Row>& rows,
                        const Bind& bind) {
  std::string sql;
  size_t sql_rows = 0;
  for (size_t at = 0; at < rows.size();) {
    size_t n = std::min(IndexWriter::kRowsPerInsert, rows.size() - at);
    if (n != sql_rows) {
      sql = head;
      for (size_t r = 0; r < n; ++r) {
        sql += r ? ",(" : "(";
        for (int c = 1; c <= columns; ++c) StrAppend(sql, c > 1 ? "," : "", "?", static_cast<int>(r) * columns + c);
        sql += ")";
      }
      sql_rows = n;
    }
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
    for (size_t r = 0; r < n; ++r) bind(*st, static_cast<int>(r) * columns, rows[at + r]);
    absl::Status s = st->Run();
    st->Reset();
    KZ_RETURN_IF_ERROR(s);
    at += n;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status IndexWriter::Add(int64_t entry, std::string_view type, std::string_view json) {
  if (cursor_ && entry > *cursor_) {  // behind: the catch-up indexes it
    left_any_ = true;
    return absl::OkStatus();
  }
  indexer_.Extract(type, json, scratch_);
  for (IndexedValue& v : scratch_.values) values_pending_.push_back(PendingValue{std::move(v), entry});
  for (IndexedRange& r : scratch_.ranges) ranges_pending_.push_back(PendingRange{std::move(r), entry});
  values_ += static_cast<int64_t>(scratch_.values.size());
  ranges_ += static_cast<int64_t>(scratch_.ranges.size());
  if (!scratch_.names.empty() || !scratch_.text.empty()) {
    // FTS5 keeps its own pending terms until the transaction ends.
    KZ_ASSIGN_OR_RETURN(Statement * st, db_.Cached(
        "INSERT INTO search_text (rowid, names, text) VALUES (?1, ?2, ?3)"));
    st->Bind(1, entry).BindView(2, scratch_.names).BindView(3, scratch_.text);
    absl::Status s = st->Run();
    st->Reset();
    KZ_RETURN_IF_ERROR(s);
    ++texts_;
  }
  if (values_pending_.size() + ranges_pending_.size() >= kMaxPendingRows) return Flush();
  return absl::OkStatus();
}

absl::Status IndexWriter::Flush() {
  KZ_RETURN_IF_ERROR(FlushValues());
  return FlushRanges();
}

absl::Status IndexWriter::Finish() {
  KZ_RETURN_IF_ERROR(Flush());
  if (store_cursor_ && left_any_) {
    store_cursor_ = false;
    return SetIndexCursor(db_, *cursor_);
  }
  return absl::OkStatus();
}

absl::Status IndexWriter::FlushValues() {
  auto key = [](const PendingValue& p) {
    return std::tie(p.value.value, p.entry, p.value.kind, p.value.path);
  };
  if (values_pending_.empty()) return absl::OkStatus();
  std::sort(values_pending_.begin(), values_pending_.end(),
            [&](const PendingValue& a, const PendingValue& b) { return key(a) < key(b); });
  KZ_ASSIGN_OR_RETURN(const int64_t merged, NodeStateValue(db_, kMergedRowsKey));
  const auto rows = static_cast<int64_t>(values_pending_.size());
  const auto bind = [](Statement& st, int b, int64_t run, const PendingValue& p) {
    if (run > 0) st.Bind(++b, run);
    st.BindView(b + 1, p.value.value).Bind(b + 2, p.entry);
    st.Bind(b + 3, static_cast<int64_t>(p.value.kind)).BindView(b + 4, p.value.path);
  };
  // OR IGNORE: one object may carry one value twice at one path (a list, a pattern).
  if (rows * kMaxValueRuns >= merged) {
    absl::Status s = InsertRows(db_, "INSERT OR IGNORE INTO search_values (value, entry, kind, path) VALUES ", 4,
                                values_pending_,
                                [&](Statement& st, int b, const PendingValue& p) { bind(st, b, 0, p); });
    values_pending_.clear();
    KZ_RETURN_IF_ERROR(s);
    return SetNodeStateValue(db_, kMergedRowsKey, merged + rows);
  }
  // The next run, appended after the runs held, whose pages stay as they are.
  KZ_ASSIGN_OR_RETURN(Statement * last, db_.Cached("SELECT coalesce(max(run), 0) FROM search_value_runs"));
  KZ_ASSIGN_OR_RETURN(bool row, last->Step());
  const int64_t run = (row ? last->Int(0) : 0) + 1;
  last->Reset();
  absl::Status s = InsertRows(db_, "INSERT OR IGNORE INTO search_value_runs (run, value, entry, kind, path) VALUES ",
                              5, values_pending_,
                              [&](Statement& st, int b, const PendingValue& p) { bind(st, b, run, p); });
  values_pending_.clear();
  KZ_RETURN_IF_ERROR(s);
  if (run < kMaxValueRuns) return absl::OkStatus();
  // The runs merged into search_values in key order: each of its pages is visited once for
  // all of them.
  KZ_ASSIGN_OR_RETURN(Statement * count, db_.Cached("SELECT count(*) FROM search_value_runs"));
  KZ_ASSIGN_OR_RETURN(bool counted, count->Step());
  const int64_t in_runs = counted ? count->Int(0) : 0;
  count->Reset();
  KZ_RETURN_IF_ERROR(db_.Exec(
      "INSERT OR IGNORE INTO search_values (value, entry, kind, path)"
      " SELECT value, entry, kind, path FROM search_value_runs ORDER BY value, entry, kind, path;"
      " DELETE FROM search_value_runs;"));
  return SetNodeStateValue(db_, kMergedRowsKey, merged + in_runs);
}

absl::Status IndexWriter::FlushRanges() {
  auto key = [](const PendingRange& p) {
    return std::tie(p.range.v6, p.range.prefix, p.range.start, p.entry, p.range.kind, p.range.path);
  };
  std::sort(ranges_pending_.begin(), ranges_pending_.end(),
            [&](const PendingRange& a, const PendingRange& b) { return key(a) < key(b); });
  absl::Status s = InsertRows(
      db_, "INSERT OR IGNORE INTO search_ranges (family, prefix, start, end, entry, kind, path) VALUES ", 7,
      ranges_pending_, [](Statement& st, int b, const PendingRange& p) {
        const IndexedRange& r = p.range;
        st.Bind(b + 1, r.v6 ? 6 : 4).Bind(b + 2, r.prefix).BindBlobView(b + 3, Bytes(r.start, r.v6));
        st.BindBlobView(b + 4, Bytes(r.end, r.v6)).Bind(b + 5, p.entry).Bind(b + 6, static_cast<int64_t>(r.kind));
        st.BindView(b + 7, r.path);
      });
  ranges_pending_.clear();
  return s;
}

absl::Status IndexWriter::Remove(int64_t entry, std::string_view type, std::string_view json) {
  if (cursor_ && entry > *cursor_) return absl::OkStatus();  // not indexed yet: no rows
  KZ_RETURN_IF_ERROR(Flush());
  KZ_RETURN_IF_ERROR(RemoveRows(db_, std::span<const int64_t>(&entry, 1)));
  indexer_.Extract(type, json, scratch_);
  if (scratch_.names.empty() && scratch_.text.empty()) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(Statement * st, db_.Cached(
      "INSERT INTO search_text (search_text, rowid, names, text) VALUES ('delete', ?1, ?2, ?3)"));
  st->Bind(1, entry).BindView(2, scratch_.names).BindView(3, scratch_.text);
  absl::Status s = st->Run();
  st->Reset();
  return s;
}

absl::Status MarkIndexStale(Connection& db, std::span<const int64_t> entries) {
  KZ_RETURN_IF_ERROR(RemoveRows(db, entries));
  return SetStoredIndexVersion(db, 0);
}

absl::StatusOr<int64_t> StoredIndexVersion(Connection& db) { return NodeStateValue(db, "search_index_version"); }

absl::Status SetStoredIndexVersion(Connection& db, int64_t version) {
  return SetNodeStateValue(db, "search_index_version", version);
}

absl::StatusOr<std::optional<int64_t>> IndexCursor(Connection& db) {
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db.Cached("SELECT value FROM node_state WHERE key = 'search_index_cursor'"));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<int64_t> cursor;
  if (row) cursor = st->Int(0);
  st->Reset();
  return cursor;
}

absl::Status SetIndexCursor(Connection& db, int64_t last_indexed) {
  return SetNodeStateValue(db, "search_index_cursor", last_indexed);
}

absl::Status ClearIndexCursor(Connection& db) {
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db.Cached("DELETE FROM node_state WHERE key = 'search_index_cursor'"));
  absl::Status s = st->Run();
  st->Reset();
  return s;
}

}  // namespace kizuna::store::sqlite_internal
