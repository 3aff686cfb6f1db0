// Kizuna. Exercise results on the node (exercise_results.h).
#include "kizuna/store/exercise_results.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/database.h"

namespace kizuna::store {

absl::Status Database::PutExerciseResult(const ExerciseResultRow& row) {
  if (row.result.size() > kMaxExerciseResultBytes) {
    return absl::InvalidArgumentError(StrCat("exercise result of ", row.result.size(),
                                             " bytes is over the limit of ",
                                             kMaxExerciseResultBytes));
  }
  return DoPutExerciseResult(row);
}

absl::Status PutExerciseResult(Connection& sql, const ExerciseResultRow& row) {
  if (row.result.size() > kMaxExerciseResultBytes) {
    return absl::InvalidArgumentError(
        StrCat("exercise result of ", row.result.size(), " bytes is over the limit of ", kMaxExerciseResultBytes));
  }
  KZ_ASSIGN_OR_RETURN(Statement * find, sql.Cached("SELECT pk FROM collections WHERE id = ?"));
  find->Bind(1, row.collection_id);
  absl::StatusOr<bool> found = find->Step();
  int64_t pk = found.ok() && *found ? find->Int(0) : 0;
  find->Reset();
  if (!found.ok()) return found.status();
  if (pk == 0) return absl::NotFoundError(StrCat("no collection '", row.collection_id, "'"));
  KZ_ASSIGN_OR_RETURN(Statement * put,
                      sql.Cached("INSERT OR REPLACE INTO exercise_results (exercise, collection, title, t0_us, end_us,"
                                 " created_by_ref, markings, result, recorded_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  put->Bind(1, row.exercise).Bind(2, pk).Bind(3, row.title).Bind(4, row.t0_us).Bind(5, row.end_us);
  put->Bind(6, row.created_by_ref).Bind(7, row.markings).Bind(8, row.result).Bind(9, row.recorded_us);
  absl::Status status = put->Step().status();
  put->Reset();
  return status;
}

absl::StatusOr<std::vector<ExerciseResultRow>> ExerciseResultsHeld(Connection& sql, int64_t from_us,
                                                                   int64_t to_us) {
  KZ_ASSIGN_OR_RETURN(Statement * q,
                      sql.Cached("SELECT r.exercise, r.collection, r.title, r.t0_us, r.end_us, r.created_by_ref,"
                                 " r.markings, r.result, r.recorded_us, c.id FROM exercise_results r"
                                 " JOIN collections c ON c.pk = r.collection WHERE r.t0_us >= ? AND r.t0_us < ?"
                                 " ORDER BY r.t0_us, r.exercise, r.collection"));
  q->Bind(1, from_us).Bind(2, to_us);
  std::vector<ExerciseResultRow> out;
  for (;;) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok() || !*row) {
      q->Reset();
      if (!row.ok()) return row.status();
      break;
    }
    ExerciseResultRow& r = out.emplace_back();
    r.exercise = q->Text(0), r.collection_pk = q->Int(1), r.title = q->Text(2);
    r.t0_us = q->Int(3), r.end_us = q->Int(4), r.created_by_ref = q->Text(5), r.markings = q->Text(6);
    r.result = q->Text(7), r.recorded_us = q->Int(8), r.collection_id = q->Text(9);
  }
  return out;
}

}  // namespace kizuna::store
