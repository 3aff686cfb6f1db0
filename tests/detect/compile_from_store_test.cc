// Kizuna. CompileFromStore: one collection compiled as it is read gives the snapshot that
// keeping every indicator until Finish gives; a write landing during the read is read again.
// IndicatorSet: kept, brought up to date after changes and built at a time, it gives the
// snapshot and counts CompileFromStore gives for the same store at that time.
// SnapshotFile and CompiledSetInputs: a compilation written to a file and read back is the
// compilation; a file compiled from other inputs, or damaged, is refused with its reason.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "kizuna/base/strings.h"
#include "kizuna/detect/compiled_set.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/indicator_set.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/snapshot_file.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "kizuna/store/store_id.h"
#include "test_util.h"

namespace kizuna::detect {
namespace {

constexpr int64_t kNow = 1750000000000000;  // 2025-06-15

std::string Indicator(int n, std::string_view pattern, std::string_view extra = "",
                      std::string_view modified = "2024-01-01T00:00:00.000Z") {
  return StrCat(
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--6c1d0d3e-5b1f-4a57-9d6e-)",
      fmt::format("{:012}", n), R"(","created":"2024-01-01T00:00:00.000Z","modified":")", modified,
      R"(","pattern":")", pattern, R"(","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z")",
      extra, "}\n");
}

class CompileFromStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = StrCat(testing::TempDir(), "/compile-from-store-", ::getpid(), ".db");
    std::filesystem::remove(path_);
    auto s = store::SqliteStore::Open(path_, clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
  }
  // The collection compiled from the store at kNow.
  absl::StatusOr<std::shared_ptr<const Snapshot>> CompileNow(CompileReport& report) {
    CompileOptions options;
    options.now_us = kNow;
    return CompileFromStore(*store_, std::vector<std::string>{collection_}, options, &report);
  }

  // A file in a folder of the test's own (mode 0700): compiled-set files are read only from
  // a folder no other user may write to, which the temporary folder is not.
  std::string PrivateFile() {
    const std::string dir = StrCat(path_, "-cache");
    EXPECT_TRUE(MakeCompiledSetDir(dir).ok());
    return StrCat(dir, "/s.kzset");
  }

  void TearDown() override {
    std::filesystem::remove_all(StrCat(path_, "-cache"));
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  void Import(const std::string& lines) {
    ingest::ImportOptions options;
    options.format = stix::DocumentFormat::kJsonLines;
    ingest::Importer importer(*store_, collection_, options);
    ASSERT_TRUE(importer.ImportText("test", lines, stix::Padding::kAbsent).ok());
  }

  // Every kind of indicator the compiler tells apart, and two versions of one id.
  void ImportMixed() {
    std::string lines;
    for (int n = 1; n <= 40; ++n) {
      switch (n % 10) {
        case 0:
          lines += Indicator(n, StrCat("[ipv4-addr:value = '198.51.100.", n, "']"));
          break;
        case 1:
          lines += Indicator(n, "[domain-name:value = 'shared.example']");
          break;
        case 2:
          lines += Indicator(n, StrCat("[domain-name:value = 'd", n, ".example']"),
                             R"(,"revoked":true)");
          break;
        case 3:
          lines += Indicator(n, StrCat("[url:value = 'http://u", n, ".example/x']"),
                             R"(,"valid_until":"2025-01-01T00:00:00Z")");
          break;
        case 4:
          lines += Indicator(n, StrCat("[domain-name:value = 'f", n, ".example']"),
                             R"(,"valid_until":"2027-01-01T00:00:00Z")");
          break;
        case 5:
          lines += Indicator(
              n, StrCat("[domain-name:value MATCHES '^e", n, "[a-z]*\\\\\\\\.example$']"));
          break;
        case 6:
          lines += Indicator(n, StrCat("[domain-name:value = 'a", n,
                                       ".example'] AND [domain-name:value = 'b", n, ".example']"));
          break;
        case 7:
          lines += Indicator(n, StrCat("[ipv4-addr:value ISSUBSET '203.0.", n, ".0/24']"));
          break;
        case 8:
          lines += Indicator(n, StrCat("[file:hashes.'SHA-256' = '", std::string(62, 'a'),
                                       fmt::format("{:02}", n), "']"));
          break;
        default:
          lines += Indicator(n, StrCat("[domain-name:value = 'h", n,
                                       ".example' OR ipv4-addr:value = '192.0.2.", n, "']"));
          break;
      }
    }
    Import(lines);
    // A later version of indicator 9, with another pattern.
    Import(Indicator(9, "[domain-name:value = 'back.example']", "", "2024-06-01T00:00:00.000Z"));
  }

  // The snapshot of every indicator kept until Finish (IndicatorCompiler::AddObject).
  std::shared_ptr<const Snapshot> CompileKept(CompileReport* report) {
    CompileOptions options;
    options.now_us = kNow;
    IndicatorCompiler compiler(options);
    store::PageRequest request;
    request.filter.types = {"indicator"};
    request.limit = store::kMaxPageLimit;
    auto page = store_->GetObjects(collection_, request);
    EXPECT_TRUE(page.ok()) << page.status();
    for (const store::StoredObject& o : page->objects) compiler.AddObject(o.json, o.id);
    auto s = std::move(compiler).Finish();
    EXPECT_TRUE(s.ok()) << s.status();
    *report = compiler.report();
    return *s;
  }

  std::string path_;
  FakeClock clock_{kNow};
  std::unique_ptr<store::SqliteStore> store_;
  std::string collection_;
};

