// Kizuna. The SQLite store's reads for the reports (report_view.h): the file itself, read-only;
// exercise results on the store's own connections.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

absl::StatusOr<std::unique_ptr<Connection>> SqliteStore::DoOpenReportView(
    const ReportScope& scope) {
  (void)scope;  // the file holds every row
  if (path_.empty() || path_ == ":memory:" || path_.starts_with("file::memory:")) {
    return absl::UnavailableError("an SQLite store in memory has no file for a report to read");
  }
  return Connection::Open(path_, /*read_only=*/true);
}

absl::Status SqliteStore::DoPutExerciseResult(const ExerciseResultRow& row) {
  absl::MutexLock lock(&write_mu_);
  return store::PutExerciseResult(*writer_, row);
}

absl::StatusOr<std::vector<ExerciseResultRow>> SqliteStore::DoExerciseResultsHeld(int64_t from_us,
                                                                                  int64_t to_us) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  return store::ExerciseResultsHeld(*db, from_us, to_us);
}

}  // namespace kizuna::store
