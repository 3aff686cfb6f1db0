// Kizuna.
#include "kizuna/store/postgres/copy_from_sqlite.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

using pg::Param;

// Rows per INSERT (at most PostgreSQL's 65,535 parameters).
constexpr size_t kBatchRows = 500;
// Entries folded into the digest at a time (the same on both sides, whatever their reads).
constexpr size_t kDigestEntries = 1000;

// The SQLite store's own lookup machinery and the search index: derived, rebuilt, not copied.
bool DerivedTable(std::string_view name) {
  return name.starts_with("entry_id") || name.starts_with("search_") || name.starts_with("sqlite_");
}
bool DerivedColumn(std::string_view table, std::string_view column) {
  return table == "entries" && column == "id_hash";
}

// Names come from the catalogs; checked anyway before they are put into SQL text.
absl::Status CheckName(std::string_view name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  return plain ? absl::OkStatus()
               : absl::InvalidArgumentError(StrCat("unexpected table or column name '", name, "'"));
}

struct Column {
  std::string name;
  std::string type;  // PostgreSQL's data_type
  bool identity = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;  // those copied
  bool has_identity = false;
};

// The SHA-256 chain of (date_added, JSON) of entries, in date_added order.
class EntryDigest {
 public:
  void Add(int64_t date_added_us, std::string_view json) {
    char be[8];
    for (int i = 7; i >= 0; --i, date_added_us >>= 8)
      be[i] = static_cast<char>(date_added_us & 0xff);
    StrAppend(buffer_, std::string_view(be, 8), json.size(), ":", json);
    if (++pending_ == kDigestEntries) Fold();
  }
  std::string Finish() {
    Fold();
    return HexEncode(
        std::string_view(reinterpret_cast<const char*>(digest_.data()), digest_.size()));
  }

 private:
  void Fold() {
    buffer_.insert(0, reinterpret_cast<const char*>(digest_.data()), digest_.size());
    digest_ = Sha256(buffer_);
    buffer_.clear();
    pending_ = 0;
  }
  Sha256Digest digest_{};
  std::string buffer_;
  size_t pending_ = 0;
};

absl::StatusOr<std::vector<std::string>> SqliteColumns(Connection& db, const std::string& table) {
  KZ_ASSIGN_OR_RETURN(Statement * s, db.Cached(StrCat("PRAGMA table_info(\"", table, "\")")));
  std::vector<std::string> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.emplace_back(s->Text(1));
  }
  s->Reset();
  return out;
}

absl::StatusOr<int64_t> SqliteCount(Connection& db, const std::string& table,
                                    const std::string& where = "") {
  KZ_ASSIGN_OR_RETURN(Statement * s,
                      db.Cached(StrCat("SELECT count(*) FROM \"", table, "\"", where)));
  KZ_ASSIGN_OR_RETURN(bool row, s->Step());
  const int64_t n = row ? s->Int(0) : 0;
  s->Reset();
  return n;
}

// The tables of the target in an order where every table comes after those it refers to.
absl::StatusOr<std::vector<std::string>> TargetTablesInOrder(pg::Connection& db) {
  KZ_ASSIGN_OR_RETURN(pg::Result tables,
                      db.Run("list the tables",
                             "SELECT table_name::text FROM information_schema.tables"
                             " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                             " ORDER BY table_name"));
  KZ_ASSIGN_OR_RETURN(
      pg::Result keys,
      db.Run("list the foreign keys",
             "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
             " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"));
  absl::flat_hash_map<std::string, std::vector<std::string>> refers_to;
  for (int i = 0; i < keys.rows(); ++i) {
    if (keys.Text(i, 0) != keys.Text(i, 1))
      refers_to[std::string(keys.Text(i, 0))].emplace_back(keys.Text(i, 1));
  }
  std::vector<std::string> order;
  absl::flat_hash_set<std::string> placed, visiting;
  std::function<void(const std::string&)> place = [&](const std::string& t) {
    if (placed.contains(t) || !visiting.insert(t).second) return;
    for (const std::string& parent : refers_to[t]) place(parent);
    placed.insert(t);
    order.push_back(t);
  };
  for (int i = 0; i < tables.rows(); ++i) place(std::string(tables.Text(i, 0)));
  return order;
}

absl::StatusOr<std::vector<Column>> TargetColumns(pg::Connection& db, const std::string& table) {
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db.Run("list a table's columns",
                             "SELECT column_name::text, data_type::text, is_identity::text"
                             " FROM information_schema.columns"
                             " WHERE table_schema = current_schema() AND table_name = $1"
                             " ORDER BY ordinal_position",
                             {Param::Text(table)}));
  std::vector<Column> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)), r.Text(i, 2) == "YES"});
  }
  return out;
}

