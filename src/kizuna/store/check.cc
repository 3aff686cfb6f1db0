// Kizuna. CheckDataDir: opens the database read-only and runs the steps of check.h (on
// PostgreSQL: postgres/pg_check.h).
#include "kizuna/store/check.h"

#include <filesystem>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/check_rules.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/open.h"
#include "kizuna/store/postgres/pg_check.h"
#include "kizuna/store/sqlite/check_steps.h"
#include "kizuna/store/sqlite/internal.h"

namespace kizuna::store {
namespace {

using sqlite_internal::CheckContext;

absl::StatusOr<int64_t> Pragma(Connection& db, std::string_view name) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(StrCat("PRAGMA ", name)));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t value = row ? st->Int(0) : 0;
  st->Reset();
  return value;
}

// Kizuna's own steps, which need the schema this build writes.
void CheckInvariants(CheckContext& c, const std::string& dir, CheckReport& report) {
  absl::StatusOr<int64_t> version = Pragma(c.db(), "user_version");
  const int64_t expected = sqlite_internal::CurrentSchemaVersion();
  if (!version.ok() || *version != expected) {
    CheckStep& step = report.steps.emplace_back();
    step.name = "schema";
    step.complete = false;
    step.note =
        version.ok()
            ? StrCat("schema version ", *version, ", this Kizuna's is ", expected,
                     ": the store's own invariants were not checked (any kizuna command on the",
                     " directory migrates an older store)")
            : StrCat("the schema version cannot be read: ", View(version.status().message()));
    return;
  }
  report.steps.push_back(sqlite_internal::CheckEntryFlags(c));
  report.steps.push_back(sqlite_internal::CheckEntryIds(c));
  report.steps.push_back(sqlite_internal::CheckMarkingDefinitions(c));
  report.steps.push_back(sqlite_internal::CheckPeerTokens(c, DataDirFile(dir, kPeerTokenKeyFile)));
}

}  // namespace

void CheckStep::Add(std::string where, std::string what, size_t keep) {
  ++problem_count;
  if (problems.size() < keep) problems.push_back({std::move(where), std::move(what)});
}

bool CheckReport::Clean() const {
  for (const CheckStep& s : steps) {
    if (s.problem_count > 0) return false;
  }
  return true;
}

bool CheckReport::Complete() const {
  for (const CheckStep& s : steps) {
    if (!s.complete) return false;
  }
  return true;
}

absl::StatusOr<CheckReport> CheckDataDir(const std::string& dir, const CheckOptions& options,
                                         Clock& clock) {
  KZ_ASSIGN_OR_RETURN(std::string url, RecordedStoreUrl(dir));
  if (!url.empty()) return pg_internal::CheckPostgres(url, dir, options, clock);
  CheckReport report;
  report.database = DataDirFile(dir, kDatabaseFile);
  if (!std::filesystem::exists(report.database)) {
    return absl::FailedPreconditionError(
        StrCat("no Kizuna data in ", dir, " (run `kizuna init`, or pass --data-dir)"));
  }
  absl::StatusOr<std::unique_ptr<Connection>> db =
      Connection::Open(report.database, /*read_only=*/true);
  absl::StatusOr<int64_t> pages = absl::UnknownError("not read");
  if (db.ok()) {
    // Large sorts of the checks go to temporary files rather than memory.
    (*db)->Exec("PRAGMA temp_store = FILE").IgnoreError();
    pages = Pragma(**db, "page_count");
  } else {
    pages = db.status();
  }
  if (!pages.ok()) {
    CheckStep& step = report.steps.emplace_back();
    step.name = "sqlite";
    step.complete = false;
    step.Add(report.database,
             StrCat("the database cannot be read: ", View(pages.status().message())),
             options.max_problems_per_step);
  } else {
    report.pages = *pages;
    report.page_size = Pragma(**db, "page_size").value_or(0);
    report.bytes = report.pages * report.page_size;
    CheckContext c(**db, options, clock);
    report.steps.push_back(sqlite_internal::CheckPages(c, *pages));
    if (options.level == CheckLevel::kFull) CheckInvariants(c, dir, report);
  }
  report.steps.push_back(CheckModes(dir, options.max_problems_per_step));
  return report;
}

}  // namespace kizuna::store