void ExpectSameSnapshot(const Snapshot& a, const Snapshot& b) {
  ASSERT_EQ(a.indicator_count(), b.indicator_count());
  for (uint32_t i = 0; i < a.indicator_count(); ++i) EXPECT_EQ(a.IndicatorId(i), b.IndicatorId(i));
  EXPECT_EQ(a.stats().simple, b.stats().simple);
  EXPECT_EQ(a.stats().evaluated, b.stats().evaluated);
  EXPECT_EQ(a.stats().multi, b.stats().multi);
  EXPECT_EQ(a.stats().keys, b.stats().keys);
  EXPECT_EQ(a.stats().lookup_bytes, b.stats().lookup_bytes);
  EXPECT_EQ(a.next_change_us(), b.next_change_us());
  EXPECT_EQ(a.pattern_type_mask(), b.pattern_type_mask());
}

void ExpectSameCounts(const CompileReport& a, const CompileReport& b) {
  EXPECT_EQ(a.objects, b.objects);
  EXPECT_EQ(a.active, b.active);
  EXPECT_EQ(a.revoked, b.revoked);
  EXPECT_EQ(a.expired, b.expired);
  EXPECT_EQ(a.not_yet_valid, b.not_yet_valid);
  EXPECT_EQ(a.invalid, b.invalid);
  EXPECT_EQ(a.simple, b.simple);
  EXPECT_EQ(a.evaluated, b.evaluated);
  EXPECT_EQ(a.multi, b.multi);
  EXPECT_EQ(a.duplicates, b.duplicates);
  EXPECT_EQ(a.other_pattern_type, b.other_pattern_type);
  EXPECT_EQ(a.suppressed, b.suppressed);
  EXPECT_EQ(a.suppressed_keys, b.suppressed_keys);
  EXPECT_EQ(a.suppressed_by_list, b.suppressed_by_list);
  EXPECT_EQ(a.problems.size(), b.problems.size());
}

