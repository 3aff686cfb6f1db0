// Kizuna. The PostgreSQL store's reads for the reports (report_view.h): the rows a report asks
// for, copied from one snapshot into a private temporary SQLite database; exercise results.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace {

using pg::Param;

// Rows read from PostgreSQL per statement (keyset pages on date_added_us).
constexpr int kRowsPerRead = 5000;

// The tables of report_view.h, in SQLite's types; indexes come after the rows.
constexpr std::string_view kViewTables = R"sql(
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE collections (pk INTEGER PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE entries (
  date_added_us INTEGER PRIMARY KEY, collection INTEGER NOT NULL, id_hash INTEGER NOT NULL,
  stix_id TEXT NOT NULL, type TEXT NOT NULL, version_ns INTEGER NOT NULL,
  spec_version INTEGER NOT NULL, created_by_ref TEXT, markings TEXT,
  granular_refs INTEGER NOT NULL, origin TEXT, added_by TEXT, added_by_nation TEXT,
  is_first INTEGER NOT NULL, is_last INTEGER NOT NULL, is_top_spec INTEGER NOT NULL, json BLOB);
CREATE TABLE provenance (date_added_us INTEGER PRIMARY KEY, received_us INTEGER NOT NULL);
CREATE TABLE sync_runs (
  pk INTEGER PRIMARY KEY, peer TEXT NOT NULL, local_collection TEXT NOT NULL,
  remote_collection TEXT NOT NULL, ok INTEGER NOT NULL, first_us INTEGER NOT NULL,
  last_us INTEGER NOT NULL, failures INTEGER NOT NULL);
BEGIN;
)sql";

constexpr std::string_view kViewIndexes = R"sql(
COMMIT;
CREATE INDEX entries_by_collection ON entries(collection, date_added_us);
CREATE INDEX entries_current ON entries(collection, date_added_us) WHERE is_last AND is_top_spec;
ANALYZE;
)sql";

// The entries of the scope ($3: the collections' pks, comma-separated), and every marking
// definition, added in ($1, $2], from $1 on in date_added order.
constexpr std::string_view kReadEntries =
    "SELECT date_added_us, collection, stix_id, type, version_ns, spec_version, created_by_ref,"
    " markings, granular_refs, origin, added_by, added_by_nation, is_first, is_last, is_top_spec,"
    " CASE WHEN granular_refs > 0 OR ($6 AND type IN ('sighting', 'relationship')) THEN json END"
    " FROM entries WHERE date_added_us > $1 AND date_added_us <= $2"
    " AND ((collection = ANY(string_to_array($3, ',')::bigint[]) AND (NOT $4 OR (is_last AND "
    "is_top_spec))"
    " AND ($5 = '' OR type = $5)) OR type = 'marking-definition')"
    " ORDER BY date_added_us LIMIT $7";

void BindTextOrNull(Statement& s, int index, const pg::Result& r, int row, int column) {
  if (r.IsNull(row, column)) {
    s.BindNull(index);
  } else {
    s.BindView(index, r.Text(row, column));
  }
}

absl::Status CopyCollections(pg::Connection& pg, Connection& sql, const ReportScope& scope,
                             std::string& pks) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result r, pg.Run("read the collections for a report", "SELECT pk, id FROM collections"));
  KZ_ASSIGN_OR_RETURN(Statement * put,
                      sql.Cached("INSERT INTO collections (pk, id) VALUES (?, ?)"));
  const absl::flat_hash_set<std::string> wanted(scope.collections.begin(), scope.collections.end());
  for (int i = 0; i < r.rows(); ++i) {
    KZ_RETURN_IF_ERROR(put->Bind(1, r.Int(i, 0)).BindView(2, r.Text(i, 1)).Run());
    put->Reset();
    if (wanted.contains(std::string(r.Text(i, 1))))
      StrAppend(pks, pks.empty() ? "" : ",", r.Int(i, 0));
  }
  return absl::OkStatus();
}

