// Kizuna. A node's database: the object Store and the identity Directory in one.
#pragma once

// A node keeps its objects, its search index, its identities and its peers in one database,
// so one object implements the four interfaces: open it with store::OpenDatabase (open.h) and hand
// the server `Store&`, `Directory&` and `PeerStore&` views of it. The reports' reads are here too
// (report_view.h): the tables the brief and the console's counts compute over in SQL, and the
// exercise results kept for the brief (exercise_results.h).
// Thread-safety: as the interfaces; OpenReportView's connection belongs to its caller.

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/exercise_results.h"
#include "kizuna/store/peers.h"
#include "kizuna/store/report_view.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

class Database : public Store, public Directory, public PeerStore, public SearchIndex {
 public:
  // An SQLite connection of the caller's own holding the rows of `scope` in the tables
  // report_view.h lists, as of one point in time (SQLite: the file, read as it changes;
  // PostgreSQL: one snapshot). Unavailable when the store cannot give one (an SQLite store
  // in memory); the store's errors.
  absl::StatusOr<std::unique_ptr<Connection>> OpenReportView(const ReportScope& scope) {
    return DoOpenReportView(scope);
  }
  // Inserts or replaces the exercise result of (row.exercise, row.collection_id).
  // InvalidArgument for a result over kMaxExerciseResultBytes; NotFound for no collection
  // row.collection_id; the store's errors.
  absl::Status PutExerciseResult(const ExerciseResultRow& row);
  // The exercise results whose exercise started in [from_us, to_us), by start, exercise and
  // collection, with collection_id and collection_pk filled. Errors: the store's.
  absl::StatusOr<std::vector<ExerciseResultRow>> ExerciseResultsHeld(int64_t from_us,
                                                                     int64_t to_us) {
    return DoExerciseResultsHeld(from_us, to_us);
  }

 protected:
  // `clock` stamps audit events; `random` makes ids (Directory). Both must outlive the database.
  Database(Clock& clock, Random& random) : Directory(clock, random) {}

 private:
  virtual absl::StatusOr<std::unique_ptr<Connection>> DoOpenReportView(
      const ReportScope& scope) = 0;
  // REQUIRES: row.result within kMaxExerciseResultBytes (checked by PutExerciseResult).
  virtual absl::Status DoPutExerciseResult(const ExerciseResultRow& row) = 0;
  virtual absl::StatusOr<std::vector<ExerciseResultRow>> DoExerciseResultsHeld(int64_t from_us,
                                                                               int64_t to_us) = 0;
};

}  // namespace kizuna::store