// The matches of a few records, as (record, indicator id) pairs.
std::vector<std::pair<uint32_t, std::string>> Matches(const Snapshot& s) {
  RecordBatch batch;
  AddRecord(batch, "dns", {{Role::kDomain, "shared.example"}});
  AddRecord(batch, "dns", {{Role::kDomain, "back.example"}});
  AddRecord(batch, "dns", {{Role::kDomain, "e15abc.example"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "198.51.100.10"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "203.0.17.9"}});
  AddRecord(batch, "dns", {{Role::kDomain, "f14.example"}});
  for (const char* domain :
       {"h9.example", "d12.example", "new1.example", "new2.example", "again.example",
        "later.example", "a16.example", "b16.example", "allowed.example", "h19.example"}) {
    AddRecord(batch, "dns", {{Role::kDomain, domain}});
  }
  AddRecord(batch, "conn", {{Role::kDstIp, "192.0.2.19"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "198.51.100.20"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "198.51.100.30"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "198.51.100.99"}});
  BatchMatcher m;
  std::vector<Match> out;
  EXPECT_TRUE(m.MatchBatch(s, batch, out).ok());
  std::vector<std::pair<uint32_t, std::string>> pairs;
  for (const Match& match : out) pairs.emplace_back(match.record, s.IndicatorId(match.indicator));
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

TEST_F(CompileFromStoreTest, AtOnceGivesTheSnapshotOfKeepingEveryIndicator) {
  ImportMixed();
  CompileReport kept_report;
  std::shared_ptr<const Snapshot> kept = CompileKept(&kept_report);
  for (size_t page_limit : {size_t{3}, store::kMaxPageLimit}) {
    CompileOptions options;
    options.now_us = kNow;
    options.page_limit = page_limit;
    CompileReport report;
    auto s = CompileFromStore(*store_, std::vector<std::string>{collection_}, options, &report);
    ASSERT_TRUE(s.ok()) << s.status();
    ExpectSameSnapshot(**s, *kept);
    ExpectSameCounts(report, kept_report);
    EXPECT_EQ(Matches(**s), Matches(*kept));
    EXPECT_FALSE(Matches(**s).empty());
  }
  EXPECT_EQ(kept_report.objects, 40);
  EXPECT_GT(kept_report.evaluated, 0);
  EXPECT_GT(kept_report.multi, 0);
  EXPECT_GT(kept_report.expired, 0);
  EXPECT_EQ(kept_report.revoked, 4);
}

// A newer version of an indicator already compiled, added while the pages are read: the id
// comes twice, so the compiler reads the collection again, and gives the snapshot of the
// store as it is after the write: the indicator once, with its newer pattern.
TEST_F(CompileFromStoreTest, AWriteDuringTheReadKeepsOneVersionPerId) {
  ImportMixed();
  CompileOptions options;
  options.now_us = kNow;
  options.page_limit = 2;
  bool written = false;
  options.on_progress = [&](int64_t) {
    if (written) return;
    written = true;
    Import(Indicator(1, "[domain-name:value = 'newer.example']", "", "2024-09-01T00:00:00.000Z"));
  };
  CompileReport report;
  auto s = CompileFromStore(*store_, std::vector<std::string>{collection_}, options, &report);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(written);
  CompileReport kept_report;
  std::shared_ptr<const Snapshot> kept = CompileKept(&kept_report);
  ExpectSameSnapshot(**s, *kept);
  ExpectSameCounts(report, kept_report);
  const std::string one = "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000001";
  int seen = 0;
  for (uint32_t i = 0; i < (*s)->indicator_count(); ++i) seen += (*s)->IndicatorId(i) == one;
  EXPECT_EQ(seen, 1);
  RecordBatch batch;
  AddRecord(batch, "dns", {{Role::kDomain, "newer.example"}});
  BatchMatcher m;
  std::vector<Match> out;
  ASSERT_TRUE(m.MatchBatch(**s, batch, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record, 0u);
  EXPECT_EQ((*s)->IndicatorId(out[0].indicator), one);
}

// The set built at `now` against a full compilation of the store at `now`.
void ExpectSetEqualsFullCompile(store::Store& store, const std::vector<std::string>& collections,
                                const IndicatorSet& set, int64_t now,
                                const Allowlist* allowlist = nullptr) {
  CompileOptions options;
  options.now_us = now;
  options.allowlist = allowlist;
  CompileReport full_report, set_report;
  auto full = CompileFromStore(store, collections, options, &full_report);
  ASSERT_TRUE(full.ok()) << full.status();
  auto built = set.Build(options, &set_report);
  ASSERT_TRUE(built.ok()) << built.status();
  ExpectSameSnapshot(**built, **full);
  ExpectSameCounts(set_report, full_report);
  EXPECT_EQ(Matches(**built), Matches(**full));
}

TEST_F(CompileFromStoreTest, AnIndicatorSetBuildsWhatAFullCompilationGives) {
  ImportMixed();
  CompileOptions options;
  options.page_limit = 7;
  auto set = IndicatorSet::Load(*store_, {collection_}, options);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->size(), 40u);
  // Before, at and after valid_until of the 3s (2025-01-01) and 4s (2027-01-01).
  for (int64_t now : {int64_t{1700000000000000}, kNow, int64_t{1735689600000000},
                      int64_t{1798761600000000}, int64_t{1900000000000000}}) {
    SCOPED_TRACE(now);
    ExpectSetEqualsFullCompile(*store_, {collection_}, **set, now);
  }
  // Compiled while read, in one pass.
  CompileOptions at_now;
  at_now.now_us = kNow;
  at_now.page_limit = 7;
  CompileReport loaded_report, full_report;
  auto loaded = IndicatorSet::LoadAndBuild(*store_, {collection_}, at_now, &loaded_report);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto full =
      CompileFromStore(*store_, std::vector<std::string>{collection_}, at_now, &full_report);
  ASSERT_TRUE(full.ok()) << full.status();
  ExpectSameSnapshot(*loaded->snapshot, **full);
  ExpectSameCounts(loaded_report, full_report);
  EXPECT_EQ(Matches(*loaded->snapshot), Matches(**full));
  ExpectSetEqualsFullCompile(*store_, {collection_}, *loaded->set, kNow);
}

TEST_F(CompileFromStoreTest, AnUpdatedIndicatorSetReadsOnlyWhatChanged) {
  ImportMixed();
  auto loaded = IndicatorSet::Load(*store_, {collection_}, CompileOptions{});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  IndicatorSet& set = **loaded;
  // Nothing changed: nothing is listed (no delete), no JSON is read.
  auto same = set.Update(*store_);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->listed);
  EXPECT_EQ(same->scanned, 0);
  EXPECT_EQ(same->read, 0);
  EXPECT_EQ(same->removed, 0);
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);

  // Added: two new indicators; new versions: 1 (another value), 10 (revoked), 20 (a
  // valid_until already past).
  Import(Indicator(41, "[domain-name:value = 'new1.example']") +
         Indicator(42, "[domain-name:value = 'new2.example']",
                   R"(,"valid_until":"2026-01-01T00:00:00Z")"));
  Import(Indicator(1, "[domain-name:value = 'again.example']", "", "2024-07-01T00:00:00.000Z") +
         Indicator(10, "[ipv4-addr:value = '198.51.100.10']", R"(,"revoked":true)",
                   "2024-07-01T00:00:00.000Z") +
         Indicator(20, "[ipv4-addr:value = '198.51.100.20']",
                   R"(,"valid_until":"2025-01-01T00:00:00Z")", "2024-07-01T00:00:00.000Z"));
  auto updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_FALSE(updated->full);
  EXPECT_FALSE(updated->listed) << "no delete since the last read: nothing listed";
  EXPECT_EQ(updated->scanned, 0);
  EXPECT_EQ(updated->read, 5);     // the five entries added, not the 40
  EXPECT_EQ(updated->removed, 3);  // replaced by their new versions
  EXPECT_EQ(set.size(), 42u);
  for (int64_t now : {kNow, int64_t{1767225600000000}, int64_t{1900000000000000}}) {
    SCOPED_TRACE(now);
    ExpectSetEqualsFullCompile(*store_, {collection_}, set, now);
  }

  // Deleted: 12 (revoked already) and 19; an older version of 30 added.
  store::ObjectFilter every;
  every.versions.all = true;
  for (int n : {12, 19}) {
    auto removed = store_->DeleteObject(
        collection_, StrCat("indicator--6c1d0d3e-5b1f-4a57-9d6e-", fmt::format("{:012}", n)),
        every);
    ASSERT_TRUE(removed.ok()) << removed.status();
    ASSERT_EQ(*removed, 1);
  }
  Import(Indicator(30, "[ipv4-addr:value = '198.51.100.99']", "", "2023-06-01T00:00:00.000Z"));
  updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(updated->listed);
  EXPECT_FALSE(updated->full);
  EXPECT_EQ(updated->removed, 2);
  EXPECT_EQ(set.size(), 40u);
  for (int64_t now : {kNow, int64_t{1767225600000000}, int64_t{1900000000000000}}) {
    SCOPED_TRACE(now);
    ExpectSetEqualsFullCompile(*store_, {collection_}, set, now);
  }
  CompileOptions at_now;
  at_now.now_us = kNow;
  auto snapshot = set.Build(at_now, nullptr);
  ASSERT_TRUE(snapshot.ok());
  const auto matches = Matches(**snapshot);
  const auto hit = [&](std::string_view id_tail) {
    return std::any_of(matches.begin(), matches.end(),
                       [&](const auto& m) { return m.second.ends_with(id_tail); });
  };
  EXPECT_TRUE(hit("000000000041"));   // new1.example
  EXPECT_TRUE(hit("000000000001"));   // again.example, the new version
  EXPECT_TRUE(hit("000000000030"));   // its kept, newer version
  EXPECT_FALSE(hit("000000000010"));  // revoked
  EXPECT_FALSE(hit("000000000019"));  // deleted
  EXPECT_FALSE(hit("000000000020"));  // expired with its new version

  // Deleting the latest version of 1 brings the earlier one back, older than the last read:
  // everything is read again, and the set is still what a full compile gives.
  store::ObjectFilter latest;
  latest.versions.exact_ns = {int64_t{1719792000} * 1000000000};
  auto removed =
      store_->DeleteObject(collection_, "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000001", latest);
  ASSERT_TRUE(removed.ok()) << removed.status();
  ASSERT_EQ(*removed, 1);
  auto again = set.Update(*store_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->full);
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);
}

