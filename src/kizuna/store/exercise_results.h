// Kizuna. Results of joint exercises kept on the node (table exercise_results), for the brief.
#pragma once

// `kizuna exercise record` puts a scored exercise here; the brief (report/) reads those held
// in its period and shows those its audience's policy releases (docs/exercise.md,
// "Results on the node"). A result is keyed by exercise and collection: recording it again
// replaces it. Callers go through the node's Database (database.h), which either store
// implements; the functions below are the SQLite store's, on one of its connections:
//
//   KZ_RETURN_IF_ERROR(db.PutExerciseResult(row));
//   KZ_ASSIGN_OR_RETURN(auto rows, db.ExerciseResultsHeld(from_us, to_us));
//
// Thread-safety: as the connection.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store {

// Largest scoreboard kept, in bytes.
inline constexpr size_t kMaxExerciseResultBytes = size_t{16} << 20;

struct ExerciseResultRow {
  std::string exercise;
  std::string collection_id;  // the collection's id (PutExerciseResult reads it; ExerciseResultsHeld fills it)
  int64_t collection_pk = 0;  // ExerciseResultsHeld
  std::string title;
  int64_t t0_us = 0, end_us = 0;
  std::string created_by_ref;
  std::string markings;  // marking-definition ids, space-separated
  std::string result;    // the scoreboard JSON
  int64_t recorded_us = 0;
};

// Inserts or replaces the result of (exercise, collection). InvalidArgument for a result over
// kMaxExerciseResultBytes; NotFound for no collection `collection_id`; the store's errors.
absl::Status PutExerciseResult(Connection& sql, const ExerciseResultRow& row);

// The results whose exercise started in [from_us, to_us), by start then exercise.
absl::StatusOr<std::vector<ExerciseResultRow>> ExerciseResultsHeld(Connection& sql, int64_t from_us,
                                                                   int64_t to_us);

}  // namespace kizuna::store