absl::StatusOr<int64_t> TargetCount(pg::Connection& db, const std::string& table) {
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db.Run("count a table", StrCat("SELECT count(*) FROM \"", table, "\"")));
  return r.Int(0, 0);
}

// A value of the SQLite row's column `i` as the parameter of a column of PostgreSQL type
// `type`; text and bytes are kept in `arena` until the batch has run.
absl::StatusOr<Param> ValueOf(const Statement& row, int i, const Column& column,
                              std::deque<std::string>& arena) {
  if (row.IsNull(i)) return Param::Null(true);  // cast by the statement to the column's type
  const std::string& t = column.type;
  if (t == "bigint" || t == "integer" || t == "smallint") return Param::Int(row.Int(i));
  if (t == "boolean") return Param::Bool(row.Int(i) != 0);
  if (t == "text") return Param::Text(arena.emplace_back(row.Text(i)));
  if (t == "bytea") return Param::Bytes(arena.emplace_back(row.Text(i)));
  return absl::UnimplementedError(
      StrCat("column ", column.name, " of type ", t, " cannot be copied"));
}

std::string InsertSql(const Table& table, size_t rows) {
  std::string sql = StrCat("INSERT INTO \"", table.name, "\" (");
  for (size_t c = 0; c < table.columns.size(); ++c)
    StrAppend(sql, c ? ", " : "", "\"", table.columns[c].name, "\"");
  StrAppend(sql, ")", table.has_identity ? " OVERRIDING SYSTEM VALUE" : "", " VALUES ");
  int n = 0;
  for (size_t r = 0; r < rows; ++r) {
    StrAppend(sql, r ? ", (" : "(");
    for (size_t c = 0; c < table.columns.size(); ++c)
      StrAppend(sql, c ? ", " : "", "$", ++n, "::", table.columns[c].type);
    StrAppend(sql, ")");
  }
  return sql;
}

class Copier {
 public:
  Copier(Connection& from, pg::Connection& to, const CopyProgress& progress)
      : from_(from), to_(to), progress_(progress) {}

  absl::StatusOr<CopySummary> Run() {
    KZ_ASSIGN_OR_RETURN(std::vector<Table> tables, Plan());
    for (const Table& t : tables) KZ_RETURN_IF_ERROR(CheckEmpty(t));
    for (const Table& t : tables) KZ_RETURN_IF_ERROR(Copy(t));
    KZ_RETURN_IF_ERROR(CopyNodeState());
    for (const Table& t : tables) KZ_RETURN_IF_ERROR(SetIdentities(t));
    summary_.entries_sha256 = digest_.Finish();
    return summary_;
  }