// A delete by another process (here another store object on the file) moves no
// LastDateAdded and no count of this store object, and no count of objects can be trusted to
// show it (a new object in two versions makes up for a deleted one): it moves the store's
// EntriesDeleted, so the Update after it lists the entries and finds it.
TEST_F(CompileFromStoreTest, AnIndicatorSetSeesADeleteByAnotherProcess) {
  ImportMixed();
  auto loaded = IndicatorSet::Load(*store_, {collection_}, CompileOptions{});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  IndicatorSet& set = **loaded;
  Import(
      R"({"type":"identity","spec_version":"2.1","id":"identity--6c1d0d3e-5b1f-4a57-9d6e-000000000001",)"
      R"("created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"x"})"
      "\n" +
      Indicator(1, "[domain-name:value = 'again.example']", "", "2024-07-01T00:00:00.000Z") +
      Indicator(41, "[domain-name:value = 'new1.example']"));
  auto updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->read, 2);
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);

  FakeClock other_clock{kNow + 1000000};
  auto other = store::SqliteStore::Open(path_, other_clock);
  ASSERT_TRUE(other.ok()) << other.status();
  store::ObjectFilter every;
  every.versions.all = true;
  const auto delete_elsewhere = [&](int n, const store::ObjectFilter& which) {
    ASSERT_EQ(
        (*other)
            ->DeleteObject(collection_,
                           StrCat("indicator--6c1d0d3e-5b1f-4a57-9d6e-", fmt::format("{:012}", n)),
                           which)
            .value(),
        1);
  };
  // A delete and a new indicator.
  delete_elsewhere(19, every);
  Import(Indicator(42, "[domain-name:value = 'new2.example']"));
  EXPECT_EQ(store_->LocalDeletes(), 0);
  updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(updated->listed);
  EXPECT_EQ(updated->removed, 1);
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);
  // A delete alone.
  delete_elsewhere(41, every);
  updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->removed, 1);
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);
  // A delete, and a new object in two versions: the collection's count of objects is what
  // it was plus one, as if nothing had been deleted.
  delete_elsewhere(25, every);
  Import(Indicator(43, "[domain-name:value = 'new3.example']", "", "2024-06-01T00:00:00.000Z"));
  Import(Indicator(43, "[domain-name:value = 'new3.example']", "", "2024-07-01T00:00:00.000Z"));
  updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);
  // The latest version of 1 deleted, the earlier one current again: no count moves.
  store::ObjectFilter latest;
  latest.versions.exact_ns = {int64_t{1719792000} * 1000000000};
  delete_elsewhere(1, latest);
  updated = set.Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  ExpectSetEqualsFullCompile(*store_, {collection_}, set, kNow);
}