absl::Status CopyEntries(pg::Connection& pg, Connection& sql, const ReportScope& scope,
                         const std::string& pks) {
  KZ_ASSIGN_OR_RETURN(
      Statement * put,
      sql.Cached(
          "INSERT INTO entries (date_added_us, collection, id_hash, stix_id, type, version_ns,"
          " spec_version, created_by_ref, markings, granular_refs, origin, added_by,"
          " added_by_nation, is_first, is_last, is_top_spec, json)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const std::string sql_text(kReadEntries);
  // id_hash under a key of this view's (SipHash, as SQLite's): ids a partner chose cannot be
  // made to collide and merge two objects in a count of distinct ids.
  sqlite_internal::IdHashKey key;
  SecureRandom().Fill(key.bytes);
  for (int64_t after = scope.after_us;;) {
    KZ_ASSIGN_OR_RETURN(pg::Result r,
                        pg.Run("read entries for a report", sql_text,
                               {Param::Int(after), Param::Int(scope.through_us), Param::Text(pks),
                                Param::Bool(scope.current_only), Param::Text(scope.type),
                                Param::Bool(scope.json_of_refs), Param::Int(kRowsPerRead)}));
    for (int i = 0; i < r.rows(); ++i) {
      const std::string_view id = r.Text(i, 2);
      put->Bind(1, r.Int(i, 0)).Bind(2, r.Int(i, 1)).Bind(3, sqlite_internal::IdHash(key, id));
      put->BindView(4, id).BindView(5, r.Text(i, 3)).Bind(6, r.Int(i, 4)).Bind(7, r.Int(i, 5));
      BindTextOrNull(*put, 8, r, i, 6);
      BindTextOrNull(*put, 9, r, i, 7);
      put->Bind(10, r.Int(i, 8));
      BindTextOrNull(*put, 11, r, i, 9);
      BindTextOrNull(*put, 12, r, i, 10);
      BindTextOrNull(*put, 13, r, i, 11);
      put->Bind(14, r.Int(i, 12)).Bind(15, r.Int(i, 13)).Bind(16, r.Int(i, 14));
      if (r.IsNull(i, 15)) {
        put->BindNull(17);
      } else {
        put->BindBlobView(17, r.Text(i, 15));
      }
      absl::Status st = put->Run();
      put->Reset();
      KZ_RETURN_IF_ERROR(st);
    }
    if (r.rows() < kRowsPerRead) return absl::OkStatus();
    after = r.Int(r.rows() - 1, 0);
  }
}

absl::Status CopyProvenance(pg::Connection& pg, Connection& sql, const ReportScope& scope) {
  KZ_ASSIGN_OR_RETURN(
      Statement * put,
      sql.Cached("INSERT INTO provenance (date_added_us, received_us) VALUES (?, ?)"));
  for (int64_t after = scope.after_us;;) {
    KZ_ASSIGN_OR_RETURN(
        pg::Result r,
        pg.Run("read provenance for a report",
               "SELECT date_added_us, received_us FROM provenance WHERE date_added_us > $1"
               " AND date_added_us <= $2 ORDER BY date_added_us LIMIT $3",
               {Param::Int(after), Param::Int(scope.through_us), Param::Int(kRowsPerRead)}));
    for (int i = 0; i < r.rows(); ++i) {
      absl::Status st = put->Bind(1, r.Int(i, 0)).Bind(2, r.Int(i, 1)).Run();
      put->Reset();
      KZ_RETURN_IF_ERROR(st);
    }
    if (r.rows() < kRowsPerRead) return absl::OkStatus();
    after = r.Int(r.rows() - 1, 0);
  }
}

absl::Status CopySyncRuns(pg::Connection& pg, Connection& sql) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      pg.Run("read sync runs for a report",
             "SELECT pk, peer, local_collection, remote_collection, ok, first_us, last_us,"
             " failures FROM sync_runs"));
  KZ_ASSIGN_OR_RETURN(Statement * put,
                      sql.Cached("INSERT INTO sync_runs (pk, peer, local_collection,"
                                 " remote_collection, ok, first_us, last_us, failures)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  for (int i = 0; i < r.rows(); ++i) {
    put->Bind(1, r.Int(i, 0))
        .BindView(2, r.Text(i, 1))
        .BindView(3, r.Text(i, 2))
        .BindView(4, r.Text(i, 3));
    absl::Status st = put->Bind(5, r.Int(i, 4))
                          .Bind(6, r.Int(i, 5))
                          .Bind(7, r.Int(i, 6))
                          .Bind(8, r.Int(i, 7))
                          .Run();
    put->Reset();
    KZ_RETURN_IF_ERROR(st);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> PgStore::DoOpenReportView(const ReportScope& scope) {
  // "": a private temporary database, deleted when closed; it spills to disk, not memory.
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<Connection> sql, Connection::Open("", /*read_only=*/false));
  KZ_RETURN_IF_ERROR(sql->Exec(kViewTables));
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  pg::Transaction read(*db);
  KZ_RETURN_IF_ERROR(read.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  std::string pks;
  KZ_RETURN_IF_ERROR(CopyCollections(*db, *sql, scope, pks));
  KZ_RETURN_IF_ERROR(CopyEntries(*db, *sql, scope, pks));
  KZ_RETURN_IF_ERROR(CopyProvenance(*db, *sql, scope));
  KZ_RETURN_IF_ERROR(CopySyncRuns(*db, *sql));
  KZ_RETURN_IF_ERROR(read.Commit());
  KZ_RETURN_IF_ERROR(sql->Exec(kViewIndexes));
  return sql;
}

absl::Status PgStore::DoPutExerciseResult(const ExerciseResultRow& row) {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  absl::StatusOr<int64_t> pk = pg_internal::CollectionPk(*writer_, row.collection_id);
  if (pk.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(StrCat("no collection '", row.collection_id, "'"));
  }
  KZ_RETURN_IF_ERROR(pk.status());
  KZ_RETURN_IF_ERROR(
      writer_
          ->Run(
              "record an exercise result",
              "INSERT INTO exercise_results (exercise, collection, title, t0_us, end_us,"
              " created_by_ref, markings, result, recorded_us) VALUES ($1, $2, $3, $4, $5, $6, $7,"
              " $8, $9) ON CONFLICT (exercise, collection) DO UPDATE SET title = EXCLUDED.title,"
              " t0_us = EXCLUDED.t0_us, end_us = EXCLUDED.end_us,"
              " created_by_ref = EXCLUDED.created_by_ref, markings = EXCLUDED.markings,"
              " result = EXCLUDED.result, recorded_us = EXCLUDED.recorded_us",
              {Param::Text(row.exercise), Param::Int(*pk), Param::Text(row.title),
               Param::Int(row.t0_us), Param::Int(row.end_us), Param::Text(row.created_by_ref),
               Param::Text(row.markings), Param::Text(row.result), Param::Int(row.recorded_us)})
          .status());
  return tx.Commit();
}

absl::StatusOr<std::vector<ExerciseResultRow>> PgStore::DoExerciseResultsHeld(int64_t from_us,
                                                                              int64_t to_us) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("read exercise results",
              "SELECT r.exercise, r.collection, r.title, r.t0_us, r.end_us, r.created_by_ref,"
              " r.markings, r.result, r.recorded_us, c.id FROM exercise_results r"
              " JOIN collections c ON c.pk = r.collection WHERE r.t0_us >= $1 AND r.t0_us < $2"
              " ORDER BY r.t0_us, r.exercise, r.collection",
              {Param::Int(from_us), Param::Int(to_us)}));
  std::vector<ExerciseResultRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    ExerciseResultRow& row = out.emplace_back();
    row.exercise = r.Text(i, 0), row.collection_pk = r.Int(i, 1), row.title = r.Text(i, 2);
    row.t0_us = r.Int(i, 3), row.end_us = r.Int(i, 4), row.created_by_ref = r.Text(i, 5);
    row.markings = r.Text(i, 6), row.result = r.Text(i, 7), row.recorded_us = r.Int(i, 8);
    row.collection_id = r.Text(i, 9);
  }
  return out;
}

}  // namespace kizuna::store
