// Kizuna. The stores' search index: written with the entries, removed with them, stale
// without an indexer, rebuilt; address blocks found by containment; full-text queries in
// FTS5's syntax. Every case runs on the SQLite and the PostgreSQL store.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <thread>

#include "kizuna/base/status.h"
#include "kizuna/store/index_follower.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

// Indexes an object's "value" (and as a block when it has a '/'), and its "name" as text.
class ValueIndexer : public EntryIndexer {
 public:
  void Extract(std::string_view, std::string_view json, EntryIndex& out) const override {
    out.Clear();
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    if (parser.parse(json.data(), json.size()).get(o) != simdjson::SUCCESS) return;
    std::string_view value, name;
    if (o["value"].get(value) == simdjson::SUCCESS) {
      out.values.push_back({std::string(value), "x:value", ValueKind::kObservable});
      if (value == "10.0.0.0/8") {
        IndexedRange r;
        r.prefix = 8;
        r.start = {10};
        r.end = {10, 255, 255, 255};
        r.path = "x:value";
        out.ranges.push_back(r);
      }
    }
    if (o["name"].get(name) == simdjson::SUCCESS) out.names = std::string(name);
  }
  int64_t Version() const override { return version; }
  int64_t version = 1;
};

ObjectFilter AllVersions() {
  ObjectFilter f;
  f.versions.all = true;
  return f;
}

std::string Sco(int n, std::string_view value) {
  return StrCat(R"({"type":"domain-name","spec_version":"2.1","id":"domain-name--5a000000-0000-4000-8000-00000000000)", n,
                R"(","value":")", value, R"("})");
}

enum class Backend { kSqlite, kPostgres };

class SearchIndexTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      if (!PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
      pg_database_.emplace();
    }
    Open();
  }
  // Another store on the same database (as another process would open it), and its index.
  absl::StatusOr<std::pair<std::unique_ptr<Store>, SearchIndex*>> OpenAnother() {
    if (GetParam() == Backend::kPostgres) {
      KZ_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s, PgStore::Open(pg_database_->url(), clock_));
      SearchIndex* index = s.get();
      return std::pair<std::unique_ptr<Store>, SearchIndex*>(std::move(s), index);
    }
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> s,
                        SqliteStore::Open(dir_.File("kizuna.db"), clock_));
    SearchIndex* index = s.get();
    return std::pair<std::unique_ptr<Store>, SearchIndex*>(std::move(s), index);
  }
  void Open() {
    index_ = nullptr;
    db_.reset();
    auto s = OpenAnother();
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(s->first);
    index_ = s->second;
    if (!db_->ListApiRoots()->empty()) return;
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    auto c = db_->CreateCollection({"", "intel", "c", "C", "", 0});
    ASSERT_TRUE(c.ok());
  }
  std::string Collection() { return db_->FindCollection("", "c")->id; }
  void Add(std::vector<std::string> texts) {
    Objects objects;
    std::vector<NewObject> batch;
    for (std::string& t : texts) batch.push_back(objects.Make(std::move(t)));
    ASSERT_TRUE(db_->AddObjects(Collection(), batch).ok());
  }
  size_t Found(std::string value, SearchIndex* index = nullptr) {
    std::vector<std::string> one = {std::move(value)};
    auto hits = (index != nullptr ? index : index_)->FindValues(one, 0, 100);
    EXPECT_TRUE(hits.ok()) << hits.status();
    return hits.ok() ? hits->size() : 0;
  }

  TempDir dir_;
  std::optional<PgTestDatabase> pg_database_;
  FakeClock clock_{1780000000000000};
  std::shared_ptr<ValueIndexer> indexer_ = std::make_shared<ValueIndexer>();
  std::unique_ptr<Store> db_;
  SearchIndex* index_ = nullptr;  // db_'s
};

INSTANTIATE_TEST_SUITE_P(Backends, SearchIndexTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                           return param.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(SearchIndexTest, WrittenAndRemovedWithTheEntries) {
  index_->SetIndexer(indexer_);
  Add({Sco(1, "evil.example"), Sco(2, "evil.example")});
  EXPECT_EQ(Found("evil.example"), 2u);
  auto state = index_->GetIndexState();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->complete);
  EXPECT_EQ(state->values, 2);
  ASSERT_EQ(*db_->DeleteObject(Collection(), "domain-name--5a000000-0000-4000-8000-000000000001",
                               AllVersions()),
            1);
  EXPECT_EQ(Found("evil.example"), 1u);
  EXPECT_TRUE(index_->GetIndexState()->complete);
}

