// Kizuna.
#include "kizuna/store/postgres/pg_index_writer.h"

#include <algorithm>
#include <tuple>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_text.h"

namespace kizuna::store::pg_internal {
namespace {

using pg::Param;

std::string_view Bytes(const std::array<uint8_t, 16>& a, bool v6) {
  return std::string_view(reinterpret_cast<const char*>(a.data()), v6 ? 16 : 4);
}

// Inserts `rows` in order, PgIndexWriter::kRowsPerInsert per statement: `head` is the INSERT up
// to VALUES, `row` one row's values with `$` where each parameter goes (e.g. "($, $::tsvector)"),
// `bind(row, params)` appends one row's parameters.
template <typename Row, typename Bind>
absl::Status InsertRows(pg::Connection& db, std::string_view what, std::string_view head,
                        std::string_view row, const std::vector<Row>& rows, const Bind& bind) {
  std::string sql;
  size_t sql_rows = 0;
  std::vector<Param> params;
  for (size_t at = 0; at < rows.size();) {
    size_t n = std::min(PgIndexWriter::kRowsPerInsert, rows.size() - at);
    if (n != sql_rows) {
      sql = head;
      int p = 0;
      for (size_t r = 0; r < n; ++r) {
        if (r > 0) sql += ',';
        for (char c : row) {
          if (c == '$') {
            StrAppend(sql, "$", ++p);
          } else {
            sql += c;
          }
        }
      }
      sql += " ON CONFLICT DO NOTHING";  // one object may carry one value twice at one path
      sql_rows = n;
    }
    params.clear();
    for (size_t r = 0; r < n; ++r) bind(rows[at + r], params);
    KZ_RETURN_IF_ERROR(db.Run(what, sql, params).status());
    at += n;
  }
  return absl::OkStatus();
}

// Removes every index row of `entries`.
absl::Status RemoveRows(pg::Connection& db, std::span<const int64_t> entries) {
  for (const char* sql :
       {"DELETE FROM search_values WHERE entry = $1", "DELETE FROM search_ranges WHERE entry = $1",
        "DELETE FROM search_text WHERE entry = $1"}) {
    for (int64_t entry : entries) {
      KZ_RETURN_IF_ERROR(db.Run("remove an entry's index rows", sql, {Param::Int(entry)}).status());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PgIndexWriter::Add(int64_t entry, std::string_view type, std::string_view json) {
  indexer_.Extract(type, json, scratch_);
  for (IndexedValue& v : scratch_.values) {
    if (!IsPgText(v.value) || !IsPgText(v.path)) continue;
    values_pending_.push_back(PendingValue{std::move(v), entry});
    ++values_;
  }
  for (IndexedRange& r : scratch_.ranges) {
    if (!IsPgText(r.path)) continue;
    ranges_pending_.push_back(PendingRange{std::move(r), entry});
    ++ranges_;
  }
  if (!scratch_.names.empty() || !scratch_.text.empty()) {
    texts_pending_.push_back(PendingText{entry, TsVectorText(scratch_.names, scratch_.text)});
    ++texts_;
  }
  if (pending() >= kMaxPendingRows) return Flush();
  return absl::OkStatus();
}

absl::Status PgIndexWriter::Flush() {
  auto value_key = [](const PendingValue& p) {
    return std::tie(p.value.value, p.entry, p.value.kind, p.value.path);
  };
  std::sort(
      values_pending_.begin(), values_pending_.end(),
      [&](const PendingValue& a, const PendingValue& b) { return value_key(a) < value_key(b); });
  absl::Status s = InsertRows(
      db_, "insert search values", "INSERT INTO search_values (value, entry, kind, path) VALUES ",
      "($, $, $, $)", values_pending_, [](const PendingValue& p, std::vector<Param>& params) {
        params.insert(params.end(),
                      {Param::Text(p.value.value), Param::Int(p.entry),
                       Param::Int(static_cast<int64_t>(p.value.kind)), Param::Text(p.value.path)});
      });
  values_pending_.clear();
  KZ_RETURN_IF_ERROR(s);

  auto range_key = [](const PendingRange& p) {
    return std::tie(p.range.v6, p.range.prefix, p.range.start, p.entry, p.range.kind, p.range.path);
  };
  std::sort(
      ranges_pending_.begin(), ranges_pending_.end(),
      [&](const PendingRange& a, const PendingRange& b) { return range_key(a) < range_key(b); });
  s = InsertRows(
      db_, "insert search ranges",
      "INSERT INTO search_ranges (family, prefix, start, \"end\", entry, kind, path) VALUES ",
      "($, $, $, $, $, $, $)", ranges_pending_,
      [](const PendingRange& p, std::vector<Param>& params) {
        const IndexedRange& r = p.range;
        params.insert(
            params.end(),
            {Param::Int(r.v6 ? 6 : 4), Param::Int(r.prefix), Param::Bytes(Bytes(r.start, r.v6)),
             Param::Bytes(Bytes(r.end, r.v6)), Param::Int(p.entry),
             Param::Int(static_cast<int64_t>(r.kind)), Param::Text(r.path)});
      });
  ranges_pending_.clear();
  KZ_RETURN_IF_ERROR(s);

  s = InsertRows(db_, "insert search text", "INSERT INTO search_text (entry, words) VALUES ",
                 "($, $::tsvector)", texts_pending_,
                 [](const PendingText& p, std::vector<Param>& params) {
                   params.insert(params.end(), {Param::Int(p.entry), Param::Text(p.words)});
                 });
  texts_pending_.clear();
  return s;
}

absl::Status PgIndexWriter::Remove(int64_t entry) {
  KZ_RETURN_IF_ERROR(Flush());
  return RemoveRows(db_, std::span<const int64_t>(&entry, 1));
}

absl::Status MarkIndexStale(pg::Connection& db, std::span<const int64_t> entries) {
  KZ_RETURN_IF_ERROR(RemoveRows(db, entries));
  return SetStoredIndexVersion(db, 0);
}

absl::StatusOr<int64_t> StoredIndexVersion(pg::Connection& db) {
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db.Run("read the search index version",
                             "SELECT value FROM node_state WHERE key = 'search_index_version'"));
  return r.rows() == 0 ? 0 : r.Int(0, 0);
}

absl::Status SetStoredIndexVersion(pg::Connection& db, int64_t version) {
  return db
      .Run("set the search index version",
           "INSERT INTO node_state (key, value) VALUES ('search_index_version', $1)"
           " ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE node_state.value <> "
           "excluded.value",
           {Param::Int(version)})
      .status();
}

}  // namespace kizuna::store::pg_internal
