// Kizuna.
#include "kizuna/store/sqlite/entry_ids.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/internal.h"

namespace kizuna::store::sqlite_internal {
namespace {

// The runs are merged once they and the compacted ids hold this fraction (1/8) of the
// store's ids, or once the runs alone hold 1/24: a merge costs about 80 ns for each id in the
// store (it rewrites run 0), a compaction about 1.9 µs for each id it moves (SQL rows), so
// below 1/24 compacting is the cheaper.
constexpr int64_t kMergeAtOneIn = 8;
constexpr int64_t kMergeRunsAtOneIn = 24;

// A chunk's blob is the memory image of an IdPair array: 16 octets a pair, little-endian.
static_assert(sizeof(IdPair) == 16 && std::endian::native == std::endian::little,
              "chunks are stored as the memory image of IdPair arrays");

size_t PairsIn(std::string_view blob) { return blob.size() / sizeof(IdPair); }

IdPair PairAt(std::string_view blob, size_t i) {
  IdPair p;
  std::memcpy(&p, blob.data() + i * sizeof(IdPair), sizeof p);
  return p;
}

absl::StatusOr<int64_t> SelectInt(Connection& db, const std::string& sql) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t value = row ? st->Int(0) : 0;
  st->Reset();
  return value;
}

// SQL function entry_dates_in_chunks(hash, ids...): the date_added_us of the pairs of `hash`
// in the chunks `ids` (NULLs skipped), as a JSON array, or NULL if there are none.
void DatesInChunks(sqlite3_context* context, int argc, sqlite3_value** args) {
  const int64_t hash = sqlite3_value_int64(args[0]);
  std::string json;
  for (int a = 1; a < argc; ++a) {
    const void* data = sqlite3_value_blob(args[a]);
    std::string_view blob(static_cast<const char*>(data), data ? sqlite3_value_bytes(args[a]) : 0);
    if (blob.size() % sizeof(IdPair) != 0) {
      sqlite3_result_error(context, "entry_id_chunks: a chunk's size is not a multiple of 16", -1);
      return;
    }
    size_t lo = 0, hi = PairsIn(blob);
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (PairAt(blob, mid).id_hash < hash)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (size_t i = lo; i < PairsIn(blob); ++i) {
      IdPair p = PairAt(blob, i);
      if (p.id_hash != hash) break;
      StrAppend(json, json.empty() ? "[" : ",", p.date_added_us);
    }
  }
  if (json.empty()) {
    sqlite3_result_null(context);
    return;
  }
  json += ']';
  sqlite3_result_text(context, json.data(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
}

// Appends the pairs of the chunks of runs `first` to `last`, chunk by chunk in key order,
// leaving out the entries in `deleted` (sorted).
absl::Status ReadRuns(Connection& db, int64_t first, int64_t last,
                      const std::vector<int64_t>& deleted, std::vector<IdPair>& out) {
  KZ_ASSIGN_OR_RETURN(
      Statement * chunks,
      db.Cached(
          "SELECT ids FROM entry_id_chunks WHERE run BETWEEN ?1 AND ?2 ORDER BY run, first_hash"));
  chunks->Bind(1, first).Bind(2, last);
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, chunks->Step());
    if (!row) break;
    std::string_view blob = chunks->Text(0);
    for (size_t i = 0; i < PairsIn(blob); ++i) {
      IdPair p = PairAt(blob, i);
      if (!std::binary_search(deleted.begin(), deleted.end(), p.date_added_us)) out.push_back(p);
    }
  }
  chunks->Reset();
  return absl::OkStatus();
}

// Appends the (id_hash, date_added_us) rows `sql` selects, leaving out the entries in
// `deleted` (sorted).
absl::Status ReadPairRows(Connection& db, const std::string& sql,
                          const std::vector<int64_t>& deleted, std::vector<IdPair>& out) {
  KZ_ASSIGN_OR_RETURN(Statement * rows, db.Cached(sql));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, rows->Step());
    if (!row) break;
    IdPair p{rows->Int(0), rows->Int(1)};
    if (!std::binary_search(deleted.begin(), deleted.end(), p.date_added_us)) out.push_back(p);
  }
  rows->Reset();
  return absl::OkStatus();
}

