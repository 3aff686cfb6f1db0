// Kizuna. The SQLite store's search index: written with the entries, removed with them,
// stale without an indexer, rebuilt; address blocks found by containment.
#include "kizuna/store/search_index.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <simdjson.h>

#include "kizuna/store/sqlite/sqlite_store.h"
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

class SqliteSearchTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    db_.reset();
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
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
  size_t Found(std::string value) {
    std::vector<std::string> one = {std::move(value)};
    auto hits = db_->FindValues(one, 0, 100);
    EXPECT_TRUE(hits.ok()) << hits.status();
    return hits.ok() ? hits->size() : 0;
  }

  TempDir dir_;
  FakeClock clock_{1780000000000000};
  std::shared_ptr<ValueIndexer> indexer_ = std::make_shared<ValueIndexer>();
  std::unique_ptr<SqliteStore> db_;
};

TEST_F(SqliteSearchTest, WrittenAndRemovedWithTheEntries) {
  db_->SetIndexer(indexer_);
  Add({Sco(1, "evil.example"), Sco(2, "evil.example")});
  EXPECT_EQ(Found("evil.example"), 2u);
  auto state = db_->GetIndexState();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->complete);
  EXPECT_EQ(state->values, 2);
  ASSERT_EQ(*db_->DeleteObject(Collection(), "domain-name--5a000000-0000-4000-8000-000000000001",
                               AllVersions()),
            1);
  EXPECT_EQ(Found("evil.example"), 1u);
  EXPECT_TRUE(db_->GetIndexState()->complete);
}

TEST_F(SqliteSearchTest, TextIsFoundAndDeletedWithoutAStoredCopy) {
  db_->SetIndexer(indexer_);
  Add({StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-000000000001",)",
              R"("created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Nightfall Panda"})")});
  TextQuery q{.match = "nightfall"};
  auto found = db_->FindText(q);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  auto entries = db_->ReadEntries(*found);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].collection_id, Collection());
  ASSERT_EQ(*db_->DeleteObject(Collection(), "x-thing--5a000000-0000-4000-8000-000000000001",
                               AllVersions()),
            1);
  EXPECT_TRUE(db_->FindText(q)->empty());
  EXPECT_FALSE(db_->FindText({.match = "\"unbalanced"}).ok()) << "a malformed query is an error";
}

TEST_F(SqliteSearchTest, AFullTextQueryEndsAtItsDeadline) {
  db_->SetIndexer(indexer_);
  std::vector<std::string> many;
  for (int i = 0; i < 2000; ++i) {
    many.push_back(StrCat(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--5a000000-0000-4000-8000-)",
                          100000000000 + i, R"(","created":"2026-01-01T00:00:00.000Z",)",
                          R"("modified":"2026-01-01T00:00:00.000Z","name":"common words )", i, R"("})"));
  }
  Add(std::move(many));
  auto late = db_->FindText({.match = "common", .limit = 20000, .deadline_ms = 0});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();
  auto found = db_->FindText({.match = "common", .limit = 20000});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->size(), 2000u) << "the reader is usable again after an interrupted query";
}

TEST_F(SqliteSearchTest, AWriteWithoutIndexerMakesItStaleUntilRebuilt) {
  Add({Sco(1, "a.example")});  // no indexer
  EXPECT_EQ(Found("a.example"), 0u);
  db_->SetIndexer(indexer_);
  EXPECT_FALSE(db_->GetIndexState()->complete);
  Add({Sco(2, "a.example")});  // stale: not indexed until the rebuild
  EXPECT_EQ(Found("a.example"), 0u);
  int64_t last_done = 0, calls = 0;
  auto summary = db_->RebuildIndex([&](int64_t done, int64_t total) {
    ++calls;
    last_done = done;
    EXPECT_EQ(total, 2);
  }, 1);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->entries, 2);
  EXPECT_EQ(summary->values, 2);
  EXPECT_EQ(last_done, 2);
  EXPECT_GE(calls, 2);
  EXPECT_TRUE(db_->GetIndexState()->complete);
  EXPECT_EQ(Found("a.example"), 2u);
  indexer_->version = 2;  // another extractor: the index needs a rebuild again
  EXPECT_FALSE(db_->GetIndexState()->complete);
}

// A domain name whose id ends in `n` (up to 12 digits).
std::string NumberedSco(int n, std::string_view value) {
  std::string digits = StrCat(n);
  return StrCat(R"({"type":"domain-name","spec_version":"2.1","id":"domain-name--5a000000-0000-4000-8000-)",
                std::string(12 - digits.size(), '0'), digits, R"(","value":")", value, R"("})");
}