TEST_P(SearchIndexTest, TextIsFoundAndDeletedWithoutAStoredCopy) {
  index_->SetIndexer(indexer_);
  Add({StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-000000000001",)",
              R"("created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Nightfall Panda"})")});
  TextQuery q{.match = "nightfall"};
  auto found = index_->FindText(q);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  auto entries = index_->ReadEntries(*found);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].collection_id, Collection());
  ASSERT_EQ(*db_->DeleteObject(Collection(), "x-thing--5a000000-0000-4000-8000-000000000001",
                               AllVersions()),
            1);
  EXPECT_TRUE(index_->FindText(q)->empty());
  EXPECT_FALSE(index_->FindText({.match = "\"unbalanced"}).ok()) << "a malformed query is an error";
}

TEST_P(SearchIndexTest, AFullTextQueryEndsAtItsDeadline) {
  index_->SetIndexer(indexer_);
  std::vector<std::string> many;
  for (int i = 0; i < 2000; ++i) {
    many.push_back(StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-)",
                          100000000000 + i, R"(","created":"2026-01-01T00:00:00.000Z",)",
                          R"("modified":"2026-01-01T00:00:00.000Z","name":"common words )", i, R"("})"));
  }
  Add(std::move(many));
  auto late = index_->FindText({.match = "common", .limit = 20000, .deadline_ms = 0});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();
  auto found = index_->FindText({.match = "common", .limit = 20000});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->size(), 2000u) << "the reader is usable again after an interrupted query";
}

TEST_P(SearchIndexTest, AWriteWithoutIndexerMakesItStaleUntilRebuilt) {
  Add({Sco(1, "a.example")});  // no indexer
  EXPECT_EQ(Found("a.example"), 0u);
  index_->SetIndexer(indexer_);
  EXPECT_FALSE(index_->GetIndexState()->complete);
  Add({Sco(2, "a.example")});  // stale: not indexed until the rebuild
  EXPECT_EQ(Found("a.example"), 0u);
  int64_t last_done = 0, calls = 0;
  auto summary = index_->RebuildIndex(
      [&](int64_t done, int64_t total) {
        ++calls;
        last_done = done;
        EXPECT_EQ(total, 2);
      },
      1);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->entries, 2);
  EXPECT_EQ(summary->values, 2);
  EXPECT_EQ(last_done, 2);
  EXPECT_GE(calls, 2);
  EXPECT_TRUE(index_->GetIndexState()->complete);
  EXPECT_EQ(Found("a.example"), 2u);
  indexer_->version = 2;  // another extractor: the index needs a rebuild again
  EXPECT_FALSE(index_->GetIndexState()->complete);
}

// Entries a deferring writer adds wait behind the cursor; CatchUpIndex indexes them batch by
// batch, each batch moving the cursor with its rows. The PostgreSQL store indexes in the
// write transaction (it ignores DeferIndexing): nothing waits there.
TEST_P(SearchIndexTest, DeferredEntriesWaitForTheCatchUp) {
  const bool defers = GetParam() == Backend::kSqlite;
  index_->SetIndexer(indexer_);
  Add({Sco(1, "first.example")});  // indexed in its transaction
  index_->DeferIndexing(true);
  Add({Sco(2, "late.example"), Sco(3, "late.example"), Sco(4, "late.example")});
  EXPECT_EQ(Found("first.example"), 1u);
  EXPECT_EQ(Found("late.example"), defers ? 0u : 3u);
  auto state = index_->GetIndexState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->complete, !defers);
  EXPECT_EQ(state->behind, defers);
  EXPECT_EQ(state->pending, defers ? 3 : 0);
  EXPECT_EQ(index_->GetIndexHead()->behind, defers);
  EXPECT_EQ(index_->GetIndexHead()->version, 1);
  // One batch of two: the cursor moves past two entries, one waits.
  auto one = index_->CatchUpIndex(nullptr, 2, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->entries, defers ? 2 : 0);
  EXPECT_EQ(Found("late.example"), defers ? 2u : 3u);
  EXPECT_EQ(index_->GetIndexState()->pending, defers ? 1 : 0);
  std::vector<std::pair<int64_t, int64_t>> progress;
  auto rest = index_->CatchUpIndex(
      [&](int64_t done, int64_t total) { progress.emplace_back(done, total); }, 2);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->entries, defers ? 1 : 0);
  if (defers) {
    EXPECT_EQ(progress, (std::vector<std::pair<int64_t, int64_t>>{{1, 1}}));
  }
  EXPECT_EQ(Found("late.example"), 3u);
  EXPECT_TRUE(index_->GetIndexState()->complete);
  EXPECT_FALSE(index_->GetIndexHead()->behind);
  EXPECT_EQ(index_->CatchUpIndex(nullptr)->entries, 0) << "nothing left";
}

