// Kizuna. The report view (store/report_view.h) and the exercise results on each store: the
// rows of a scope, with the columns the reports read, equal on SQLite and PostgreSQL.
#include "kizuna/store/report_view.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kizuna/base/strings.h"
#include "kizuna/store/database.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

constexpr int64_t kStart = 1700000000000000;
constexpr char kTlpRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

enum class Backend { kSqlite, kPostgres };

std::string Indicator(char n, std::string_view modified, std::string_view extra = "") {
  return StrCat(
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--)", std::string(8, n),
      R"(-0000-4000-8000-000000000000","created":"2026-01-01T00:00:00.000Z","modified":")",
      modified, R"(","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix",)",
      R"("valid_from":"2026-01-01T00:00:00Z")", extra, "}");
}

class ReportViewTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      if (!PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
      pg_database_.emplace();
      auto s = PgStore::Open(pg_database_->url(), clock_);
      ASSERT_TRUE(s.ok()) << s.status();
      db_ = std::move(*s);
    } else {
      auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
      ASSERT_TRUE(s.ok()) << s.status();
      db_ = std::move(*s);
    }
    ASSERT_TRUE(db_->CreateApiRoot({"root", "Root", "", 0}).ok());
    for (const char* alias : {"a", "b"}) {
      auto c = db_->CreateCollection({"", "root", alias, alias, "", 0});
      ASSERT_TRUE(c.ok()) << c.status();
      collections_.push_back(c->id);
    }
    // a: two versions of 1, a granular 2, a sighting; b: 3 and a marking definition.
    Add(0, Indicator('1', "2026-01-01T00:00:00.000Z"));
    Add(0, Indicator('1', "2026-02-01T00:00:00.000Z"));
    Add(0, Indicator('2', "2026-01-01T00:00:00.000Z",
                     StrCat(R"(,"granular_markings":[{"marking_ref":")", kTlpRed,
                            R"(","selectors":["pattern"]}])")));
    Add(0,
        R"({"type":"sighting","spec_version":"2.1","id":"sighting--44444444-0000-4000-8000-000000000000",)"
        R"("created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
        R"("sighting_of_ref":"indicator--11111111-0000-4000-8000-000000000000","count":3})");
    Add(1, Indicator('3', "2026-01-01T00:00:00.000Z"));
    Add(1,
        R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--55555555-0000-4000-8000-000000000000",)"
        R"("created":"2026-01-01T00:00:00.000Z","name":"x","definition_type":"statement","definition":{"statement":"x"}})");
  }

  void Add(size_t collection, std::string json) {
    clock_.Set(clock_.NowMicros() + 1000);
    std::vector<NewObject> batch = {objects_.Make(std::move(json))};
    auto added = db_->AddObjects(collections_[collection], batch);
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_EQ((*added)[0].outcome, AddOutcome::kAdded) << (*added)[0].reason;
  }

  // The rows of the view of `scope` the reports could read: "type id current json?" per entry
  // of the scope's collections (the SQL of a report selects them itself), then the marking
  // definitions of any collection.
  std::vector<std::string> Rows(const ReportScope& scope) {
    auto sql = db_->OpenReportView(scope);
    EXPECT_TRUE(sql.ok()) << sql.status();
    if (!sql.ok()) return {};
    std::vector<std::string> out;
    std::string in;
    for (const std::string& id : scope.collections)
      StrAppend(in, in.empty() ? "'" : ", '", id, "'");
    auto st = (*sql)->Cached(
        StrCat("SELECT e.type, e.stix_id, e.is_last AND e.is_top_spec, e.granular_refs, "
               "json_extract(CAST(e.json AS TEXT), "
               "'$.count'), e.type = 'marking-definition' FROM entries e JOIN collections c ON "
               "c.pk = e.collection "
               "WHERE e.date_added_us > ?1 AND e.date_added_us <= ?2 AND ((c.id IN (",
               in.empty() ? "NULL" : in,
               ") AND (NOT ?3 OR (e.is_last AND e.is_top_spec)) AND (?4 = '' OR e.type = ?4)) ",
               "OR e.type = 'marking-definition') ORDER BY e.date_added_us"));
    EXPECT_TRUE(st.ok()) << st.status();
    if (!st.ok()) return {};
    (*st)
        ->Bind(1, scope.after_us)
        .Bind(2, scope.through_us)
        .Bind(3, scope.current_only ? 1 : 0)
        .Bind(4, scope.type);
    for (;;) {
      auto row = (*st)->Step();
      EXPECT_TRUE(row.ok()) << row.status();
      if (!row.ok() || !*row) break;
      // The JSON is held only where the scope asks for it (on PostgreSQL; SQLite holds all).
      const std::string_view id = (*st)->Text(1);
      out.push_back(StrCat((*st)->Text(0), " ", id.substr(id.find("--") + 2, 8), " ", (*st)->Int(2),
                           " ", (*st)->Int(3), " ", scope.json_of_refs ? (*st)->Text(4) : ""));
    }
    (*st)->Reset();
    return out;
  }

  TempDir dir_;
  FakeClock clock_{kStart};
  std::optional<PgTestDatabase> pg_database_;
  std::unique_ptr<Database> db_;
  Objects objects_;
  std::vector<std::string> collections_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReportViewTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(ReportViewTest, HoldsTheRowsOfItsScope) {
  ReportScope all;
  all.collections = {collections_[0]};
  EXPECT_EQ(Rows(all),
            (std::vector<std::string>{"indicator 11111111 0 0 ", "indicator 11111111 1 0 ",
                                      "indicator 22222222 1 1 ", "sighting 44444444 1 0 ",
                                      "marking-definition 55555555 1 0 "}));
  // Current sightings, with their JSON (the brief's refs and counts), up to the fourth entry.
  ReportScope sightings;
  sightings.collections = {collections_[0], collections_[1]};
  sightings.current_only = true;
  sightings.type = "sighting";
  sightings.json_of_refs = true;
  EXPECT_EQ(Rows(sightings), (std::vector<std::string>{"sighting 44444444 1 0 3",
                                                       "marking-definition 55555555 1 0 "}));
  sightings.through_us = kStart + 4000;
  EXPECT_EQ(Rows(sightings), (std::vector<std::string>{"sighting 44444444 1 0 3"}));
  // The reports' other tables.
  auto sql = db_->OpenReportView(all);
  ASSERT_TRUE(sql.ok());
  for (const char* table : {"collections", "provenance", "sync_runs"}) {
    EXPECT_TRUE((*sql)->Exec(StrCat("SELECT count(*) FROM ", table)).ok()) << table;
  }
}