TEST_F(CompileFromStoreTest, AnIndicatorSetAppliesAllowlistsAndSeveralCollections) {
  ImportMixed();
  const std::string other = store_->CreateCollection({"", "root", "other", "Other", "", 0})->id;
  const std::string first = collection_;
  collection_ = other;
  // In both collections: 9 older than in the first, 16 newer; 50 in the second only.
  Import(Indicator(9, "[domain-name:value = 'older.example']", "", "2024-03-01T00:00:00.000Z") +
         Indicator(16, "[domain-name:value = 'later.example']", "", "2024-08-01T00:00:00.000Z") +
         Indicator(50, "[domain-name:value = 'allowed.example']"));
  collection_ = first;
  Allowlist allowlist;
  allowlist.AddPlainList("allowed.example\nshared.example\n", "benign");
  allowlist.Finish();
  const std::vector<std::string> both = {first, other};
  auto set = IndicatorSet::Load(*store_, both, CompileOptions{});
  ASSERT_TRUE(set.ok()) << set.status();
  ExpectSetEqualsFullCompile(*store_, both, **set, kNow, &allowlist);
  ExpectSetEqualsFullCompile(*store_, both, **set, kNow);
  CompileOptions options;
  options.now_us = kNow;
  options.allowlist = &allowlist;
  CompileReport report;
  ASSERT_TRUE((*set)->Build(options, &report).ok());
  EXPECT_EQ(report.duplicates, 2);
  EXPECT_GT(report.suppressed, 0);
  // A change in the second collection.
  collection_ = other;
  Import(Indicator(51, "[domain-name:value = 'new2.example']"));
  collection_ = first;
  auto updated = (*set)->Update(*store_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->read, 1);
  ExpectSetEqualsFullCompile(*store_, both, **set, kNow, &allowlist);
}