// A catch-up batch stops once it has read 8 MiB of JSON (its count of entries aside): large
// objects neither hold the writer long nor take much memory.
TEST_P(SearchIndexTest, ACatchUpBatchStopsAfterEightMebibytesOfJson) {
  if (GetParam() == Backend::kPostgres)
    GTEST_SKIP() << "the PostgreSQL store indexes every write in its transaction";
  index_->SetIndexer(indexer_);
  index_->DeferIndexing(true);
  const std::string filler(size_t{3} << 20, 'a');
  std::vector<std::string> large;
  for (int n = 1; n <= 4; ++n) {
    large.push_back(StrCat(
        R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5b000000-0000-4000-8000-00000000000)",
        n, R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
        R"("value":"large.example","x_filler":")", filler, R"("})"));
  }
  Add(large);
  auto one = index_->CatchUpIndex(nullptr, 10, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->entries, 3) << "the third entry's JSON passes 8 MiB";
  EXPECT_EQ(Found("large.example"), 3u);
  EXPECT_EQ(index_->GetIndexState()->pending, 1);
  auto rest = index_->CatchUpIndex(nullptr, 10);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->entries, 1);
  EXPECT_EQ(Found("large.example"), 4u);
  EXPECT_TRUE(index_->GetIndexState()->complete);
}

// While the index is behind, every write leaves its entries to the catch-up, also one that
// does not defer (an entry indexed in its transaction after the cursor would be indexed twice,
// its text rowid refused); deletes remove the rows of indexed entries, and an entry deleted
// before it was indexed is never indexed.
TEST_P(SearchIndexTest, WritesAndDeletesWhileBehind) {
  if (GetParam() == Backend::kPostgres)
    GTEST_SKIP() << "the PostgreSQL store indexes every write in its transaction";
  index_->SetIndexer(indexer_);
  auto thing = [](int n, std::string_view value) {
    return StrCat(
        R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-00000000000)",
        n,
        R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","value":")",
        value, R"(","name":"Nightfall )", n, R"("})");
  };
  Add({thing(1, "gone.example")});  // indexed
  index_->DeferIndexing(true);
  Add({thing(2, "gone.example"), thing(3, "kept.example")});
  auto other = OpenAnother();  // another process, indexing in its transactions
  ASSERT_TRUE(other.ok()) << other.status();
  other->second->SetIndexer(indexer_);
  Objects objects;
  std::vector<NewObject> batch = {objects.Make(thing(4, "kept.example"))};
  ASSERT_TRUE(other->first->AddObjects(Collection(), batch).ok());
  EXPECT_EQ(Found("kept.example"), 0u) << "written while behind: left to the catch-up";
  EXPECT_EQ(index_->GetIndexState()->pending, 3);
  for (int n : {1, 2}) {
    ASSERT_EQ(
        *db_->DeleteObject(Collection(), StrCat("x-thing--5a000000-0000-4000-8000-00000000000", n),
                           AllVersions()),
        1);
  }
  EXPECT_EQ(Found("gone.example"), 0u) << "the indexed entry's rows went with it";
  EXPECT_EQ(index_->FindText({.match = "nightfall"})->size(), 0u);
  auto caught = other->second->CatchUpIndex(nullptr);
  ASSERT_TRUE(caught.ok()) << caught.status();
  EXPECT_EQ(caught->entries, 2) << "the deleted pending entry is not indexed";
  EXPECT_EQ(Found("gone.example"), 0u);
  EXPECT_EQ(Found("kept.example"), 2u);
  EXPECT_EQ(index_->FindText({.match = "nightfall"})->size(), 2u);
  EXPECT_TRUE(index_->GetIndexState()->complete);
  batch = {objects.Make(thing(5, "kept.example"))};
  ASSERT_TRUE(other->first->AddObjects(Collection(), batch).ok());
  EXPECT_EQ(Found("kept.example"), 3u)
      << "caught up: a write that does not defer indexes in its transaction";
}

// A stale index is not caught up (its rows were made by another extractor, or some entries
// were written without one): only a rebuild makes it complete, and a rebuild is a catch-up
// from before the first entry.
TEST_P(SearchIndexTest, AStaleIndexIsRebuiltNotCaughtUp) {
  index_->SetIndexer(indexer_);
  Add({Sco(1, "a.example")});
  indexer_->version = 2;
  auto refused = index_->CatchUpIndex(nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("kizuna index rebuild"), std::string_view::npos)
      << refused.status();
  auto rebuilt = index_->RebuildIndex(nullptr);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ(rebuilt->entries, 1);
  EXPECT_TRUE(index_->GetIndexState()->complete);
}

