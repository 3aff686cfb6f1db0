// Kizuna.
#include "kizuna/detect/reloader.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "kizuna/base/strings.h"
#include "kizuna/detect/indicator_set.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::detect {
namespace {

std::string Indicator(int n, const std::string& domain, std::string_view extra = "") {
  return StrCat(
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--6c1d0d3e-5b1f-4a57-9d6e-)",
      fmt::format("{:012}", n),
      R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",)",
      R"("pattern":"[domain-name:value = ')", domain,
      R"(']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z")", extra, "}\n");
}

class ReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = StrCat(testing::TempDir(), "/reloader-", ::getpid(), ".db");
    std::filesystem::remove(path_);
    auto s = store::SqliteStore::Open(path_, clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
    Import(Indicator(1, "one.example"));
  }
  void TearDown() override { std::filesystem::remove(path_); }

  void Import(const std::string& lines) {
    ingest::ImportOptions options;
    options.format = stix::DocumentFormat::kJsonLines;
    ingest::Importer importer(*store_, collection_, options);
    ASSERT_TRUE(importer.ImportText("test", lines, stix::Padding::kAbsent).ok());
  }
  // Another process breaks the database under the run: reading indicators fails.
  void BreakTheDatabase() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(
        sqlite3_exec(db, "PRAGMA foreign_keys=OFF; DROP TABLE entries;", nullptr, nullptr, nullptr),
        SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  std::shared_ptr<const Snapshot> Compile() {
    CompileOptions options;
    options.now_us = clock_.NowMicros();
    auto s = CompileFromStore(*store_, std::vector<std::string>{collection_}, options, nullptr);
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  std::string path_;
  FakeClock clock_{1750000000000000};
  std::unique_ptr<store::SqliteStore> store_;
  std::string collection_;
};

TEST_F(ReloaderTest, RecompilesOnlyWhenTheStoreChanged) {
  const StoreMarks mark = *StoreMarks::Read(*store_);
  LiveSnapshot live(Compile());
  CompileOptions options;
  SnapshotReloader reloader(*store_, {collection_}, options, live, clock_, mark);
  CompileReport report;
  EXPECT_EQ(reloader.Check(&report).value(), false);
  EXPECT_EQ(live.generation(), 0u);
  Import(Indicator(2, "two.example"));
  EXPECT_EQ(reloader.Check(&report).value(), true);
  EXPECT_EQ(report.active, 2);
  EXPECT_EQ(live.generation(), 1u);
  EXPECT_EQ(live.Load()->indicator_count(), 2u);
  EXPECT_EQ(reloader.Check(&report).value(), false);
}

TEST_F(ReloaderTest, WritesOfOtherObjectsCompileNothing) {
  const StoreMarks mark = *StoreMarks::Read(*store_);
  LiveSnapshot live(Compile());
  SnapshotReloader reloader(*store_, {collection_}, CompileOptions{}, live, clock_, mark);
  Import(
      R"({"type":"identity","spec_version":"2.1","id":"identity--6c1d0d3e-5b1f-4a57-9d6e-000000000001",)"
      R"("created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"x"})"
      "\n");
  ASSERT_GT(*store_->LastDateAdded(), mark.last_added);
  EXPECT_EQ(reloader.Check(nullptr).value(), false);
  EXPECT_EQ(live.generation(), 0u);
  Import(Indicator(2, "two.example"));
  EXPECT_EQ(reloader.Check(nullptr).value(), true);
  EXPECT_EQ(live.Load()->indicator_count(), 2u);
}

TEST_F(ReloaderTest, AFailedRecompilationKeepsTheSnapshotInUse) {
  const StoreMarks mark = *StoreMarks::Read(*store_);
  LiveSnapshot live(Compile());
  const std::shared_ptr<const Snapshot> first = live.Load();
  SnapshotReloader reloader(*store_, {collection_}, CompileOptions{}, live, clock_, mark);
  Import(Indicator(2, "two.example"));
  BreakTheDatabase();
  EXPECT_FALSE(reloader.Check(nullptr).ok());
  EXPECT_EQ(live.Load(), first);
  EXPECT_EQ(live.generation(), 0u);
}

// With an IndicatorSet: an added indicator is read alone, the snapshot is the full
// compilation's, and the passing of a valid_until reads nothing from the store (here broken).
TEST_F(ReloaderTest, WithAnIndicatorSetOnlyChangesAreRead) {
  const StoreMarks mark = *StoreMarks::Read(*store_);
  CompileOptions options;
  auto set = IndicatorSet::Load(*store_, {collection_}, options);
  ASSERT_TRUE(set.ok()) << set.status();
  options.now_us = clock_.NowMicros();
  LiveSnapshot live(*(*set)->Build(options, nullptr));
  SnapshotReloader reloader(*store_, {collection_}, options, live, clock_, mark, set->get());
  EXPECT_EQ(reloader.Check(nullptr).value(), false);
  // valid_until one hour ahead.
  Import(Indicator(2, "two.example", R"(,"valid_until":"2025-06-15T16:06:40Z")"));
  CompileReport report;
  ASSERT_EQ(reloader.Check(&report).value(), true);
  EXPECT_EQ(report.active, 2);
  EXPECT_EQ(live.Load()->indicator_count(), 2u);
  EXPECT_EQ(live.Load()->next_change_us(), 1750003600000000);
  const std::shared_ptr<const Snapshot> full = Compile();
  EXPECT_EQ(live.Load()->stats().lookup_bytes, full->stats().lookup_bytes);
  EXPECT_EQ(live.Load()->next_change_us(), full->next_change_us());
  EXPECT_EQ((*set)->mark(), *store_->LastDateAdded());

  BreakTheDatabase();
  clock_.Advance(int64_t{3600} * 1000000);
  ASSERT_EQ(reloader.Check(&report).value(), true);
  EXPECT_EQ(report.active, 1);
  EXPECT_EQ(report.expired, 1);
  EXPECT_EQ(live.Load()->indicator_count(), 1u);
  EXPECT_EQ(live.Load()->IndicatorId(0), "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000001");
}