// Merges runs 1 to kMaxIdRuns and entry_id_compacted into run kMergedRun, leaving out
// deleted entries.
absl::Status MergeRuns(Connection& db) {
  KZ_ASSIGN_OR_RETURN(std::vector<int64_t> deleted, DeletedEntries(db));
  std::vector<IdPair> pairs;
  KZ_RETURN_IF_ERROR(ReadRuns(db, kMergedRun, kMergedRun, deleted, pairs));
  const auto merged = static_cast<ptrdiff_t>(pairs.size());
  KZ_RETURN_IF_ERROR(ReadRuns(db, kMergedRun + 1, kMaxIdRuns, deleted, pairs));
  KZ_RETURN_IF_ERROR(
      ReadPairRows(db, "SELECT id_hash, date_added_us FROM entry_id_compacted", deleted, pairs));
  std::sort(pairs.begin() + merged, pairs.end());
  std::inplace_merge(pairs.begin(), pairs.begin() + merged, pairs.end());
  KZ_RETURN_IF_ERROR(
      db.Exec("DELETE FROM entry_id_chunks; DELETE FROM entry_id_compacted; DELETE FROM "
              "entry_id_deleted;"));
  return WriteRun(db, kMergedRun, pairs);
}

// Moves the pairs of runs 1 to kMaxIdRuns into entry_id_compacted, leaving out deleted
// entries (which the table may still hold until the next merge).
absl::Status CompactRuns(Connection& db) {
  KZ_ASSIGN_OR_RETURN(std::vector<int64_t> deleted, DeletedEntries(db));
  std::vector<IdPair> pairs;
  KZ_RETURN_IF_ERROR(ReadRuns(db, kMergedRun + 1, kMaxIdRuns, deleted, pairs));
  std::sort(pairs.begin(), pairs.end());
  KZ_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Cached("INSERT INTO entry_id_compacted (id_hash, date_added_us) VALUES (?1, ?2)"));
  for (const IdPair& p : pairs) {
    insert->Bind(1, p.id_hash).Bind(2, p.date_added_us);
    absl::Status status = insert->Run();
    insert->Reset();
    KZ_RETURN_IF_ERROR(status);
  }
  static_assert(kMergedRun == 0);
  return db.Exec("DELETE FROM entry_id_chunks WHERE run > 0");
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> DeletedEntries(Connection& db) {
  std::vector<int64_t> deleted;  // in order: the table's key
  KZ_ASSIGN_OR_RETURN(Statement * gone, db.Cached("SELECT date_added_us FROM entry_id_deleted"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, gone->Step());
    if (!row) break;
    deleted.push_back(gone->Int(0));
  }
  gone->Reset();
  return deleted;
}

absl::Status AddEntryIdFunction(Connection& db) {
  int rc = sqlite3_create_function_v2(db.handle(), "entry_dates_in_chunks", -1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      nullptr, DatesInChunks, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, "entry_dates_in_chunks", sqlite3_errstr(rc));
  return absl::OkStatus();
}

absl::Status PackUnpackedIds(Connection& db) {
  KZ_ASSIGN_OR_RETURN(int64_t unpacked, SelectInt(db,
                                                  "SELECT count(*) FROM sqlite_schema"
                                                  " WHERE name = 'entry_id_unpacked'"));
  if (unpacked == 0) return absl::OkStatus();
  Transaction tx(db);
  KZ_RETURN_IF_ERROR(tx.Begin());
  std::vector<IdPair> pairs;
  KZ_RETURN_IF_ERROR(ReadPairRows(
      db, "SELECT id_hash, date_added_us FROM entry_id_unpacked ORDER BY id_hash, date_added_us",
      {}, pairs));
  KZ_RETURN_IF_ERROR(WriteRun(db, kMergedRun, pairs));
  KZ_RETURN_IF_ERROR(db.Exec("DROP TABLE entry_id_unpacked"));
  return tx.Commit();
}