TEST_P(SearchIndexTest, TheFollowerCatchesUp) {
  index_->SetIndexer(indexer_);
  index_->DeferIndexing(true);
  Add({Sco(1, "a.example"), Sco(2, "a.example"), Sco(3, "a.example")});
  IndexFollower follower(*index_,
                         {.interval_us = 1'000, .batch = 2, .pause_us = 0, .on_error = {}});
  auto indexed = follower.CatchUpOnce();
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  EXPECT_EQ(*indexed, GetParam() == Backend::kSqlite ? 3 : 0);
  EXPECT_EQ(Found("a.example"), 3u);
  Add({Sco(4, "a.example")});
  follower.Start();
  for (int i = 0; i < 5000 && Found("a.example") < 4u; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  follower.Stop();
  EXPECT_EQ(Found("a.example"), 4u);
  EXPECT_TRUE(index_->GetIndexState()->complete);
}

// A follower that cannot catch up says so once per error in a row, not at every interval.
TEST_P(SearchIndexTest, TheFollowerSaysOnceThatItCannotCatchUp) {
  if (GetParam() == Backend::kPostgres)
    GTEST_SKIP() << "the PostgreSQL store indexes every write in its transaction";
  index_->SetIndexer(indexer_);
  index_->DeferIndexing(true);
  Add({Sco(1, "a.example")});
  indexer_->version = 2;  // the index is stale: a catch-up is refused until a rebuild
  std::mutex mu;
  std::vector<std::string> said;
  IndexFollowerOptions options{.interval_us = 1'000, .batch = 2, .pause_us = 0, .on_error = {}};
  options.on_error = [&](const absl::Status& error) {
    std::lock_guard<std::mutex> lock(mu);
    said.emplace_back(error.message());
  };
  IndexFollower follower(*index_, options);
  const auto count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return said.size();
  };
  follower.Start();
  for (int i = 0; i < 5000 && count() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // many more tries, same error
  follower.Stop();
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said[0].find("kizuna index rebuild"), std::string::npos) << said[0];
}

// A domain name whose id ends in `n` (up to 12 digits).
std::string NumberedSco(int n, std::string_view value) {
  std::string digits = StrCat(n);
  return StrCat(R"({"type":"domain-name","spec_version":"2.1","id":"domain-name--5a000000-0000-4000-8000-)",
                std::string(12 - digits.size(), '0'), digits, R"(","value":")", value, R"("})");
}

// A write's value rows go straight into search_values while they are a 16th of it or more,
// then as runs; the 16th run merges the runs into search_values. Value queries read both, in
// order, whichever table holds a row. (PostgreSQL keeps no runs: the same answers.)
TEST_P(SearchIndexTest, ValuesInRunsAndMergedAreFoundInOrder) {
  index_->SetIndexer(indexer_);
  const int writes = 36;  // 3 rows each: 17 straight in, runs 1-16 merged, runs 1-3
  for (int i = 1; i <= writes; ++i) {
    Add({NumberedSco(i, "shared.example"), NumberedSco(100 + i, StrCat("v", 100 + i, ".example")),
         NumberedSco(200 + i, "zz.example")});
  }
  std::vector<std::string> one = {"shared.example"};
  auto all = index_->FindValues(one, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), static_cast<size_t>(writes));
  for (size_t i = 1; i < all->size(); ++i) EXPECT_LT((*all)[i - 1].date_added_us, (*all)[i].date_added_us);
  // Pages of 7 after a cursor cross from the merged rows into the runs.
  std::vector<int64_t> paged;
  for (int64_t after = 0;;) {
    auto page = index_->FindValues(one, after, 7);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const IndexHit& h : *page) paged.push_back(h.date_added_us);
    after = page->back().date_added_us;
  }
  ASSERT_EQ(paged.size(), all->size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], (*all)[i].date_added_us);
  // Several values at once, and a range of values in (value, entry) order.
  std::vector<std::string> three = {"v136.example", "v101.example", "v125.example"};
  auto each = index_->FindValues(three, 0, 100);
  ASSERT_TRUE(each.ok()) << each.status();
  ASSERT_EQ(each->size(), 3u);
  EXPECT_EQ((*each)[0].value, "v101.example");  // written straight in
  EXPECT_EQ((*each)[1].value, "v125.example");  // merged from a run
  EXPECT_EQ((*each)[2].value, "v136.example");  // in a run
  auto range = index_->FindValueRange("v", "w", "", 0, 100);
  ASSERT_TRUE(range.ok()) << range.status();
  ASSERT_EQ(range->size(), static_cast<size_t>(writes));
  for (int i = 0; i < writes; ++i) EXPECT_EQ((*range)[i].value, StrCat("v", 101 + i, ".example"));
  auto rest = index_->FindValueRange("v", "w", (*range)[15].value, (*range)[15].date_added_us, 100);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->size(), static_cast<size_t>(writes - 16));
  EXPECT_EQ((*rest)[0].value, "v117.example");
  // The rows of one entry, merged or in a run; the count of rows held.
  for (const IndexHit& h : {(*all)[0], all->back()}) {
    auto of = index_->ValuesOf(h.date_added_us);
    ASSERT_TRUE(of.ok()) << of.status();
    ASSERT_EQ(of->size(), 1u);
    EXPECT_EQ((*of)[0].value, "shared.example");
  }
  EXPECT_EQ(index_->GetIndexState()->values, 3 * writes);
  // A delete removes rows from both.
  ASSERT_EQ(*db_->DeleteObject(Collection(), "domain-name--5a000000-0000-4000-8000-000000000001", AllVersions()), 1);
  ASSERT_EQ(*db_->DeleteObject(Collection(), "domain-name--5a000000-0000-4000-8000-000000000020", AllVersions()), 1);
  EXPECT_EQ(Found("shared.example"), static_cast<size_t>(writes - 2));
  EXPECT_EQ(index_->GetIndexState()->values, 3 * writes - 2);
}

