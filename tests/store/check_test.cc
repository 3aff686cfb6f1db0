// Kizuna. `kizuna check`'s library: SQLite's check and the store's invariants (finding 14 of
// issue 16).
#include "kizuna/store/check.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <optional>
#include <set>

#include "kizuna/store/data_dir.h"
#include "kizuna/store/open.h"
#include "kizuna/store/postgres/connection.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

// A clock that moves a second each time it is read.
class RunningClock : public Clock {
 public:
  int64_t NowMicros() override { return now_.fetch_add(1'000'000) + 1'000'000; }

 private:
  std::atomic<int64_t> now_{1700000000000000};
};

constexpr std::string_view kMarking =
    R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--2a000000-0000-4000-8000-000000000001","created":"2026-01-01T00:00:00.000Z","name":"REL TO USA, JPN","definition_type":"statement","definition":{"statement":"REL TO USA, JPN"}})";

class CheckTest : public ::testing::Test {
 protected:
  // A store of `count` indicators (each in `versions` versions) in collection "a" and one
  // marking definition in "a" and "b"; closed, so that its pages are all in the database file.
  // On the PostgreSQL database of store_url_ when it is set.
  void Build(int count, int versions = 1) {
    auto store = InitDataDir(dir_, "intel", clock_, nullptr, store_url_);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<std::string> ids;
    for (std::string_view alias : {"a", "b"}) {
      auto c = (*store)->CreateCollection({"", "intel", std::string(alias), "C", "", 0});
      ASSERT_TRUE(c.ok()) << c.status();
      ids.push_back(c->id);
    }
    Objects objects;
    std::vector<NewObject> batch;
    for (int i = 0; i < count; ++i) {
      for (int v = 0; v < versions; ++v) {
        batch.push_back(objects.Make(
            Indicator(fmt::format("{:012d}", i), fmt::format("{}-01-01T00:00:00.000Z", 2016 + v))));
      }
    }
    batch.push_back(objects.Make(std::string(kMarking)));
    ASSERT_TRUE((*store)->AddObjects(ids[0], batch).ok());
    ASSERT_TRUE((*store)->AddObjects(ids[1], std::span(&batch.back(), 1)).ok());
  }

  CheckReport Check(CheckOptions options = {}) {
    auto report = CheckDataDir(dir_, options, clock_);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : CheckReport{};
  }

  // Options that note each step the progress callback names, in turn, in `progressed`.
  static CheckOptions Recording(std::vector<std::string>& progressed) {
    CheckOptions options;
    options.progress = [&progressed](const CheckProgress& p) {
      EXPECT_LE(p.done, p.total == 0 ? p.done : p.total);
      if (progressed.empty() || progressed.back() != p.step) progressed.emplace_back(p.step);
    };
    return options;
  }

  static std::vector<std::string> Names(const CheckReport& report) {
    std::vector<std::string> names;
    for (const CheckStep& s : report.steps) names.push_back(s.name);
    return names;
  }

  static const CheckStep& Step(const CheckReport& report, std::string_view name) {
    for (const CheckStep& s : report.steps) {
      if (s.name == name) return s;
    }
    static const CheckStep kNone;
    ADD_FAILURE() << "no step " << name;
    return kNone;
  }

  std::string Db() const { return DataDirFile(dir_, kDatabaseFile); }

  // A pull peer of collection "a", its token sealed.
  void AddPeer() {
    auto db = OpenDatabase(dir_, clock_);
    ASSERT_TRUE(db.ok()) << db.status();
    Peer p;
    p.name = "usa";
    p.url = "https://usa.example:8443";
    p.api_root = "intel";
    p.token = "kz_secret";
    p.nation = "USA";
    PeerMapping& m = p.mappings.emplace_back();
    m.local_collection = (*db)->FindCollection("", "a")->id;
    m.remote_collection = "remote";
    ASSERT_TRUE((*db)->AddPeer("test", p).ok());
  }

  TempDir tmp_;
  std::string dir_ = tmp_.File("data");
  FakeClock clock_{1700000000000000};
  std::string store_url_;
};