// Issue 26: the compiled-set file. A snapshot written and read back is the one compiled:
// same indicators, tables (lookup_bytes), times, counts and matches, evaluated and
// multi-observation patterns included, with an allowlist applied.
TEST_F(CompileFromStoreTest, ACompiledSetFileReadsBackTheCompiledSnapshot) {
  ImportMixed();
  Allowlist allowlist;
  allowlist.AddPlainList("shared.example\n", "benign");
  allowlist.Finish();
  CompileOptions options;
  options.now_us = kNow;
  options.allowlist = &allowlist;
  CompileReport report;
  auto compiled =
      CompileFromStore(*store_, std::vector<std::string>{collection_}, options, &report);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::string file = PrivateFile();
  ASSERT_TRUE(SnapshotFile::Write(file, "stamp=1\n", **compiled, report).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "readable by the operator only";
  auto read = SnapshotFile::Read(file, "stamp=1\n", kNow + 1);
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectSameSnapshot(*read->snapshot, **compiled);
  ExpectSameCounts(read->report, report);
  EXPECT_EQ(read->report.suppressed, 4);
  EXPECT_EQ(read->snapshot->stats().lookup_bytes, (*compiled)->stats().lookup_bytes);
  EXPECT_EQ(read->snapshot->selected_at_us(), kNow);
  EXPECT_EQ(read->snapshot->strings().size(), (*compiled)->strings().size());
  ASSERT_NE(read->snapshot->patterns(), nullptr);
  EXPECT_EQ(read->snapshot->patterns()->size(), (*compiled)->patterns()->size());
  EXPECT_EQ(read->snapshot->correlations() != nullptr, (*compiled)->correlations() != nullptr);
  const auto matches = Matches(*read->snapshot);
  EXPECT_EQ(matches, Matches(**compiled));
  EXPECT_GT(matches.size(), 3u);
  std::filesystem::remove(file);
}

// Every input the compilation depended on is in the stamp, so any change refuses the file:
// an add, a new version, a revocation, a delete by another process, another allowlist, other
// collections, exercise mode; and the passing of a validity time refuses it by itself.
TEST_F(CompileFromStoreTest, ACompiledSetFileOfOtherInputsIsRefusedWithTheReason) {
  ImportMixed();
  const auto inputs = [&](std::vector<std::string> collections, uint64_t allowlist = 0) {
    CompiledSetInputs in;
    in.collection_ids = std::move(collections);
    in.marks = *StoreMarks::Read(*store_);
    in.allowlist_digest = allowlist;
    return in;
  };
  const CompiledSetInputs first = inputs({collection_});
  CompileReport report;
  auto compiled = CompileNow(report);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::string dir = StrCat(path_, "-cache");
  ASSERT_TRUE(MakeCompiledSetDir(dir).ok());
  const std::string file = CompiledSetPath(dir, first);
  ASSERT_TRUE(SnapshotFile::Write(file, CompiledSetStamp(first), **compiled, report).ok());
  ASSERT_TRUE(SnapshotFile::Read(file, CompiledSetStamp(inputs({collection_})), kNow).ok());
  const auto refused = [&](const CompiledSetInputs& now, int64_t at = kNow) {
    auto r = SnapshotFile::Read(CompiledSetPath(dir, now), CompiledSetStamp(now), at);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string("read") : std::string(r.status().message());
  };
  // Validity: indicator 14's valid_until (2027-01-01) passes.
  ASSERT_EQ((*compiled)->next_change_us(), int64_t{1798761600} * 1000000);
  EXPECT_TRUE(
      SnapshotFile::Read(file, CompiledSetStamp(first), int64_t{1798761600} * 1000000 - 1).ok());
  EXPECT_NE(refused(first, int64_t{1798761600} * 1000000).find("validity time passed"),
            std::string::npos);
  EXPECT_NE(refused(first, kNow - 1).find("validity time passed"), std::string::npos)
      << "a clock before the compilation: its selection is not known to hold";
  // Allowlists.
  EXPECT_NE(refused(inputs({collection_}, 7)).find("allowlists differs"), std::string::npos);
  CompiledSetInputs categories = first;
  categories.allowlist_categories = {"plain"};
  EXPECT_NE(refused(categories).find("allowlists differs"), std::string::npos);
  // Exercise mode and other collections: another file, never this one.
  CompiledSetInputs exercise = first;
  exercise.exercise = true;
  EXPECT_NE(CompiledSetPath(dir, exercise), file);
  EXPECT_NE(refused(exercise).find("no compiled-set file"), std::string::npos);
  const std::string other = store_->CreateCollection({"", "root", "other", "Other", "", 0})->id;
  EXPECT_NE(CompiledSetPath(dir, inputs({collection_, other})), file);
  EXPECT_NE(CompiledSetPath(dir, inputs({other})), file);
  CompiledSetInputs reader = first;
  reader.reader = "someone-else";
  EXPECT_NE(CompiledSetPath(dir, reader), file);
  // The same file read with another selection's stamp (renamed over it) is refused too.
  EXPECT_NE(SnapshotFile::Read(file, CompiledSetStamp(reader), kNow)
                .status()
                .message()
                .find("reader differs"),
            std::string::npos);
  // An add; a new version; a revocation.
  Import(Indicator(41, "[domain-name:value = 'new1.example']"));
  EXPECT_NE(refused(inputs({collection_})).find("store.last_date_added differs"),
            std::string::npos);
  CompiledSetInputs marks = inputs({collection_});
  Import(Indicator(1, "[domain-name:value = 'again.example']", "", "2024-07-01T00:00:00.000Z"));
  EXPECT_NE(inputs({collection_}).marks, marks.marks);
  marks = inputs({collection_});
  Import(Indicator(11, "[domain-name:value = 'shared.example']", R"(,"revoked":true)",
                   "2024-07-01T00:00:00.000Z"));
  EXPECT_NE(inputs({collection_}).marks, marks.marks);
  // A delete by another process moves no LastDateAdded, but the stamp's mark of deletes.
  marks = inputs({collection_});
  FakeClock other_clock{kNow};
  auto elsewhere = store::SqliteStore::Open(path_, other_clock);
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  store::ObjectFilter every;
  every.versions.all = true;
  ASSERT_EQ(
      (*elsewhere)
          ->DeleteObject(collection_, "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000019", every)
          .value(),
      1);
  const CompiledSetInputs after_delete = inputs({collection_});
  EXPECT_EQ(after_delete.marks.last_added, marks.marks.last_added);
  EXPECT_NE(after_delete.marks.deleted, marks.marks.deleted);
  ASSERT_TRUE(SnapshotFile::Write(file, CompiledSetStamp(marks), **compiled, report).ok());
  EXPECT_NE(refused(after_delete).find("store.entries_deleted differs"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// CheckCompiledSetStamp, as `kizuna match` reads the file: writes that compile nothing (an
// object that is not an indicator, an indicator in another collection) leave it current
// though the store's mark moved; an indicator entering the collections, a delete, a file
// newer than the store or other inputs refuse it, and the message says which.
TEST_F(CompileFromStoreTest, ACompiledSetFileStaysCurrentThroughWritesThatCompileNothing) {
  ImportMixed();
  const auto inputs = [&](uint64_t allowlist = 0) {
    CompiledSetInputs in;
    in.collection_ids = {collection_};
    in.marks = *StoreMarks::Read(*store_);
    in.allowlist_digest = allowlist;
    return in;
  };
  const CompiledSetInputs first = inputs();
  CompileReport report;
  auto compiled = CompileNow(report);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::string file = PrivateFile();
  const auto write = [&](const CompiledSetInputs& stamped) {
    ASSERT_TRUE(SnapshotFile::Write(file, CompiledSetStamp(stamped), **compiled, report).ok());
  };
  const auto read = [&](const CompiledSetInputs& now) -> std::string {
    auto r = SnapshotFile::Read(
        file, [&](std::string_view stamp) { return CheckCompiledSetStamp(*store_, now, stamp); },
        kNow);
    return r.ok() ? "read" : std::string(r.status().message());
  };
  write(first);
  EXPECT_EQ(read(inputs()), "read");
  Import(
      R"({"type":"attack-pattern","spec_version":"2.1",)"
      R"("id":"attack-pattern--6c1d0d3e-5b1f-4a57-9d6e-000000000099",)"
      R"("created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Phishing"})"
      "\n");
  EXPECT_NE(inputs().marks, first.marks);
  EXPECT_EQ(read(inputs()), "read");
  const std::string other = store_->CreateCollection({"", "root", "other", "Other", "", 0})->id;
  ingest::ImportOptions import_options;
  import_options.format = stix::DocumentFormat::kJsonLines;
  ingest::Importer elsewhere(*store_, other, import_options);
  ASSERT_TRUE(elsewhere
                  .ImportText("test", Indicator(42, "[domain-name:value = 'o.example']"),
                              stix::Padding::kAbsent)
                  .ok());
  EXPECT_EQ(read(inputs()), "read");
  EXPECT_NE(read(inputs(7)).find("allowlists differs"), std::string::npos);
  CompiledSetInputs newer = inputs();
  newer.marks.last_added += 1'000'000;
  write(newer);
  EXPECT_NE(read(inputs()).find("older than the file's"), std::string::npos);
  write(first);
  Import(Indicator(43, "[domain-name:value = 'new.example']"));
  EXPECT_NE(read(inputs()).find("an indicator entered collection " + collection_),
            std::string::npos);
  write(inputs());
  store::ObjectFilter every;
  every.versions.all = true;
  ASSERT_EQ(
      store_->DeleteObject(other, "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000042", every).value(),
      1);
  EXPECT_NE(read(inputs()).find("entries were deleted since"), std::string::npos)
      << "a delete anywhere refuses it (the mark is node-wide)";
  std::filesystem::remove(file);
}

// A store restored from a backup, which then deletes as many entries as the original did
// since the backup, reaches another delete mark (it is random, not a count): a file
// compiled from the original is refused. A file compiled from another store is refused
// too (store.id), whatever its marks.
TEST_F(CompileFromStoreTest, ARestoredStoreRefusesAFileOfTheOriginal) {
  ImportMixed();
  const auto inputs = [&] {
    CompiledSetInputs in;
    in.collection_ids = {collection_};
    in.store_id = *store::StoreId(*store_);
    in.marks = *StoreMarks::Read(*store_);
    return in;
  };
  const auto read = [&](const std::string& file, const CompiledSetInputs& now) -> std::string {
    auto r = SnapshotFile::Read(
        file, [&](std::string_view stamp) { return CheckCompiledSetStamp(*store_, now, stamp); },
        kNow);
    return r.ok() ? "read" : std::string(r.status().message());
  };
  store::ObjectFilter every;
  every.versions.all = true;
  const auto remove = [&](int n) {
    ASSERT_EQ(store_
                  ->DeleteObject(collection_,
                                 fmt::format("indicator--6c1d0d3e-5b1f-4a57-9d6e-{:012}", n), every)
                  .value(),
              1);
  };
  // The backup, taken with the store closed.
  store_.reset();
  const std::string backup = path_ + ".backup";
  std::filesystem::copy_file(path_, backup, std::filesystem::copy_options::overwrite_existing);
  auto reopen = [&] {
    auto s = store::SqliteStore::Open(path_, clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  };
  reopen();
  remove(20);  // the original deletes one indicator, then compiles
  const CompiledSetInputs original = inputs();
  CompileReport report;
  auto compiled = CompileNow(report);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::string file = PrivateFile();
  ASSERT_TRUE(SnapshotFile::Write(file, CompiledSetStamp(original), **compiled, report).ok());
  EXPECT_EQ(read(file, inputs()), "read");
  // Restored, the store deletes another indicator: as many deletes as the original made.
  store_.reset();
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  std::filesystem::copy_file(backup, path_, std::filesystem::copy_options::overwrite_existing);
  reopen();
  EXPECT_EQ(*store::StoreId(*store_), original.store_id) << "a restored backup is the same store";
  remove(30);
  const CompiledSetInputs restored = inputs();
  EXPECT_EQ(restored.marks.last_added, original.marks.last_added);
  EXPECT_NE(restored.marks.deleted, original.marks.deleted);
  EXPECT_NE(read(file, restored).find("store.entries_deleted differs"), std::string::npos);
  // A file of another store, read with this store's marks but its own id, is refused.
  CompiledSetInputs other = restored;
  other.store_id = restored.store_id + 1;
  ASSERT_TRUE(SnapshotFile::Write(file, CompiledSetStamp(other), **compiled, report).ok());
  EXPECT_NE(read(file, restored).find("store.id differs"), std::string::npos);
  std::filesystem::remove(backup);
  std::filesystem::remove(file);
}

// A file that is missing, truncated, damaged, not a compiled-set file, of another format
// version or of another build is refused (never read), and the message says which.
TEST_F(CompileFromStoreTest, ADamagedCompiledSetFileIsRefusedWithTheReason) {
  ImportMixed();
  CompileReport report;
  auto compiled = CompileNow(report);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::string file = PrivateFile();
  const auto write = [&] {
    ASSERT_TRUE(SnapshotFile::Write(file, "s=1\n", **compiled, report).ok());
  };
  const auto contents = [&] {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto put = [&](const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
  };
  const auto refusal = [&] {
    auto r = SnapshotFile::Read(file, "s=1\n", kNow);
    EXPECT_FALSE(r.ok());
    return r.status();
  };
  std::filesystem::remove(file);
  EXPECT_EQ(refusal().code(), absl::StatusCode::kNotFound);
  write();
  const std::string good = contents();
  ASSERT_GT(good.size(), 1000u);
  // Truncated anywhere: in the body, in the header.
  for (size_t keep : {good.size() - 1, good.size() / 2, size_t{30}, size_t{5}}) {
    SCOPED_TRACE(keep);
    put(good.substr(0, keep));
    const absl::Status s = refusal();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_TRUE(s.message().find("truncated") != std::string::npos ||
                s.message().find("not a compiled-set file") != std::string::npos)
        << s;
  }
  put(good + "x");
  EXPECT_NE(refusal().message().find("longer than its header says"), std::string::npos);
  // A byte of the tables changed.
  uint32_t stamp_size = 0;
  std::memcpy(&stamp_size, good.data() + 12, 4);
  std::string damaged = good;
  damaged[16 + stamp_size + 32 + 8 + 3] ^= 0x5a;  // in the first indicator's id
  put(damaged);
  EXPECT_EQ(refusal().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(refusal().message().find("damaged"), std::string::npos) << refusal();
  // Something else entirely.
  put(std::string(4096, 'k'));
  EXPECT_NE(refusal().message().find("not a compiled-set file"), std::string::npos);
  // Another format version.
  std::string version = good;
  version[8] = static_cast<char>(SnapshotFile::kFormatVersion + 1);
  put(version);
  EXPECT_EQ(refusal().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refusal().message().find("format version"), std::string::npos);
  // Another build: its build id differs.
  std::string build = good;
  const size_t at = build.find("build=") + 6;
  build[at] = build[at] == '0' ? '1' : '0';
  put(build);
  EXPECT_NE(refusal().message().find("another build"), std::string::npos);
  // Only a regular file of this user, mode 0600, in a folder no other user may write to:
  // never a FIFO (which would block the start), a link, or a file others could have written.
  const auto private_refusal = [&] {
    const absl::Status s = refusal();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    return std::string(s.message());
  };
  std::filesystem::remove(file);
  ASSERT_EQ(::mkfifo(file.c_str(), 0600), 0);
  EXPECT_NE(private_refusal().find("not a regular file"), std::string::npos);
  std::filesystem::remove(file);
  write();
  std::filesystem::rename(file, file + ".real");
  std::filesystem::create_symlink(file + ".real", file);
  EXPECT_NE(refusal().message().find(file), std::string::npos) << "a link is not followed";
  EXPECT_FALSE(SnapshotFile::Read(file, "s=1\n", kNow).ok());
  std::filesystem::remove(file);
  std::filesystem::rename(file + ".real", file);
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  EXPECT_NE(private_refusal().find("mode 0600"), std::string::npos);
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  const std::string folder = std::filesystem::path(file).parent_path().string();
  struct stat was {};
  ASSERT_EQ(::stat(folder.c_str(), &was), 0);
  ASSERT_EQ(::chmod(folder.c_str(), 0777), 0);
  EXPECT_NE(private_refusal().find("only it may write to"), std::string::npos);
  EXPECT_FALSE(SnapshotFile::Write(file, "s=1\n", **compiled, report).ok()) << "nor written there";
  ASSERT_EQ(::chmod(folder.c_str(), was.st_mode & 07777), 0);
  // A temporary file left by a process of the same id does not stop the next write.
  {
    std::ofstream left(StrCat(file, ".", ::getpid(), ".new"));
    left << "left";
  }
  // Written again, it is read.
  write();
  EXPECT_TRUE(SnapshotFile::Read(file, "s=1\n", kNow).ok());
  std::filesystem::remove(file);
}

// The folder holds a bounded number of files: the most recently written are kept.
TEST_F(CompileFromStoreTest, CompiledSetFilesAreBounded) {
  const std::string dir = StrCat(path_, "-bounded");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(MakeCompiledSetDir(dir).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const auto now = std::filesystem::file_time_type::clock::now();
  for (int i = 0; i < 6; ++i) {
    const std::string f = StrCat(dir, "/", i, ".kzset");
    std::ofstream(f) << i;
    std::filesystem::last_write_time(f, now - std::chrono::minutes(10 - i));
  }
  std::ofstream(StrCat(dir, "/left.kzset.1.new")) << "x";
  std::filesystem::last_write_time(StrCat(dir, "/left.kzset.1.new"), now - std::chrono::hours(2));
  ASSERT_TRUE(PruneCompiledSets(dir, 4).ok());
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"2.kzset", "3.kzset", "4.kzset", "5.kzset"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kizuna::detect