// A delete through the store recompiles (it moves no LastDateAdded, but EntriesDeleted), with
// or without a set.
TEST_F(ReloaderTest, ADeleteRecompiles) {
  Import(Indicator(2, "two.example"));
  for (bool with_set : {false, true}) {
    SCOPED_TRACE(with_set);
    const StoreMarks mark = *StoreMarks::Read(*store_);
    CompileOptions options;
    auto set = IndicatorSet::Load(*store_, {collection_}, options);
    ASSERT_TRUE(set.ok()) << set.status();
    LiveSnapshot live(Compile());
    SnapshotReloader reloader(*store_, {collection_}, options, live, clock_, mark,
                              with_set ? set->get() : nullptr);
    const size_t before = live.Load()->indicator_count();
    store::ObjectFilter every;
    every.versions.all = true;
    const std::string id = with_set ? "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000002"
                                    : "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000001";
    ASSERT_EQ(store_->DeleteObject(collection_, id, every).value(), 1);
    ASSERT_EQ(*store_->LastDateAdded(), mark.last_added);
    ASSERT_EQ(reloader.Check(nullptr).value(), true);
    EXPECT_EQ(live.Load()->indicator_count(), before - 1);
    for (uint32_t i = 0; i < live.Load()->indicator_count(); ++i) {
      EXPECT_NE(live.Load()->IndicatorId(i), id);
    }
    EXPECT_EQ(reloader.Check(nullptr).value(), false);
  }
}

// Issue 26: a delete made by another process (another store on the file), with nothing
// added, is seen by the next Check: it moves the store's EntriesDeleted, and the set lists
// the entries to find it. A reload after an add alone lists nothing.
TEST_F(ReloaderTest, ADeleteByAnotherProcessAloneRecompiles) {
  Import(Indicator(2, "two.example"));
  const StoreMarks mark = *StoreMarks::Read(*store_);
  CompileOptions options;
  auto set = IndicatorSet::Load(*store_, {collection_}, options);
  ASSERT_TRUE(set.ok()) << set.status();
  options.now_us = clock_.NowMicros();
  LiveSnapshot live(*(*set)->Build(options, nullptr));
  SnapshotReloader reloader(*store_, {collection_}, options, live, clock_, mark, set->get());
  FakeClock other_clock{clock_.NowMicros()};
  auto other = store::SqliteStore::Open(path_, other_clock);
  ASSERT_TRUE(other.ok()) << other.status();
  store::ObjectFilter every;
  every.versions.all = true;
  ASSERT_EQ(
      (*other)
          ->DeleteObject(collection_, "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000002", every)
          .value(),
      1);
  EXPECT_EQ(store_->LocalDeletes(), 0);
  ASSERT_EQ(reloader.Check(nullptr).value(), true);
  ASSERT_EQ(live.Load()->indicator_count(), 1u);
  EXPECT_EQ(live.Load()->IndicatorId(0), "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000001");
  EXPECT_EQ(reloader.Check(nullptr).value(), false);
  EXPECT_EQ((*set)->deleted(), *store_->EntriesDeleted());
}

// A run that read the compiled-set file has no set: the first reload loads one and keeps it,
// so the passing of a validity time after it reads nothing (here from a broken store).
TEST_F(ReloaderTest, WithoutASetTheFirstReloadLoadsOneWhenAsked) {
  const StoreMarks mark = *StoreMarks::Read(*store_);
  LiveSnapshot live(Compile());
  CompileOptions options;
  SnapshotReloader reloader(*store_, {collection_}, options, live, clock_, mark);
  reloader.KeepSetFromFirstReload();
  Import(Indicator(2, "two.example", R"(,"valid_until":"2025-06-15T16:06:40Z")"));
  ASSERT_EQ(reloader.Check(nullptr).value(), true);
  EXPECT_EQ(live.Load()->indicator_count(), 2u);
  BreakTheDatabase();
  clock_.Advance(int64_t{3600} * 1000000);
  ASSERT_EQ(reloader.Check(nullptr).value(), true) << "built from the kept set, without the store";
  EXPECT_EQ(live.Load()->indicator_count(), 1u);
}

}  // namespace
}  // namespace kizuna::detect
