// Kizuna.
#include "kizuna/store/sqlite/entry_ids.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store::sqlite_internal {
namespace {

// The runs are merged into entry_ids once they hold this fraction (1/8) of the store's ids;
// before that, they are compacted into run 0.
constexpr int64_t kMergeAtOneIn = 8;

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

}  // namespace

std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param) {
  std::string where = StrCat("id_hash = ", hash_param);
  if (!collection_param.empty()) StrAppend(where, " AND collection = ", collection_param);
  static const std::string kRuns = AllRuns();
  return StrCat(date_added_column, " IN (SELECT date_added_us FROM entry_ids WHERE ", where,
                " UNION ALL SELECT date_added_us FROM entry_id_runs WHERE run IN (", kRuns,
                ") AND ", where, ")");
}

absl::StatusOr<int64_t> StartIdRun(Connection& db, int64_t ids_in_store) {
  KZ_ASSIGN_OR_RETURN(int64_t last,
                      SelectInt(db, "SELECT coalesce(max(run), 0) FROM entry_id_runs"));
  if (last < kMaxIdRuns) return last + 1;
  KZ_ASSIGN_OR_RETURN(int64_t in_runs, SelectInt(db, "SELECT count(*) FROM entry_id_runs"));
  if (in_runs * kMergeAtOneIn >= ids_in_store) {
    KZ_RETURN_IF_ERROR(
        db.Exec("INSERT OR FAIL INTO entry_ids (id_hash, collection, date_added_us)"
                " SELECT id_hash, collection, date_added_us FROM entry_id_runs"
                " ORDER BY id_hash, collection, date_added_us;"
                "DELETE FROM entry_id_runs;"));
  } else {
    KZ_RETURN_IF_ERROR(
        db.Exec("INSERT OR FAIL INTO entry_id_runs (run, id_hash, collection, date_added_us)"
                " SELECT 0, id_hash, collection, date_added_us FROM entry_id_runs WHERE run > 0"
                " ORDER BY id_hash, collection, date_added_us;"
                "DELETE FROM entry_id_runs WHERE run > 0;"));
  }
  return 1;
}

}  // namespace kizuna::store::sqlite_internal