TEST_F(CheckTest, AGoodStoreIsClean) {
  Build(100);
  std::vector<std::string> progressed;
  CheckReport report = Check(Recording(progressed));
  EXPECT_TRUE(report.Clean());
  EXPECT_TRUE(report.Complete());
  EXPECT_EQ(Names(report),
            (std::vector<std::string>{"sqlite", "entries", "ids", "marking-definitions",
                                      "peer-tokens", "modes"}));
  EXPECT_EQ(Step(report, "entries").checked, 102);
  EXPECT_EQ(Step(report, "ids").checked, 102);
  EXPECT_EQ(Step(report, "marking-definitions").checked, 1);
  EXPECT_EQ(Step(report, "sqlite").checked, report.pages);
  EXPECT_EQ(progressed, (std::vector<std::string>{"sqlite", "entries", "ids", "marking-definitions",
                                                  "peer-tokens"}));
  CheckOptions quick;
  quick.level = CheckLevel::kQuick;
  report = Check(quick);
  EXPECT_TRUE(report.Clean());
  EXPECT_EQ(report.steps.size(), 2u) << "sqlite and modes only";
  EXPECT_EQ(Step(report, "sqlite").note, "PRAGMA quick_check");
}

TEST_F(CheckTest, AZeroedPageInTheMiddleIsFound) {
  Build(3000);
  auto [page, page_size] = MiddleLeafPage(Db(), "entries");
  ASSERT_GT(page, 2) << "the entries span several pages";
  ZeroPage(Db(), page, page_size);
  for (CheckLevel level : {CheckLevel::kQuick, CheckLevel::kFull}) {
    CheckOptions options;
    options.level = level;
    CheckReport report = Check(options);
    EXPECT_FALSE(report.Clean());
    const CheckStep& sqlite = Step(report, "sqlite");
    ASSERT_GT(sqlite.problem_count, 0);
    EXPECT_EQ(sqlite.problems[0].what,
              StrCat("Page ", page, ": btreeInitPage() returns error code 11"))
        << "names the page";
  }
}

TEST_F(CheckTest, WrongFlagsAreFound) {
  Build(10);
  RawExec(Db(),
          "UPDATE entries SET is_last = 0 WHERE date_added_us = (SELECT min(date_added_us) FROM "
          "entries)");
  CheckReport report = Check();
  const CheckStep& entries = Step(report, "entries");
  ASSERT_EQ(entries.problem_count, 1);
  EXPECT_NE(entries.problems[0].where.find(IndicatorId("000000000000")), std::string::npos)
      << entries.problems[0].where;
  EXPECT_NE(entries.problems[0].what.find("1/0/1, should be 1/1/1"), std::string::npos)
      << entries.problems[0].what;
  EXPECT_EQ(Step(report, "ids").problem_count, 0);
}

TEST_F(CheckTest, WrongFlagsAmongVersionsAreFound) {
  Build(1);
  {
    auto store = OpenDataDir(dir_, clock_);
    ASSERT_TRUE(store.ok());
    Objects objects;
    std::vector<NewObject> batch = {
        objects.Make(Indicator("000000000000", "2017-01-01T00:00:00.000Z")),
        objects.Make(Indicator("000000000000", "2018-01-01T00:00:00.000Z"))};
    ASSERT_TRUE((*store)->AddObjects((*store)->FindCollection("", "a")->id, batch).ok());
  }
  EXPECT_TRUE(Check().Clean()) << "three versions, flagged right";
  // The middle version (2017) claims to be the last one too.
  RawExec(Db(), "UPDATE entries SET is_last = 1 WHERE version LIKE '2017%'");
  const CheckStep entries = Step(Check(), "entries");
  ASSERT_EQ(entries.problem_count, 1);
  EXPECT_NE(entries.problems[0].what.find("0/1/1, should be 0/0/1"), std::string::npos)
      << entries.problems[0].what;
}

TEST_F(CheckTest, EntriesMissingFromTheIdRunsAreFound) {
  Build(10);
  RawExec(Db(), "DELETE FROM entry_id_chunks");
  CheckReport report = Check();
  const CheckStep& ids = Step(report, "ids");
  EXPECT_EQ(ids.problem_count, 12);
  EXPECT_NE(ids.problems[0].what.find("in no id run"), std::string::npos) << ids.problems[0].what;
  EXPECT_EQ(Step(report, "entries").problem_count, 0);
}