// A write's value rows go straight into search_values while they are a 16th of it or more,
// then as runs; the 16th run merges the runs into search_values. Value queries read both, in
// order, whichever table holds a row.
TEST_F(SqliteSearchTest, ValuesInRunsAndMergedAreFoundInOrder) {
  db_->SetIndexer(indexer_);
  const int writes = 36;  // 3 rows each: 17 straight in, runs 1-16 merged, runs 1-3
  for (int i = 1; i <= writes; ++i) {
    Add({NumberedSco(i, "shared.example"), NumberedSco(100 + i, StrCat("v", 100 + i, ".example")),
         NumberedSco(200 + i, "zz.example")});
  }
  std::vector<std::string> one = {"shared.example"};
  auto all = db_->FindValues(one, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), static_cast<size_t>(writes));
  for (size_t i = 1; i < all->size(); ++i) EXPECT_LT((*all)[i - 1].date_added_us, (*all)[i].date_added_us);
  // Pages of 7 after a cursor cross from the merged rows into the runs.
  std::vector<int64_t> paged;
  for (int64_t after = 0;;) {
    auto page = db_->FindValues(one, after, 7);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const IndexHit& h : *page) paged.push_back(h.date_added_us);
    after = page->back().date_added_us;
  }
  ASSERT_EQ(paged.size(), all->size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], (*all)[i].date_added_us);
  // Several values at once, and a range of values in (value, entry) order.
  std::vector<std::string> three = {"v136.example", "v101.example", "v125.example"};
  auto each = db_->FindValues(three, 0, 100);
  ASSERT_TRUE(each.ok()) << each.status();
  ASSERT_EQ(each->size(), 3u);
  EXPECT_EQ((*each)[0].value, "v101.example");  // written straight in
  EXPECT_EQ((*each)[1].value, "v125.example");  // merged from a run
  EXPECT_EQ((*each)[2].value, "v136.example");  // in a run
  auto range = db_->FindValueRange("v", "w", "", 0, 100);
  ASSERT_TRUE(range.ok()) << range.status();
  ASSERT_EQ(range->size(), static_cast<size_t>(writes));
  for (int i = 0; i < writes; ++i) EXPECT_EQ((*range)[i].value, StrCat("v", 101 + i, ".example"));
  auto rest = db_->FindValueRange("v", "w", (*range)[15].value, (*range)[15].date_added_us, 100);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->size(), static_cast<size_t>(writes - 16));
  EXPECT_EQ((*rest)[0].value, "v117.example");
  // The rows of one entry, merged or in a run; the count of rows held.
  for (const IndexHit& h : {(*all)[0], all->back()}) {
    auto of = db_->ValuesOf(h.date_added_us);
    ASSERT_TRUE(of.ok()) << of.status();
    ASSERT_EQ(of->size(), 1u);
    EXPECT_EQ((*of)[0].value, "shared.example");
  }
  EXPECT_EQ(db_->GetIndexState()->values, 3 * writes);
  // A delete removes rows from both.
  ASSERT_EQ(*db_->DeleteObject(Collection(), "domain-name--5a000000-0000-4000-8000-000000000001", AllVersions()), 1);
  ASSERT_EQ(*db_->DeleteObject(Collection(), "domain-name--5a000000-0000-4000-8000-000000000020", AllVersions()), 1);
  EXPECT_EQ(Found("shared.example"), static_cast<size_t>(writes - 2));
  EXPECT_EQ(db_->GetIndexState()->values, 3 * writes - 2);
}

// A query ranks the newest 20,000 matches only (after its filters): a word every object
// carries costs 20,000 scores, not one per entry held.
TEST_F(SqliteSearchTest, OnlyTheNewestMatchesAreRanked) {
  db_->SetIndexer(indexer_);
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
  auto found = db_->FindText({.match = "beacon", .limit = 30'000});
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 20'000u);
  auto oldest = db_->FindText({.match = "beacon", .limit = 1});
  ASSERT_TRUE(oldest.ok()) << oldest.status();
  auto first = db_->ReadEntries(*oldest);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_NE((*first)[0].object.id, "x-thing--5a000000-0000-4000-8000-100000000000") << "the oldest was ranked";
  // A filter applies before the newest are taken: dates that leave out the newest 10 bring
  // the oldest back, first.
  int64_t newest = *std::max_element(found->begin(), found->end());
  auto filtered = db_->FindText({.match = "beacon", .added_before_us = newest - 9, .limit = 1});
  ASSERT_TRUE(filtered.ok()) << filtered.status();
  ASSERT_EQ(filtered->size(), 1u);
  EXPECT_EQ((*filtered)[0], *std::min_element(found->begin(), found->end()) - 1) << "the oldest, best match";
}

TEST_F(SqliteSearchTest, RebuildNeedsAnIndexer) {
  EXPECT_TRUE(absl::IsFailedPrecondition(db_->RebuildIndex(nullptr).status()));
}

TEST_F(SqliteSearchTest, BlocksContainingAnAddress) {
  db_->SetIndexer(indexer_);
  Add({Sco(1, "10.0.0.0/8")});
  std::array<uint8_t, 16> inside{10, 20, 30, 40}, outside{11, 0, 0, 1};
  auto hits = db_->FindRanges(false, inside, 32, 10);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].value, "10.0.0.0/8");
  EXPECT_TRUE(db_->FindRanges(false, outside, 32, 10)->empty());
  EXPECT_TRUE(db_->FindRanges(true, inside, 128, 10)->empty()) << "IPv6 never matches an IPv4 block";
  EXPECT_EQ(db_->FindRanges(false, inside, 8, 10)->size(), 1u) << "an equal block is contained";
  EXPECT_TRUE(db_->FindRanges(false, inside, 7, 10)->empty()) << "a wider block is not";
  EXPECT_FALSE(db_->FindRanges(false, inside, 33, 10).ok());
}

}  // namespace
}  // namespace kizuna::store
