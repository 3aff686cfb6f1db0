// Kizuna.
#include "kizuna/store/sqlite/entry_ids.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store::sqlite_internal {
namespace {

// The runs are merged into the chunks once they hold this fraction (1/8) of the store's ids;
// before that, they are compacted into run 0.
constexpr int64_t kMergeAtOneIn = 8;

// A chunk's blob is an array of these, in this order, little-endian.
struct IdPair {
  int64_t id_hash, date_added_us;
  auto operator<=>(const IdPair&) const = default;
};
static_assert(sizeof(IdPair) == 16 && std::endian::native == std::endian::little,
              "chunks are stored as the memory image of IdPair arrays");

size_t PairsIn(std::string_view blob) { return blob.size() / sizeof(IdPair); }

IdPair PairAt(std::string_view blob, size_t i) {
  IdPair p;
  std::memcpy(&p, blob.data() + i * sizeof(IdPair), sizeof p);
  return p;
}

std::string AllRuns() {
  std::string runs = "0";
  for (int64_t run = 1; run <= kMaxIdRuns; ++run) StrAppend(runs, ", ", run);
  return runs;
}

absl::StatusOr<int64_t> SelectInt(Connection& db, const std::string& sql) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t value = row ? st->Int(0) : 0;
  st->Reset();
  return value;
}

// SQL function entry_dates_in_chunk(ids, hash): the date_added_us of the pairs of `hash` in
// the chunk `ids`, as a JSON array, or NULL if there are none (or no chunk).
void DatesInChunk(sqlite3_context* context, int, sqlite3_value** args) {
  const void* data = sqlite3_value_blob(args[0]);
  std::string_view blob(static_cast<const char*>(data), data ? sqlite3_value_bytes(args[0]) : 0);
  if (blob.size() % sizeof(IdPair) != 0) {
    sqlite3_result_error(context, "entry_id_chunks: a chunk's size is not a multiple of 16", -1);
    return;
  }
  const int64_t hash = sqlite3_value_int64(args[1]);
  size_t lo = 0, hi = PairsIn(blob);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (PairAt(blob, mid).id_hash < hash)
      lo = mid + 1;
    else
      hi = mid;
  }
  std::string json;
  for (size_t i = lo; i < PairsIn(blob); ++i) {
    IdPair p = PairAt(blob, i);
    if (p.id_hash != hash) break;
    StrAppend(json, json.empty() ? "[" : ",", p.date_added_us);
  }
  if (json.empty()) {
    sqlite3_result_null(context);
    return;
  }
  json += ']';
  sqlite3_result_text(context, json.data(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
}

absl::Status ReadChunks(Connection& db, absl::FunctionRef<void(std::string_view)> read) {
  KZ_ASSIGN_OR_RETURN(Statement * chunks,
                      db.Cached("SELECT ids FROM entry_id_chunks ORDER BY first_hash"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, chunks->Step());
    if (!row) break;
    read(chunks->Text(0));
  }
  chunks->Reset();
  return absl::OkStatus();
}

absl::Status WriteChunks(Connection& db, const std::vector<IdPair>& pairs) {
  KZ_ASSIGN_OR_RETURN(Statement * insert,
                      db.Cached("INSERT INTO entry_id_chunks (first_hash, ids) VALUES (?1, ?2)"));
  for (size_t begin = 0; begin < pairs.size();) {
    size_t end = std::min(begin + kChunkPairs, pairs.size());
    while (end < pairs.size() && pairs[end].id_hash == pairs[end - 1].id_hash) ++end;
    std::string_view bytes(reinterpret_cast<const char*>(pairs.data() + begin),
                           (end - begin) * sizeof(IdPair));
    insert->Bind(1, pairs[begin].id_hash).BindBlobView(2, bytes);
    absl::Status status = insert->Run();
    insert->Reset();
    KZ_RETURN_IF_ERROR(status);
    begin = end;
  }
  return absl::OkStatus();
}

// Merges every run into the chunks, leaving out the deleted entries, and empties the runs.
absl::Status MergeRuns(Connection& db) {
  std::vector<IdPair> fresh;
  KZ_ASSIGN_OR_RETURN(Statement * runs,
                      db.Cached("SELECT id_hash, date_added_us FROM entry_id_runs"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, runs->Step());
    if (!row) break;
    fresh.push_back({runs->Int(0), runs->Int(1)});
  }
  runs->Reset();
  std::sort(fresh.begin(), fresh.end());

  std::vector<int64_t> deleted;  // in order: the table's key
  KZ_ASSIGN_OR_RETURN(Statement * gone, db.Cached("SELECT date_added_us FROM entry_id_deleted"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, gone->Step());
    if (!row) break;
    deleted.push_back(gone->Int(0));
  }
  gone->Reset();

  KZ_ASSIGN_OR_RETURN(int64_t chunk_bytes,
                      SelectInt(db, "SELECT coalesce(sum(length(ids)), 0) FROM entry_id_chunks"));
  std::vector<IdPair> merged;
  merged.reserve(static_cast<size_t>(chunk_bytes) / sizeof(IdPair) + fresh.size());
  size_t next = 0;
  KZ_RETURN_IF_ERROR(ReadChunks(db, [&](std::string_view blob) {
    for (size_t i = 0; i < PairsIn(blob); ++i) {
      IdPair p = PairAt(blob, i);
      if (!deleted.empty() && std::binary_search(deleted.begin(), deleted.end(), p.date_added_us)) {
        continue;
      }
      while (next < fresh.size() && fresh[next] < p) merged.push_back(fresh[next++]);
      merged.push_back(p);
    }
  }));
  merged.insert(merged.end(), fresh.begin() + static_cast<ptrdiff_t>(next), fresh.end());
  KZ_RETURN_IF_ERROR(db.Exec(
      "DELETE FROM entry_id_chunks; DELETE FROM entry_id_runs; DELETE FROM entry_id_deleted;"));
  return WriteChunks(db, merged);
}

}  // namespace