TEST_F(CheckTest, WrongIdHashesAndStrayPairsAreFound) {
  Build(10);
  RawExec(Db(),
          "UPDATE entries SET id_hash = id_hash + 1 WHERE date_added_us = (SELECT "
          "min(date_added_us) FROM entries);"
          "INSERT INTO entry_id_compacted (id_hash, date_added_us) VALUES (42, 1)");
  CheckReport report = Check();
  std::set<std::string> what;
  for (const CheckProblem& p : Step(report, "ids").problems) what.insert(p.what);
  EXPECT_TRUE(what.contains("its id_hash is not the hash of its id"))
      << Step(report, "ids").problem_count;
  EXPECT_TRUE(what.contains("is in no id run: lookups by its id miss it"));
  EXPECT_TRUE(what.contains("is in an id run under another hash"));
  EXPECT_TRUE(what.contains(
      "an id run holds it (hash 42), but it is neither stored nor recorded as deleted"));
}

TEST_F(CheckTest, AMarkingDefinitionWithTwoContentsIsFound) {
  Build(1);
  // The same definition in collection b, redefined there to release to KOR as well.
  RawExec(Db(),
          "UPDATE entries SET json = CAST(replace(CAST(json AS TEXT), 'USA, JPN', 'USA, JPN, KOR') "
          "AS BLOB)"
          " WHERE type = 'marking-definition' AND date_added_us = (SELECT max(date_added_us) FROM "
          "entries)");
  CheckReport report = Check();
  const CheckStep& markings = Step(report, "marking-definitions");
  ASSERT_EQ(markings.problem_count, 1);
  EXPECT_EQ(markings.problems[0].where, "marking-definition--2a000000-0000-4000-8000-000000000001");
  EXPECT_NE(markings.problems[0].what.find("2 different contents"), std::string::npos)
      << markings.problems[0].what;
}

TEST_F(CheckTest, TheSameContentWrittenDifferentlyIsNoProblem) {
  Build(1);
  RawExec(Db(),
          "UPDATE entries SET json = CAST(replace(CAST(json AS TEXT), ',\"name\"', ', \"name\"') "
          "AS BLOB)"
          " WHERE type = 'marking-definition' AND date_added_us = (SELECT max(date_added_us) FROM "
          "entries)");
  EXPECT_EQ(Step(Check(), "marking-definitions").problem_count, 0);
}

TEST_F(CheckTest, PeerTokensInClearOrWithoutTheirKeyAreFound) {
  Build(1);
  AddPeer();
  EXPECT_EQ(Step(Check(), "peer-tokens").problem_count, 0);
  ASSERT_EQ(std::remove(DataDirFile(dir_, kPeerTokenKeyFile).c_str()), 0);
  RawExec(Db(), "UPDATE peers SET token = 'kz_secret'");
  const CheckStep tokens = Step(Check(), "peer-tokens");
  ASSERT_EQ(tokens.problem_count, 2);
  EXPECT_NE(tokens.problems[0].what.find("in clear"), std::string::npos) << tokens.problems[0].what;
  EXPECT_EQ(tokens.problems[1].where, DataDirFile(dir_, kPeerTokenKeyFile));
}

TEST_F(CheckTest, LooseModesAreFound) {
  Build(1);
  ASSERT_EQ(::chmod(Db().c_str(), 0644), 0);
  const CheckStep modes = Step(Check(), "modes");
  // The check's own read gave SQLite's -wal and -shm files the database's mode: open as well.
  ASSERT_GE(modes.problem_count, 1);
  EXPECT_EQ(modes.problems[0].where, Db());
  EXPECT_NE(modes.problems[0].what.find("is 0644"), std::string::npos) << modes.problems[0].what;
}