absl::Status WriteRun(Connection& db, int64_t run, const std::vector<IdPair>& pairs) {
  KZ_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Cached("INSERT INTO entry_id_chunks (run, first_hash, ids) VALUES (?1, ?2, ?3)"));
  for (size_t begin = 0; begin < pairs.size();) {
    size_t end = std::min(begin + kChunkPairs, pairs.size());
    while (end < pairs.size() && pairs[end].id_hash == pairs[end - 1].id_hash) ++end;
    std::string_view bytes(reinterpret_cast<const char*>(pairs.data() + begin),
                           (end - begin) * sizeof(IdPair));
    insert->Bind(1, run).Bind(2, pairs[begin].id_hash).BindBlobView(3, bytes);
    absl::Status status = insert->Run();
    insert->Reset();
    KZ_RETURN_IF_ERROR(status);
    begin = end;
  }
  return absl::OkStatus();
}

std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param, std::string_view pending_param) {
  std::string sql = StrCat("(", date_added_column,
                           " IN (SELECT value FROM json_each(entry_dates_in_chunks(", hash_param);
  for (int64_t run = kMergedRun; run <= kMaxIdRuns; ++run) {
    StrAppend(sql, ", (SELECT ids FROM entry_id_chunks WHERE run = ", run,
              " AND first_hash <= ", hash_param, " ORDER BY first_hash DESC LIMIT 1)");
  }
  StrAppend(sql, ")) UNION ALL SELECT date_added_us FROM entry_id_compacted WHERE id_hash = ",
            hash_param);
  if (!pending_param.empty()) {
    StrAppend(sql, " UNION ALL SELECT value FROM json_each(", pending_param, ")");
  }
  sql += ")";
  if (!collection_param.empty()) {
    size_t dot = date_added_column.rfind('.');
    std::string_view table =
        dot == std::string_view::npos ? "" : date_added_column.substr(0, dot + 1);
    StrAppend(sql, " AND ", table, "collection = ", collection_param);
  }
  return sql + ")";
}

absl::StatusOr<int64_t> StartIdRun(Connection& db, int64_t ids_in_store) {
  KZ_ASSIGN_OR_RETURN(int64_t last,
                      SelectInt(db, "SELECT coalesce(max(run), 0) FROM entry_id_chunks"));
  if (last < kMaxIdRuns) return last + 1;
  KZ_ASSIGN_OR_RETURN(int64_t in_runs, SelectInt(db,
                                                 "SELECT coalesce(sum(length(ids)), 0) / 16"
                                                 " FROM entry_id_chunks WHERE run > 0"));
  KZ_ASSIGN_OR_RETURN(int64_t compacted, SelectInt(db, "SELECT count(*) FROM entry_id_compacted"));
  if ((in_runs + compacted) * kMergeAtOneIn >= ids_in_store ||
      in_runs * kMergeRunsAtOneIn >= ids_in_store) {
    KZ_RETURN_IF_ERROR(MergeRuns(db));
  } else {
    KZ_RETURN_IF_ERROR(CompactRuns(db));
  }
  return kMergedRun + 1;
}

absl::Status ForEachIdHash(Connection& db, absl::FunctionRef<void(int64_t)> add) {
  KZ_ASSIGN_OR_RETURN(Statement * chunks, db.Cached("SELECT ids FROM entry_id_chunks"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, chunks->Step());
    if (!row) break;
    std::string_view blob = chunks->Text(0);
    for (size_t i = 0; i < PairsIn(blob); ++i) add(PairAt(blob, i).id_hash);
  }
  chunks->Reset();
  KZ_ASSIGN_OR_RETURN(Statement * compacted, db.Cached("SELECT id_hash FROM entry_id_compacted"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, compacted->Step());
    if (!row) break;
    add(compacted->Int(0));
  }
  compacted->Reset();
  return absl::OkStatus();
}

}  // namespace kizuna::store::sqlite_internal