absl::Status AddEntryIdFunction(Connection& db) {
  int rc = sqlite3_create_function_v2(db.handle(), "entry_dates_in_chunk", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      nullptr, DatesInChunk, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, "entry_dates_in_chunk", sqlite3_errstr(rc));
  return absl::OkStatus();
}

std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param) {
  static const std::string kRuns = AllRuns();
  std::string sql = StrCat(
      "(", date_added_column, " IN (SELECT date_added_us FROM entry_id_runs WHERE run IN (", kRuns,
      ") AND id_hash = ", hash_param,
      " UNION ALL SELECT value FROM json_each(entry_dates_in_chunk((SELECT ids FROM entry_id_chunks"
      " WHERE first_hash <= ",
      hash_param, " ORDER BY first_hash DESC LIMIT 1), ", hash_param, ")))");
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
                      SelectInt(db, "SELECT coalesce(max(run), 0) FROM entry_id_runs"));
  if (last < kMaxIdRuns) return last + 1;
  KZ_ASSIGN_OR_RETURN(int64_t in_runs, SelectInt(db, "SELECT count(*) FROM entry_id_runs"));
  if (in_runs * kMergeAtOneIn >= ids_in_store) {
    KZ_RETURN_IF_ERROR(MergeRuns(db));
  } else {
    KZ_RETURN_IF_ERROR(
        db.Exec("INSERT OR FAIL INTO entry_id_runs (run, id_hash, collection, date_added_us)"
                " SELECT 0, id_hash, collection, date_added_us FROM entry_id_runs WHERE run > 0"
                " ORDER BY id_hash, collection, date_added_us;"
                "DELETE FROM entry_id_runs WHERE run > 0;"));
  }
  return 1;
}

absl::Status ForEachIdHash(Connection& db, absl::FunctionRef<void(int64_t)> add) {
  KZ_ASSIGN_OR_RETURN(Statement * runs, db.Cached("SELECT id_hash FROM entry_id_runs"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, runs->Step());
    if (!row) break;
    add(runs->Int(0));
  }
  runs->Reset();
  return ReadChunks(db, [&](std::string_view blob) {
    for (size_t i = 0; i < PairsIn(blob); ++i) add(PairAt(blob, i).id_hash);
  });
}

}  // namespace kizuna::store::sqlite_internal