TEST_P(ReportViewTest, ExerciseResultsArePutReplacedAndReadByStart) {
  ExerciseResultRow row;
  row.exercise = "drill";
  row.collection_id = collections_[0];
  row.title = "Drill";
  row.t0_us = kStart;
  row.end_us = kStart + 3600'000'000;
  row.markings = kTlpRed;
  row.result = R"({"teams":[]})";
  row.recorded_us = kStart;
  ASSERT_TRUE(db_->PutExerciseResult(row).ok());
  row.title = "Drill, again";
  ASSERT_TRUE(db_->PutExerciseResult(row).ok());
  auto held = db_->ExerciseResultsHeld(kStart, kStart + 1);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].title, "Drill, again");
  EXPECT_EQ((*held)[0].collection_id, collections_[0]);
  EXPECT_EQ((*held)[0].markings, kTlpRed);
  EXPECT_TRUE(db_->ExerciseResultsHeld(kStart + 1, kStart + 2)->empty());
  row.collection_id = "nowhere";
  EXPECT_EQ(db_->PutExerciseResult(row).code(), absl::StatusCode::kNotFound);
  row.collection_id = collections_[0];
  row.result.assign(kMaxExerciseResultBytes + 1, ' ');
  EXPECT_EQ(db_->PutExerciseResult(row).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kizuna::store