  // After the commit: every count and the entries' JSON as read back.
  absl::Status Verify(const CopySummary& summary) {
    for (const CopiedTable& t : summary.tables) {
      KZ_ASSIGN_OR_RETURN(int64_t n, TargetCount(to_, t.name));
      if (n != t.rows) {
        return absl::DataLossError(
            StrCat("table ", t.name, ": ", t.rows, " rows copied but ", n, " on the target"));
      }
    }
    EntryDigest back;
    int64_t after = -1;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(pg::Result r,
                          to_.Run("read the entries back",
                                  "SELECT date_added_us, json FROM entries WHERE date_added_us > $1"
                                  " ORDER BY date_added_us LIMIT 5000",
                                  {Param::Int(after)}));
      for (int i = 0; i < r.rows(); ++i) back.Add(r.Int(i, 0), r.Text(i, 1));
      if (r.rows() == 0) break;
      after = r.Int(r.rows() - 1, 0);
    }
    if (back.Finish() != summary.entries_sha256) {
      return absl::DataLossError("the entries read back from the target differ from those copied");
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<std::vector<Table>> Plan() {
    KZ_ASSIGN_OR_RETURN(
        Statement * list,
        from_.Cached("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
    std::vector<std::string> source;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, list->Step());
      if (!row) break;
      source.emplace_back(list->Text(0));
    }
    list->Reset();
    KZ_ASSIGN_OR_RETURN(std::vector<std::string> order, TargetTablesInOrder(to_));
    const absl::flat_hash_set<std::string> target(order.begin(), order.end());
    for (const std::string& name : source) {
      if (DerivedTable(name)) {
        summary_.left_out.push_back(name);
        continue;
      }
      if (target.contains(name)) continue;
      KZ_ASSIGN_OR_RETURN(int64_t rows, SqliteCount(from_, name));
      if (rows > 0) {
        return absl::FailedPreconditionError(StrCat(
            "table ", name, " holds ", rows, " rows and the PostgreSQL schema has no such table"));
      }
    }
    const absl::flat_hash_set<std::string> in_source(source.begin(), source.end());
    std::vector<Table> out;
    for (const std::string& name : order) {
      if (!in_source.contains(name) || DerivedTable(name) || name == "node_state") continue;
      KZ_RETURN_IF_ERROR(CheckName(name));
      KZ_ASSIGN_OR_RETURN(std::vector<Column> columns, TargetColumns(to_, name));
      KZ_ASSIGN_OR_RETURN(std::vector<std::string> source_columns, SqliteColumns(from_, name));
      Table t{name, {}, false};
      for (const std::string& sc : source_columns) {
        auto c = std::find_if(columns.begin(), columns.end(),
                              [&](const Column& col) { return col.name == sc; });
        if (c != columns.end()) {
          KZ_RETURN_IF_ERROR(CheckName(c->name));
          t.has_identity = t.has_identity || c->identity;
          t.columns.push_back(*c);
          continue;
        }
        if (DerivedColumn(name, sc)) continue;
        KZ_ASSIGN_OR_RETURN(int64_t used,
                            SqliteCount(from_, name, StrCat(" WHERE \"", sc, "\" IS NOT NULL")));
        if (used > 0) {
          return absl::FailedPreconditionError(
              StrCat("column ", name, ".", sc, " holds values in ", used,
                     " rows and the PostgreSQL table has no such column"));
        }
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  absl::Status CheckEmpty(const Table& t) {
    KZ_ASSIGN_OR_RETURN(int64_t n, TargetCount(to_, t.name));
    if (n == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(StrCat("the target already holds ", n, " rows of table ",
                                             t.name, ": copy into a database without a node"));
  }

  absl::Status Copy(const Table& t) {
    std::string select = "SELECT ";
    for (size_t c = 0; c < t.columns.size(); ++c)
      StrAppend(select, c ? ", " : "", "\"", t.columns[c].name, "\"");
    StrAppend(select, " FROM \"", t.name, "\"",
              t.name == "entries" ? " ORDER BY date_added_us" : "");
    int date_col = -1, json_col = -1;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].name == "date_added_us") date_col = static_cast<int>(c);
      if (t.columns[c].name == "json") json_col = static_cast<int>(c);
    }
    const bool entries = t.name == "entries" && date_col >= 0 && json_col >= 0;
    KZ_ASSIGN_OR_RETURN(Statement * s, from_.Cached(select));
    const size_t per_batch = std::max<size_t>(
        1, std::min(kBatchRows, size_t{60000} / std::max<size_t>(1, t.columns.size())));
    std::deque<std::string> arena;
    std::vector<Param> params;
    size_t rows = 0;
    int64_t copied = 0;
    auto flush = [&]() -> absl::Status {
      if (rows == 0) return absl::OkStatus();
      KZ_RETURN_IF_ERROR(
          to_.Run(StrCat("copy rows of ", t.name), InsertSql(t, rows), params).status());
      copied += static_cast<int64_t>(rows);
      rows = 0;
      params.clear();
      arena.clear();
      if (progress_) progress_(t.name, copied);
      return absl::OkStatus();
    };
    for (;;) {
      absl::StatusOr<bool> row = s->Step();
      if (!row.ok()) {
        s->Reset();
        return row.status();
      }
      if (!*row) break;
      for (size_t c = 0; c < t.columns.size(); ++c) {
        absl::StatusOr<Param> p = ValueOf(*s, static_cast<int>(c), t.columns[c], arena);
        if (!p.ok()) {
          s->Reset();
          return Annotate(p.status(), StrCat("table ", t.name, ": "));
        }
        params.push_back(*p);
      }
      if (entries) {
        digest_.Add(s->Int(date_col), s->Text(json_col));
        ++summary_.entries;
        summary_.entry_bytes += static_cast<int64_t>(s->Text(json_col).size());
      }
      if (++rows == per_batch) {
        absl::Status flushed = flush();
        if (!flushed.ok()) {
          s->Reset();
          return flushed;
        }
      }
    }
    s->Reset();
    KZ_RETURN_IF_ERROR(flush());
    summary_.tables.push_back({t.name, copied});
    summary_.rows += copied;
    return absl::OkStatus();
  }

  // The node-wide counters both stores keep (the next date_added first); the SQLite store's
  // own (its id-hash keys) stay behind.
  absl::Status CopyNodeState() {
    KZ_ASSIGN_OR_RETURN(Statement * s, from_.Cached("SELECT key, value FROM node_state"));
    std::vector<std::pair<std::string, int64_t>> state;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      state.emplace_back(std::string(s->Text(0)), s->Int(1));
    }
    s->Reset();
    for (const auto& [key, value] : state) {
      if (key == "search_index_version") continue;  // the index is not copied: stale until rebuilt
      // A copy is another store: it keeps its own identity, and its own mark of deletes
      // (a random value, not a count: GREATEST means nothing for it).
      if (key == "store_id" || key == "entries_deleted") continue;
      KZ_RETURN_IF_ERROR(to_.Run("copy a node counter",
                                 "UPDATE node_state SET value = GREATEST(value, $2) WHERE key = $1",
                                 {Param::Text(key), Param::Int(value)})
                             .status());
    }
    // The target's index was current while it held no entries (004_search.sql): with the
    // entries copied it is stale, so searches say so until RebuildIndex builds it.
    KZ_RETURN_IF_ERROR(to_.Run("mark the search index stale",
                               "UPDATE node_state SET value = 0 WHERE key = 'search_index_version'"
                               " AND EXISTS (SELECT 1 FROM entries)")
                           .status());
    return to_
        .Run("advance date_added past the entries",
             "UPDATE node_state SET value = GREATEST(value, (SELECT COALESCE(max(date_added_us), "
             "0) FROM entries))"
             " WHERE key = 'last_date_added_us'")
        .status();
  }

  absl::Status SetIdentities(const Table& t) {
    for (const Column& c : t.columns) {
      if (!c.identity) continue;
      KZ_RETURN_IF_ERROR(
          to_.Run(StrCat("move the identity of ", t.name, ".", c.name),
                  StrCat("SELECT setval(pg_get_serial_sequence($1, $2), (SELECT COALESCE(max(\"",
                         c.name, "\"), 0) + 1 FROM \"", t.name, "\"), false)"),
                  {Param::Text(t.name), Param::Text(c.name)})
              .status());
    }
    return absl::OkStatus();
  }

  Connection& from_;
  pg::Connection& to_;
  const CopyProgress& progress_;
  CopySummary summary_;
  EntryDigest digest_;
};

}  // namespace

absl::StatusOr<CopySummary> CopySqliteToPostgres(const std::string& sqlite_path,
                                                 const std::string& pg_url,
                                                 const CopyProgress& progress) {
  {
    // Both at this Kizuna's schema (migrated as any command would; a newer one is refused).
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> source,
                        SqliteStore::Open(sqlite_path, SystemClock()));
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> target, PgStore::Open(pg_url, SystemClock()));
  }
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<Connection> from,
                      Connection::Open(sqlite_path, /*read_only=*/true));
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> to, pg::Connection::Open(pg_url));
  KZ_RETURN_IF_ERROR(from->Exec("BEGIN"));  // one snapshot of the source
  Copier copier(*from, *to, progress);
  pg::Transaction tx(*to);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(CopySummary summary, copier.Run());
  KZ_RETURN_IF_ERROR(tx.Commit());
  (void)from->Exec("COMMIT");
  KZ_RETURN_IF_ERROR(copier.Verify(summary));
  // The planner's statistics of the tables just filled: without them, until autovacuum gets to
  // them, it may read a page of objects by a bitmap scan and a sort of the whole collection.
  KZ_RETURN_IF_ERROR(to->Exec("analyse the copied tables", "ANALYZE"));
  return summary;
}

}  // namespace kizuna::store