TEST_F(CheckTest, TheBudgetStopsSqlitesCheck) {
  Build(3000);
  RunningClock clock;
  CheckOptions options;
  options.level = CheckLevel::kQuick;
  options.time_budget_ms = 1;
  auto report = CheckDataDir(dir_, options, clock);
  ASSERT_TRUE(report.ok()) << report.status();
  const CheckStep& sqlite = Step(*report, "sqlite");
  EXPECT_FALSE(sqlite.complete);
  EXPECT_NE(sqlite.note.find("time budget of 1 ms"), std::string::npos) << sqlite.note;
  EXPECT_LT(sqlite.checked, report->pages);
  EXPECT_TRUE(report->Clean());
  EXPECT_FALSE(report->Complete());
}

TEST_F(CheckTest, AFileThatIsNotADatabase) {
  Build(1);
  ASSERT_TRUE(WriteFileAtomically(Db(), std::string(40000, 'x')).ok());
  CheckReport report = Check();
  const CheckStep& sqlite = Step(report, "sqlite");
  ASSERT_EQ(sqlite.problem_count, 1);
  EXPECT_NE(sqlite.problems[0].what.find("not a database"), std::string::npos)
      << sqlite.problems[0].what;
}

TEST_F(CheckTest, NoDataDirectory) {
  EXPECT_EQ(CheckDataDir(dir_, {}, clock_).status().code(), absl::StatusCode::kFailedPrecondition);
}