// A query ranks the newest 20,000 matches only (after its filters): a word every object
// carries costs 20,000 scores, not one per entry held.
TEST_P(SearchIndexTest, OnlyTheNewestMatchesAreRanked) {
  index_->SetIndexer(indexer_);
  auto thing = [](int64_t n, std::string_view name) {
    return StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-)",
                  100000000000 + n, R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
                  R"("name":")", name, R"("})");
  };
  // The oldest is the best match (the word alone); the 20,000 after it are longer.
  Add({thing(0, "beacon")});
  std::vector<std::string> newer;
  for (int i = 1; i <= 20'000; ++i) newer.push_back(thing(i, StrCat("beacon seen on hosts of network ", i)));
  Add(std::move(newer));
  auto found = index_->FindText({.match = "beacon", .limit = 30'000});
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 20'000u);
  auto oldest = index_->FindText({.match = "beacon", .limit = 1});
  ASSERT_TRUE(oldest.ok()) << oldest.status();
  auto first = index_->ReadEntries(*oldest);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_NE((*first)[0].object.id, "x-thing--5a000000-0000-4000-8000-100000000000") << "the oldest was ranked";
  // A filter applies before the newest are taken: dates that leave out the newest 10 bring
  // the oldest back, first.
  int64_t newest = *std::max_element(found->begin(), found->end());
  auto filtered = index_->FindText({.match = "beacon", .added_before_us = newest - 9, .limit = 1});
  ASSERT_TRUE(filtered.ok()) << filtered.status();
  ASSERT_EQ(filtered->size(), 1u);
  EXPECT_EQ((*filtered)[0], *std::min_element(found->begin(), found->end()) - 1) << "the oldest, best match";
  if (GetParam() != Backend::kSqlite) return;
  // Two words, one in more entries than kizuna_rank() counts for its weight (20,001): it
  // stops counting there, and weighs it as bm25() does when it is in over half the entries.
  auto both = index_->FindText({.match = "\"beacon\" \"network\"", .limit = 30'000});
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->size(), 20'000u);
  auto conn = Connection::Open(dir_.File("kizuna.db"), true);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto st = (*conn)->Cached(
      "SELECT rowid FROM search_text WHERE search_text MATCH '\"beacon\" \"network\"' ORDER BY "
      "bm25(search_text), rowid");
  ASSERT_TRUE(st.ok()) << st.status();
  std::vector<int64_t> bm25;
  while (*(*st)->Step()) bm25.push_back((*st)->Int(0));
  (*st)->Reset();
  EXPECT_EQ(*both, bm25);
}

// The SQLite store ranks by kizuna_rank() (sqlite/text_rank.h), which leaves out FTS5's walk
// of each word's every entry: its order must be bm25()'s, for one word (whose IDF only scales
// every score alike) and for several (each in fewer entries than it counts per word), the
// length of each entry and how often it carries each word deciding.
TEST_P(SearchIndexTest, MatchesAreRankedInBm25sOrder) {
  if (GetParam() == Backend::kPostgres)
    GTEST_SKIP() << "PostgreSQL ranks with ts_rank (docs/search.md)";
  index_->SetIndexer(indexer_);
  std::vector<std::string> things;
  for (int i = 0; i < 60; ++i) {
    std::string name;
    for (int w = 0; w < 1 + (i * 7) % 5; ++w) StrAppend(name, "beacon ");
    if (i % 3 == 0) StrAppend(name, "loader ");
    if (i % 4 == 0) StrAppend(name, "loader loader ");
    for (int w = 0; w < (i * 11) % 13; ++w) StrAppend(name, "filler", w, " ");
    things.push_back(
        StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-)",
               100000000000 + i, R"(","name":")", name, R"("})"));
  }
  Add(std::move(things));
  auto conn = Connection::Open(dir_.File("kizuna.db"), true);
  ASSERT_TRUE(conn.ok()) << conn.status();
  for (std::string match :
       {"\"beacon\"", "\"beacon\" \"loader\"", "\"loader\"", "\"filler3\" \"beacon\""}) {
    SCOPED_TRACE(match);
    auto st = (*conn)->Cached(
        "SELECT rowid FROM search_text WHERE search_text MATCH ?1 ORDER BY bm25(search_text), "
        "rowid");
    ASSERT_TRUE(st.ok()) << st.status();
    (*st)->BindView(1, match);
    std::vector<int64_t> bm25;
    while (*(*st)->Step()) bm25.push_back((*st)->Int(0));
    (*st)->Reset();
    ASSERT_GE(bm25.size(), 10u);
    auto ranked = index_->FindText({.match = match, .limit = 100});
    ASSERT_TRUE(ranked.ok()) << ranked.status();
    EXPECT_EQ(*ranked, bm25);
    // Pages of the same order.
    auto page = index_->FindText({.match = match, .offset = 3, .limit = 4});
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(*page, std::vector<int64_t>(bm25.begin() + 3, bm25.begin() + 7));
  }
}

// The SQLite store ranks in one pass, newest first, stopped after 20,001 matches: its answer
// must be the one of counting the matches first (to 20,001), then ranking all of them, or
// the newest 20,000 when more match, by bm25(). Fixtures with fewer than, exactly and more
// than 20,000 matches, for one word, phrases and two words; entries of every length up to
// over 128 words, whose lengths FTS5 stores in more than one byte.
TEST_P(SearchIndexTest, OnePassRanksWhatCountingFirstRanks) {
  if (GetParam() == Backend::kPostgres)
    GTEST_SKIP() << "PostgreSQL ranks with ts_rank (docs/search.md)";
  index_->SetIndexer(indexer_);
  constexpr int kThings = 20'002;
  std::vector<std::string> things;
  for (int i = 0; i < kThings; ++i) {
    std::string name = "omega alpha ";
    if (i >= 2) StrAppend(name, "beta ");
    if (i >= 3) StrAppend(name, "gamma ");
    if (i % 5 == 0) StrAppend(name, "beta ");
    const int fillers = i % 997 == 0 ? 130 + i % 50 : (i * 7) % 11;
    for (int w = 0; w < fillers; ++w) StrAppend(name, "filler", w % 20, " ");
    things.push_back(
        StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-)",
               100000000000 + i, R"(","name":")", name, R"("})"));
  }
  Add(std::move(things));
  auto conn = Connection::Open(dir_.File("kizuna.db"), true);
  ASSERT_TRUE(conn.ok()) << conn.status();
  // The reference: matches before `before` counted to 20,001; all of them, or the newest
  // 20,000, in bm25()'s order.
  auto reference = [&](const std::string& match, int64_t before) -> std::vector<int64_t> {
    auto count = (*conn)->Cached(
        "SELECT count(*) FROM (SELECT 1 FROM search_text WHERE search_text MATCH ?1 AND rowid < ?2 "
        "LIMIT 20001)");
    EXPECT_TRUE(count.ok()) << count.status();
    (*count)->BindView(1, match).Bind(2, before);
    EXPECT_TRUE(*(*count)->Step());
    const int64_t n = (*count)->Int(0);
    (*count)->Reset();
    int64_t from = std::numeric_limits<int64_t>::min();
    if (n > 20'000) {
      auto oldest = (*conn)->Cached(
          "SELECT min(rowid) FROM (SELECT rowid FROM search_text WHERE search_text MATCH ?1 AND "
          "rowid < ?2"
          " ORDER BY rowid DESC LIMIT 20000)");
      EXPECT_TRUE(oldest.ok()) << oldest.status();
      (*oldest)->BindView(1, match).Bind(2, before);
      EXPECT_TRUE(*(*oldest)->Step());
      from = (*oldest)->Int(0);
      (*oldest)->Reset();
    }
    auto st = (*conn)->Cached(
        "SELECT rowid FROM search_text WHERE search_text MATCH ?1 AND rowid < ?2 AND rowid >= ?3"
        " ORDER BY bm25(search_text), rowid");
    EXPECT_TRUE(st.ok()) << st.status();
    (*st)->BindView(1, match).Bind(2, before).Bind(3, from);
    std::vector<int64_t> out;
    while (*(*st)->Step()) out.push_back((*st)->Int(0));
    (*st)->Reset();
    return out;
  };
  const int64_t all = std::numeric_limits<int64_t>::max();
  struct Case {
    std::string match;
    size_t matching;  // of the fixture, to show which side of 20,000 it is on
  };
  // A query of several words or a phrase whose pieces are each in more than 20,000 entries is
  // read newest first; with a piece in fewer, in FTS5's order: both must give the same answer.
  for (const Case& c : std::vector<Case>{{"\"alpha\"", 20'002},
                                         {"\"omega\" \"alpha\"", 20'002},
                                         {"\"omega alpha\"", 20'002},
                                         {"\"omega\u2014alpha\"", 20'002},
                                         {"\"beta\"", 20'000},
                                         {"\"gamma\"", 19'999},
                                         {"\"alpha beta\"", 20'000},
                                         {"\"beta gamma\"", 19'999},
                                         {"\"alpha\" \"gamma\"", 19'999},
                                         {"\"alpha\" \"beta\"", 20'000},
                                         {"\"filler19\"", 0}}) {
    SCOPED_TRACE(c.match);
    std::vector<int64_t> expected = reference(c.match, all);
    if (c.matching > 0) {
      ASSERT_EQ(expected.size(), std::min<size_t>(c.matching, 20'000));
    } else {
      ASSERT_EQ(expected.size(), 21u) << "the longest entries (130 words or more) only";
    }
    auto ranked = index_->FindText({.match = c.match, .limit = 30'000});
    ASSERT_TRUE(ranked.ok()) << ranked.status();
    EXPECT_EQ(*ranked, expected);
    auto page = index_->FindText({.match = c.match, .offset = 10, .limit = 5});
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(*page, std::vector<int64_t>(expected.begin() + 10, expected.begin() + 15));
  }
  // A filter applies before the window: the newest entry left out, 20,001 match "alpha" and
  // the newest 20,000 of them are ranked; the newest 3 left out, 19,999 and all are.
  auto everything = index_->FindText({.match = "\"alpha\"", .limit = 30'000});
  ASSERT_TRUE(everything.ok()) << everything.status();
  const int64_t newest = *std::max_element(everything->begin(), everything->end());
  for (int64_t left_out : {1, 3}) {
    SCOPED_TRACE(left_out);
    std::vector<int64_t> expected = reference("\"alpha\"", newest - left_out + 1);
    ASSERT_EQ(expected.size(), left_out == 1 ? 20'000u : 19'999u);
    auto ranked = index_->FindText(
        {.match = "\"alpha\"", .added_before_us = newest - left_out + 1, .limit = 30'000});
    ASSERT_TRUE(ranked.ok()) << ranked.status();
    EXPECT_EQ(*ranked, expected);
  }
}

TEST_P(SearchIndexTest, RebuildNeedsAnIndexer) {
  EXPECT_TRUE(absl::IsFailedPrecondition(index_->RebuildIndex(nullptr).status()));
}

TEST_P(SearchIndexTest, BlocksContainingAnAddress) {
  index_->SetIndexer(indexer_);
  Add({Sco(1, "10.0.0.0/8")});
  std::array<uint8_t, 16> inside{10, 20, 30, 40}, outside{11, 0, 0, 1};
  auto hits = index_->FindRanges(false, inside, 32, 10);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].value, "10.0.0.0/8");
  EXPECT_TRUE(index_->FindRanges(false, outside, 32, 10)->empty());
  EXPECT_TRUE(index_->FindRanges(true, inside, 128, 10)->empty())
      << "IPv6 never matches an IPv4 block";
  EXPECT_EQ(index_->FindRanges(false, inside, 8, 10)->size(), 1u) << "an equal block is contained";
  EXPECT_TRUE(index_->FindRanges(false, inside, 7, 10)->empty()) << "a wider block is not";
  EXPECT_FALSE(index_->FindRanges(false, inside, 33, 10).ok());
}

// A thing named `name` whose id ends in `n`.
std::string NamedThing(int n, std::string_view name) {
  return StrCat(
      R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-00000000000)",
      n, R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":")",
      name, R"("})");
}

// FTS5's query syntax, as the searcher and `kizuna search` use it (docs/search.md), gives the
// same entries on both stores (PostgreSQL translates it: postgres/pg_text.h); bad syntax is
// an error on both.
TEST_P(SearchIndexTest, Fts5QuerySyntaxFindsTheSameOnBothStores) {
  index_->SetIndexer(indexer_);
  Add({NamedThing(1, "Nightfall Panda"), NamedThing(2, "evil.example campaign"),
       NamedThing(3, "Crème Brûlée"), NamedThing(4, "panda express"),
       NamedThing(5, "Кибер ΩMEGA 北京 攻撃 Straße")});
  // The last digit of each entry's id, sorted; {-1} for an error.
  auto matches = [&](std::string match) -> std::vector<int> {
    auto found = index_->FindText({.match = match});
    if (!found.ok()) return {-1};
    auto entries = index_->ReadEntries(*found);
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<int> out;
    for (const LocatedObject& e : *entries) out.push_back(e.object.id.back() - '0');
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<int>;
  EXPECT_EQ(matches("nightfall"), V({1}));
  EXPECT_EQ(matches("\"NIGHTFALL\""), V({1})) << "case folded";
  EXPECT_EQ(matches("night*"), V({1})) << "a prefix";
  EXPECT_EQ(matches("nightfall OR brulee"), V({1, 3}));
  EXPECT_EQ(matches("panda NOT nightfall"), V({4}));
  EXPECT_EQ(matches("panda AND nightfall"), V({1}));
  EXPECT_EQ(matches("panda nightfall"), V({1})) << "an implicit AND";
  EXPECT_EQ(matches("\"evil.example\""), V({2})) << "a phrase of the words a quoted string holds";
  EXPECT_EQ(matches("\"example\" \"campaign\""), V({2}));
  EXPECT_EQ(matches("evil"), V({2}));
  EXPECT_EQ(matches("\"creme\" brûlée"), V({3})) << "diacritics removed";
  EXPECT_EQ(matches("\"nightfall panda\""), V({1}));
  EXPECT_EQ(matches("\"panda nightfall\""), V({})) << "a phrase keeps its order";
  EXPECT_EQ(matches("nightfall + panda"), V({1}));
  EXPECT_EQ(matches("names:panda"), V({1, 4}));
  EXPECT_EQ(matches("text:panda"), V({}));
  EXPECT_EQ(matches("(panda OR campaign) NOT express"), V({1, 2}));
  EXPECT_EQ(matches("\"-\""), V({})) << "a phrase without words";
  EXPECT_EQ(matches("кибер ωmega"), V({5})) << "Cyrillic and Greek folded";
  EXPECT_EQ(matches("北京"), V({5})) << "a run of ideographs is one word";
  EXPECT_EQ(matches("北"), V({}));
  EXPECT_EQ(matches("straße"), V({5}));
  EXPECT_EQ(matches("strasse"), V({}));
  for (const char* bad :
       {"(panda", "panda AND", "OR panda", "\"open", "nosuch:panda", "panda)", "."}) {
    EXPECT_EQ(matches(bad), V({-1})) << bad;
  }
  auto bad = index_->FindText({.match = "panda AND"});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
}

// Two stores on one database stand for two processes (two nodes on one PostgreSQL): what one
// writes the other finds, a delete through one is seen by the other, a write without an
// indexer marks the index stale for both, and a rebuild through one completes it for both.
TEST_P(SearchIndexTest, AnotherProcessFindsWhatOneWrote) {
  index_->SetIndexer(indexer_);
  auto other = OpenAnother();
  ASSERT_TRUE(other.ok()) << other.status();
  auto& [other_store, other_index] = *other;
  other_index->SetIndexer(indexer_);
  Add({Sco(1, "shared.example"), NamedThing(2, "Nightfall Panda")});
  EXPECT_EQ(Found("shared.example", other_index), 1u);
  auto text = other_index->FindText({.match = "nightfall"});
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_EQ(text->size(), 1u);
  auto read = other_index->ReadEntries(*text);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].object.id, "x-thing--5a000000-0000-4000-8000-000000000002");
  auto located = other_index->ReadObject("x-thing--5a000000-0000-4000-8000-000000000002");
  ASSERT_TRUE(located.ok()) << located.status();
  ASSERT_EQ(located->size(), 1u);
  EXPECT_EQ((*located)[0].collection_id, Collection());
  // Written through the other, found here.
  Objects objects;
  std::vector<NewObject> batch = {objects.Make(Sco(3, "shared.example"))};
  ASSERT_TRUE(other_store->AddObjects(Collection(), batch).ok());
  EXPECT_EQ(Found("shared.example"), 2u);
  ASSERT_EQ(*other_store->DeleteObject(
                Collection(), "domain-name--5a000000-0000-4000-8000-000000000001", AllVersions()),
            1);
  EXPECT_EQ(Found("shared.example"), 1u);
  EXPECT_TRUE(index_->GetIndexState()->complete);
  // A third without an indexer: stale for every process until one rebuilds.
  auto bare = OpenAnother();
  ASSERT_TRUE(bare.ok()) << bare.status();
  batch = {objects.Make(Sco(4, "shared.example"))};
  ASSERT_TRUE(bare->first->AddObjects(Collection(), batch).ok());
  EXPECT_FALSE(index_->GetIndexState()->complete);
  EXPECT_FALSE(other_index->GetIndexState()->complete);
  EXPECT_EQ(other_index->GetIndexHead()->version, 0);
  auto rebuilt = other_index->RebuildIndex(nullptr);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ(rebuilt->entries, 3);
  EXPECT_TRUE(index_->GetIndexState()->complete);
  EXPECT_EQ(Found("shared.example"), 2u);
}

}  // namespace
}  // namespace kizuna::store
