// Kizuna.
#include "kizuna/store/sqlite/entry_ids.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store::sqlite_internal {

std::string EntriesOfId(std::string_view date_added_column, std::string_view hash_param,
                        std::string_view collection_param) {
  std::string where = StrCat("id_hash = ", hash_param);
  if (!collection_param.empty()) StrAppend(where, " AND collection = ", collection_param);
  return StrCat(date_added_column, " IN (SELECT date_added_us FROM entry_ids WHERE ", where,
                " UNION ALL SELECT date_added_us FROM entry_ids_recent WHERE ", where, ")");
}

std::string_view IdsTableFor(size_t objects) {
  return objects >= kRecentIdsToMerge / 2 ? "entry_ids" : "entry_ids_recent";
}

absl::Status MergeRecentIds(Connection& db) {
  KZ_ASSIGN_OR_RETURN(Statement * count, db.Cached("SELECT count(*) FROM entry_ids_recent"));
  KZ_ASSIGN_OR_RETURN(bool row, count->Step());
  int64_t recent = row ? count->Int(0) : 0;
  count->Reset();
  if (recent < kRecentIdsToMerge) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(
      Statement * move,
      db.Cached("INSERT OR FAIL INTO entry_ids (id_hash, collection, date_added_us)"
                " SELECT id_hash, collection, date_added_us FROM entry_ids_recent"));
  KZ_RETURN_IF_ERROR(move->Run());
  move->Reset();
  return db.Exec("DELETE FROM entry_ids_recent");
}

}  // namespace kizuna::store::sqlite_internal