// The same check on a data directory whose store is a PostgreSQL database.
class PgCheckTest : public CheckTest {
 protected:
  void SetUp() override {
    if (!PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
    database_.emplace();
    store_url_ = database_->url();
  }

  void Sql(const std::string& sql) {
    auto db = pg::Connection::Open(store_url_);
    ASSERT_TRUE(db.ok()) << db.status();
    absl::Status done = (*db)->Exec("test", sql);
    ASSERT_TRUE(done.ok()) << done;
  }

  std::optional<PgTestDatabase> database_;
};

TEST_F(PgCheckTest, AGoodStoreIsClean) {
  // Three versions of each object: the entries step reads 10,000 rows a statement, and the
  // 10,000th row is the first version of an object, whose other two come in the next one.
  Build(3400, 3);
  std::vector<std::string> progressed;
  CheckReport report = Check(Recording(progressed));
  EXPECT_TRUE(report.Clean());
  EXPECT_TRUE(report.Complete());
  EXPECT_EQ(report.database.find("postgresql://"), 0u) << report.database;
  EXPECT_GT(report.bytes, 0);
  EXPECT_EQ(Names(report), (std::vector<std::string>{"postgresql", "entries", "marking-definitions",
                                                     "peer-tokens", "modes"}));
  EXPECT_EQ(Step(report, "entries").checked, 3400 * 3 + 2);
  EXPECT_EQ(Step(report, "marking-definitions").checked, 1);
  EXPECT_NE(Step(report, "postgresql").note.find("no amcheck extension"), std::string::npos)
      << Step(report, "postgresql").note;
  EXPECT_EQ(progressed, (std::vector<std::string>{"postgresql", "entries", "marking-definitions",
                                                  "peer-tokens"}));
  CheckOptions quick;
  quick.level = CheckLevel::kQuick;
  report = Check(quick);
  EXPECT_TRUE(report.Clean());
  EXPECT_EQ(report.steps.size(), 2u) << "postgresql and modes only";
  EXPECT_EQ(Step(report, "postgresql").note.find("schema version "), 0u);
}

TEST_F(PgCheckTest, AmcheckChecksEveryIndexWithinTheBudget) {
  Build(10);
  Sql("CREATE EXTENSION amcheck");
  CheckReport report = Check();
  const CheckStep& server = Step(report, "postgresql");
  EXPECT_TRUE(report.Clean() && report.Complete()) << server.note;
  EXPECT_NE(server.note.find("amcheck bt_index_check of every index"), std::string::npos)
      << server.note;
  EXPECT_GT(server.checked, 10) << "the store's indexes";
  // A clock that moves a second at each read leaves no time for the first index.
  RunningClock clock;
  CheckOptions options;
  options.time_budget_ms = 1;
  auto cut = CheckDataDir(dir_, options, clock);
  ASSERT_TRUE(cut.ok()) << cut.status();
  const CheckStep& stopped = Step(*cut, "postgresql");
  EXPECT_FALSE(stopped.complete);
  EXPECT_NE(stopped.note.find("time budget of 1 ms, having checked 0 of"), std::string::npos)
      << stopped.note;
  EXPECT_TRUE(cut->Clean());
  EXPECT_EQ(Step(*cut, "entries").checked, 12) << "the invariants are still checked";
}

TEST_F(PgCheckTest, WrongFlagsAreFound) {
  Build(10, 3);
  Sql("UPDATE entries SET is_last = false WHERE date_added_us = (SELECT min(date_added_us) FROM "
      "entries WHERE is_last)");
  Sql("UPDATE entries SET is_last = true WHERE version LIKE '2017%' AND stix_id = '" +
      IndicatorId("000000000003") + "'");
  CheckReport report = Check();
  const CheckStep& entries = Step(report, "entries");
  ASSERT_EQ(entries.problem_count, 2);
  EXPECT_NE(entries.problems[0].what.find("0/0/1, should be 0/1/1"), std::string::npos)
      << entries.problems[0].what;
  EXPECT_NE(entries.problems[1].where.find(IndicatorId("000000000003")), std::string::npos)
      << entries.problems[1].where;
  EXPECT_NE(entries.problems[1].what.find("0/1/1, should be 0/0/1"), std::string::npos)
      << entries.problems[1].what;
}

TEST_F(PgCheckTest, AMarkingDefinitionWithTwoContentsIsFound) {
  Build(1);
  Sql("UPDATE entries SET json = convert_to(replace(convert_from(json, 'UTF8'), 'USA, JPN', "
      "'USA, JPN, KOR'), 'UTF8') WHERE type = 'marking-definition' AND date_added_us = "
      "(SELECT max(date_added_us) FROM entries)");
  const CheckStep markings = Step(Check(), "marking-definitions");
  ASSERT_EQ(markings.problem_count, 1);
  EXPECT_EQ(markings.problems[0].where, "marking-definition--2a000000-0000-4000-8000-000000000001");
  EXPECT_NE(markings.problems[0].what.find("2 different contents"), std::string::npos)
      << markings.problems[0].what;
}

TEST_F(PgCheckTest, PeerTokensInClearOrWithoutTheirKeyAreFound) {
  Build(1);
  AddPeer();
  EXPECT_EQ(Step(Check(), "peer-tokens").problem_count, 0);
  ASSERT_EQ(std::remove(DataDirFile(dir_, kPeerTokenKeyFile).c_str()), 0);
  Sql("UPDATE peers SET token = 'kz_secret'");
  const CheckStep tokens = Step(Check(), "peer-tokens");
  ASSERT_EQ(tokens.problem_count, 2);
  EXPECT_NE(tokens.problems[0].what.find("in clear"), std::string::npos) << tokens.problems[0].what;
  EXPECT_EQ(tokens.problems[1].where, DataDirFile(dir_, kPeerTokenKeyFile));
}

TEST_F(PgCheckTest, ANewerSchemaIsNotCheckedAsThisOne) {
  Build(1);
  Sql("INSERT INTO kizuna_schema (version) SELECT max(version) + 1 FROM kizuna_schema");
  CheckReport report = Check();
  ASSERT_EQ(report.steps.size(), 2u) << "postgresql and modes";
  EXPECT_FALSE(report.steps[0].complete);
  EXPECT_NE(report.steps[0].note.find("the store's own invariants were not checked"),
            std::string::npos)
      << report.steps[0].note;
}

TEST_F(PgCheckTest, ADatabaseThatCannotBeReachedIsAProblem) {
  Build(1);
  // Port 9 (discard), which nothing here listens on.
  ASSERT_TRUE(WriteFileAtomically(DataDirFile(dir_, kStoreUrlFile),
                                  "postgresql://kizuna@127.0.0.1:9/nothing?connect_timeout=2\n")
                  .ok());
  CheckReport report = Check();
  const CheckStep& server = Step(report, "postgresql");
  ASSERT_EQ(server.problem_count, 1);
  EXPECT_NE(server.problems[0].what.find("cannot be read"), std::string::npos)
      << server.problems[0].what;
  EXPECT_FALSE(report.Complete());
}

}  // namespace
}  // namespace kizuna::store
