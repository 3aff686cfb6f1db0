// Kizuna.
#include "kizuna/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <tuple>

#include "kizuna/base/file.h"
#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/store_id.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

constexpr int64_t kStart = 1700000000000000;  // 2023-11-14, in microseconds
const Writer kAlice{WriterKind::kUser, "alice", "identity--0a000000-0000-4000-8000-00000000000a"};

enum class Backend { kSqlite, kPostgres };

// The Store cases run once per backend (TEST_P); SqliteStoreTest (TEST_F) holds the cases of
// the SQLite store's own machinery (id runs, migrations, damaged pages).
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  virtual Backend backend() const { return GetParam(); }
  void SetUp() override {
    if (backend() == Backend::kPostgres) {
      if (!PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
      pg_database_.emplace();
    }
    Open();
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    auto c = store_->CreateCollection({"", "root", "intel", "Intel", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = c->id;
  }
  // Another store on the same database, as another process would open it.
  absl::StatusOr<std::unique_ptr<Store>> OpenAnother() {
    if (backend() == Backend::kPostgres) {
      KZ_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s, PgStore::Open(pg_database_->url(), clock_));
      return std::unique_ptr<Store>(std::move(s));
    }
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> s, SqliteStore::Open(dir_.File("kizuna.db"), clock_));
    return std::unique_ptr<Store>(std::move(s));
  }
  void Open() {
    store_.reset();
    auto s = OpenAnother();
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  // The audit log (actor, action, target and time of each event), oldest first.
  absl::StatusOr<std::vector<AuditEvent>> Audit() {
    if (backend() == Backend::kSqlite) return dynamic_cast<SqliteStore&>(*store_).ReadAudit({});
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> db, pg::Connection::Open(pg_database_->url()));
    KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("read the audit log",
                                              "SELECT time_us, actor, action, target FROM audit_log ORDER BY seq"));
    std::vector<AuditEvent> events;
    for (int i = 0; i < r.rows(); ++i) {
      AuditEvent e;
      e.seq = i + 1;
      e.time_us = r.Int(i, 0);
      e.actor = r.Text(i, 1);
      e.action = r.Text(i, 2);
      e.target = r.Text(i, 3);
      events.push_back(std::move(e));
    }
    return events;
  }
  std::vector<AddResult> Add(std::vector<std::string> jsons) {
    std::vector<NewObject> batch;
    for (auto& j : jsons) batch.push_back(objects_.Make(std::move(j)));
    auto r = store_->AddObjects(collection_, batch);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<AddResult>{};
  }
  Page Get(PageRequest request = {}) {
    auto page = store_->GetObjects(collection_, request);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : Page{};
  }
  static std::vector<std::string> Versions(const Page& page) {
    std::vector<std::string> out;
    for (const auto& o : page.objects) out.push_back(StrCat(o.id.substr(o.id.size() - 4), "@", o.version));
    return out;
  }

  TempDir dir_;
  std::optional<PgTestDatabase> pg_database_;
  FakeClock clock_{kStart};
  Objects objects_;
  std::unique_ptr<Store> store_;
  std::string collection_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                           return param.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

class SqliteStoreTest : public StoreTest {
 protected:
  Backend backend() const override { return Backend::kSqlite; }
};

TEST_P(StoreTest, AddedObjectsComeBackInOrderWithExactJson) {
  std::string a = Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(, "x_custom": {"k": [1, 2.50]})");
  std::string b = Indicator("000000000002", "2016-01-01T00:00:00.000Z");
  auto results = Add({a, b});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, AddOutcome::kAdded);
  // The clock does not move, yet date_added strictly increases.
  EXPECT_EQ(results[0].date_added_us, kStart);
  EXPECT_EQ(results[1].date_added_us, kStart + 1);
  Page page = Get();
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].json, a);
  EXPECT_EQ(page.objects[1].json, b);
  EXPECT_EQ(page.objects[0].type, "indicator");
  EXPECT_EQ(page.objects[0].version, "2016-01-01T00:00:00.000Z");
  EXPECT_FALSE(page.more);
}

// The console's sightings page bounds the window it reads through the released read with the
// n-th newest current sighting before a time: one indexed read on either store, counting
// current versions only (an older version of a sighting is not one more sighting).
TEST_P(StoreTest, TheNthNewestCurrentObjectOfATypeBeforeATime) {
  auto sighting = [](std::string_view n, std::string_view modified) {
    return StrCat(
        R"({"type":"sighting","spec_version":"2.1","id":"sighting--8e2e2d2b-17d4-4cbf-938f-)", n,
        R"(","created":"2016-01-01T00:00:00.000Z","modified":")", modified,
        R"(","sighting_of_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-000000000001"})");
  };
  std::vector<int64_t> at;  // date_added of each write below
  for (const std::string& json : {Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
                                  sighting("000000000001", "2016-01-01T00:00:00.000Z"),
                                  sighting("000000000002", "2016-01-01T00:00:00.000Z"),
                                  Indicator("000000000002", "2016-01-01T00:00:00.000Z"),
                                  sighting("000000000003", "2016-01-01T00:00:00.000Z"),
                                  sighting("000000000002", "2016-02-01T00:00:00.000Z")}) {
    clock_.Advance(1000);
    std::vector<AddResult> r = Add({json});
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].outcome, AddOutcome::kAdded);
    at.push_back(r[0].date_added_us);
  }
  auto nth = [&](std::string_view type, int64_t before_us, int64_t n) {
    absl::StatusOr<int64_t> found = store_->NthNewestCurrent(collection_, type, before_us, n);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.value_or(-1);
  };
  const int64_t kAll = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(nth("sighting", kAll, 1), at[5]) << "the newest version of sighting 2";
  EXPECT_EQ(nth("sighting", kAll, 2), at[4]);
  EXPECT_EQ(nth("sighting", kAll, 3), at[1]) << "sighting 2's first version is not current";
  EXPECT_EQ(nth("sighting", kAll, 4), 0) << "three sightings";
  EXPECT_EQ(nth("sighting", at[4], 1), at[1]) << "added before sighting 3";
  EXPECT_EQ(nth("sighting", at[1], 1), 0);
  EXPECT_EQ(nth("indicator", kAll, 1), at[3]);
  EXPECT_EQ(nth("malware", kAll, 1), 0);
  EXPECT_EQ(store_->NthNewestCurrent(collection_, "sighting", kAll, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_
                ->NthNewestCurrent("collection--0a000000-0000-4000-8000-0000000000ff", "sighting",
                                   kAll, 1)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreTest, SameVersionTwiceIsANoOpAndDifferentContentIsRejected) {
  std::string a = Indicator("000000000001", "2016-01-01T00:00:00.000Z");
  auto first = Add({a});
  auto again = Add({a});
  EXPECT_EQ(again[0].outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(again[0].date_added_us, first[0].date_added_us);
  // Same content with other whitespace and member order: still the same version.
  std::string reordered = R"({ "pattern_type": "stix", "type": "indicator", "spec_version": "2.1",
      "id": "indicator--8e2e2d2b-17d4-4cbf-938f-000000000001", "created": "2016-01-01T00:00:00.000Z",
      "modified": "2016-01-01T00:00:00.000Z", "pattern": "[file:name = 'x']",
      "valid_from": "2016-01-01T00:00:00Z" })";
  EXPECT_EQ(Add({reordered})[0].outcome, AddOutcome::kAlreadyPresent);
  // Same id and modified, other content: rejected, and the stored object is unchanged.
  std::string changed = Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(, "name": "other")");
  AddResult conflict = Add({changed})[0];
  EXPECT_EQ(conflict.outcome, AddOutcome::kConflict);
  EXPECT_EQ(conflict.date_added_us, first[0].date_added_us) << "the stored version it conflicts with";
  Page page = Get();
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].json, a);
}

TEST_P(StoreTest, ARecordedWriteSavesItsStatusAndAuditWithTheObjects) {
  NewObject a = objects_.Make(Indicator("000000000001", "2016-01-01T00:00:00.000Z"));
  const RecordAdd record = [&](std::span<const AddResult> results) -> absl::StatusOr<AddRecords> {
    AddRecords r;
    r.status = {"status-1", "root", "org", kStart, 1, 1, 0, 0, "\"successes\":[],\"failures\":[]"};
    EXPECT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, AddOutcome::kAdded);
    std::string_view id = a.index->id;
    r.audit.push_back(ObjectsAddedEvent("alice", "192.0.2.1", collection_, {&id, 1}));
    return r;
  };
  ASSERT_TRUE(store_->AddObjectsRecorded(collection_, std::vector<NewObject>{a}, kAlice, record).ok());
  EXPECT_EQ(Get().objects.size(), 1u);
  absl::StatusOr<StatusRecord> status = store_->GetStatus("root", "status-1");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->success_count, 1);
  absl::StatusOr<std::vector<AuditEvent>> audit = Audit();
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "object.add");
  EXPECT_EQ((*audit)[0].time_us, kStart) << "stamped with the write's time";
}

TEST_P(StoreTest, ARecordedWriteFailsWholeWhenItsRecordsFail) {
  NewObject a = objects_.Make(Indicator("000000000001", "2016-01-01T00:00:00.000Z"));
  std::vector<NewObject> batch{a};
  const RecordAdd fails = [](std::span<const AddResult>) -> absl::StatusOr<AddRecords> {
    return absl::InternalError("policy unavailable");
  };
  EXPECT_EQ(store_->AddObjectsRecorded(collection_, batch, kAlice, fails).status().code(), absl::StatusCode::kInternal);
  const RecordAdd bad_status = [](std::span<const AddResult>) -> absl::StatusOr<AddRecords> {
    AddRecords r;
    r.status = {"status-2", "root", "org", kStart, 1, 0, 0, 0, ""};  // counts do not add up
    return r;
  };
  EXPECT_EQ(store_->AddObjectsRecorded(collection_, batch, kAlice, bad_status).status().code(),
            absl::StatusCode::kInvalidArgument);
  const RecordAdd bad_audit = [](std::span<const AddResult>) -> absl::StatusOr<AddRecords> {
    AddRecords r;
    r.status = {"status-3", "root", "org", kStart, 1, 1, 0, 0, ""};
    r.audit.push_back({});  // no actor, no action
    return r;
  };
  EXPECT_EQ(store_->AddObjectsRecorded(collection_, batch, kAlice, bad_audit).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Get().objects.empty()) << "no object of a cancelled write is kept";
  EXPECT_FALSE(store_->GetStatus("root", "status-3").ok());
  EXPECT_TRUE(Audit()->empty());
}

TEST_P(StoreTest, ARecordedDeleteSavesItsAuditEntryInItsTransaction) {
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"), Indicator("000000000001", "2016-02-01T00:00:00.000Z")});
  const std::string id = IndicatorId("000000000001");
  ObjectFilter all;
  all.versions.all = true;
  const RecordDelete fails = [](int64_t) -> absl::StatusOr<AuditEvent> {
    return absl::InternalError("audit unavailable");
  };
  EXPECT_EQ(store_->DeleteObjectRecorded(collection_, id, all, fails).status().code(), absl::StatusCode::kInternal);
  const RecordDelete bad = [](int64_t) -> absl::StatusOr<AuditEvent> { return AuditEvent{}; };
  EXPECT_EQ(store_->DeleteObjectRecorded(collection_, id, all, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetVersions(collection_, id, {})->objects.size(), 2u) << "a cancelled delete removes nothing";
  EXPECT_TRUE(Audit()->empty());

  int64_t seen = -1;
  const RecordDelete record = [&](int64_t removed) -> absl::StatusOr<AuditEvent> {
    seen = removed;
    return ObjectDeletedEvent("alice", "192.0.2.1", "", collection_, id, removed);
  };
  EXPECT_EQ(*store_->DeleteObjectRecorded(collection_, id, all, record), 2);
  EXPECT_EQ(seen, 2);
  EXPECT_TRUE(store_->GetVersions(collection_, id, {})->objects.empty());
  absl::StatusOr<std::vector<AuditEvent>> audit = Audit();
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "object.delete");
  EXPECT_EQ((*audit)[0].time_us, kStart) << "stamped with the delete's time";
  // Nothing removed, nothing recorded.
  seen = -1;
  EXPECT_EQ(*store_->DeleteObjectRecorded(collection_, id, all, record), 0);
  EXPECT_EQ(seen, -1);
  EXPECT_EQ(Audit()->size(), 1u);
}

TEST_P(StoreTest, ConflictIsCheckedAcrossCollections) {
  auto other = store_->CreateCollection({"", "root", "other", "Other", "", 0});
  ASSERT_TRUE(other.ok());
  NewObject a = objects_.Make(Indicator("000000000001", "2016-01-01T00:00:00.000Z"));
  ASSERT_TRUE(store_->AddObjects(other->id, std::vector<NewObject>{a}).ok());
  std::string changed = Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(, "name": "n")");
  AddResult elsewhere = Add({changed})[0];
  EXPECT_EQ(elsewhere.outcome, AddOutcome::kConflict);
  EXPECT_EQ(elsewhere.date_added_us, 0) << "held by another collection only";
  AddResult added = Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0];
  EXPECT_EQ(added.outcome, AddOutcome::kAdded);
  AddResult here = Add({changed})[0];
  EXPECT_EQ(here.outcome, AddOutcome::kConflict);
  EXPECT_EQ(here.date_added_us, added.date_added_us);
}

TEST_P(StoreTest, VersionFilters) {
  // Versions arrive out of order: v2, v1, v3.
  Add({Indicator("000000000001", "2016-02-01T00:00:00.000Z"), Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
       Indicator("000000000001", "2016-03-01T00:00:00.000Z"), Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(Versions(Get()), (std::vector<std::string>{"0001@2016-03-01T00:00:00.000Z", "0002@2016-01-01T00:00:00.000Z"}));
  PageRequest first;
  first.filter.versions = {.first = true, .last = false, .all = false, .exact_ns = {}};
  EXPECT_EQ(Versions(Get(first)), (std::vector<std::string>{"0001@2016-01-01T00:00:00.000Z", "0002@2016-01-01T00:00:00.000Z"}));
  PageRequest all;
  all.filter.versions = {.first = false, .last = false, .all = true, .exact_ns = {}};
  EXPECT_EQ(Get(all).objects.size(), 4u);
  PageRequest both;
  both.filter.versions = {.first = true, .last = true, .all = false, .exact_ns = {}};
  both.filter.ids = {IndicatorId("000000000001")};
  EXPECT_EQ(Versions(Get(both)), (std::vector<std::string>{"0001@2016-01-01T00:00:00.000Z", "0001@2016-03-01T00:00:00.000Z"}));
  PageRequest exact;
  exact.filter.versions = {.first = false, .last = false, .all = false,
                           .exact_ns = {*stix::ParseTimestamp("2016-02-01T00:00:00Z")->Nanos()}};
  EXPECT_EQ(Versions(Get(exact)), (std::vector<std::string>{"0001@2016-02-01T00:00:00.000Z"}));
}

TEST_P(StoreTest, SpecVersionsAreSelectedSeparately) {
  std::string v20 = R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-000000000001","created":"2016-01-01T00:00:00.000Z","modified":"2017-01-01T00:00:00.000Z","labels":["x"],"pattern":"[file:name = 'x']","valid_from":"2016-01-01T00:00:00Z"})";
  Add({v20, Indicator("000000000001", "2016-06-01T00:00:00.000Z")});
  Page page = Get();
  ASSERT_EQ(page.objects.size(), 1u);  // only the highest spec version held
  EXPECT_EQ(page.objects[0].spec_version, stix::SpecVersion::k21);
  PageRequest only20;
  only20.filter.spec_versions = {stix::SpecVersion::k20};
  Page p20 = Get(only20);
  ASSERT_EQ(p20.objects.size(), 1u);
  EXPECT_EQ(p20.objects[0].json, v20);
  PageRequest both;
  both.filter.spec_versions = {stix::SpecVersion::k20, stix::SpecVersion::k21};
  EXPECT_EQ(Get(both).objects.size(), 2u);
}

TEST_P(StoreTest, IdTypeAndAddedAfterFilters) {
  auto r = Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
                R"({"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","is_family":true,"name":"m"})",
                Indicator("000000000003", "2016-01-01T00:00:00.000Z")});
  PageRequest types;
  types.filter.types = {"malware"};
  ASSERT_EQ(Get(types).objects.size(), 1u);
  PageRequest ids;
  ids.filter.ids = {IndicatorId("000000000003"), IndicatorId("000000000001"), "indicator--nope"};
  EXPECT_EQ(Get(ids).objects.size(), 2u);
  PageRequest after;
  after.filter.added_after_us = r[0].date_added_us;  // strictly later
  EXPECT_EQ(Get(after).objects.size(), 2u);
  after.filter.added_after_us = r[2].date_added_us;
  EXPECT_TRUE(Get(after).objects.empty());
}

TEST_P(StoreTest, APageReadIntoAnotherGivesWhatAFreshOneDoes) {
  // Issue 24: GetObjectsInto reads into the buffers of the page before; nothing of that page
  // may stay behind (a null column of the new entry is empty, not the old entry's value).
  Add({R"({"type":"indicator","spec_version":"2.1","id":"indicator--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0071","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","created_by_ref":"identity--0a000000-0000-4000-8000-00000000000a","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],"pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"})",
       R"({"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0072","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","is_family":true,"name":"m"})"});
  PageRequest first;
  first.limit = 1;
  Page reused;
  ASSERT_TRUE(store_->GetObjectsInto(collection_, first, WithJson::kYes, reused).ok());
  ASSERT_EQ(reused.objects.size(), 1u);
  EXPECT_FALSE(reused.objects[0].markings.empty());
  PageRequest second = first;
  second.after = reused.next;
  second.limit = 5;
  ASSERT_TRUE(store_->GetObjectsInto(collection_, second, WithJson::kYes, reused).ok());
  Page fresh = Get(second);
  ASSERT_EQ(reused.objects.size(), 1u);
  ASSERT_EQ(fresh.objects.size(), 1u);
  const StoredObject &a = reused.objects[0], &b = fresh.objects[0];
  EXPECT_EQ(std::tie(a.id, a.type, a.version, a.version_ns, a.date_added_us, a.created_by_ref, a.revoked,
                     a.markings, a.granular_refs, a.origin, a.added_by, a.added_by_nation, a.single_version, a.json),
            std::tie(b.id, b.type, b.version, b.version_ns, b.date_added_us, b.created_by_ref, b.revoked,
                     b.markings, b.granular_refs, b.origin, b.added_by, b.added_by_nation, b.single_version, b.json));
  EXPECT_TRUE(a.markings.empty());
  EXPECT_TRUE(a.created_by_ref.empty());
  EXPECT_EQ((std::tie(reused.more, reused.next.after_date_added_us)),
            (std::tie(fresh.more, fresh.next.after_date_added_us)));
}

TEST_P(StoreTest, PaginationIsStableWhileWritesContinue) {
  for (int i = 0; i < 5; ++i) Add({Indicator(StrCat("00000000000", i), "2016-01-01T00:00:00.000Z")});
  PageRequest request;
  request.limit = 2;
  Page p1 = Get(request);
  EXPECT_EQ(p1.objects.size(), 2u);
  EXPECT_TRUE(p1.more);
  // A new object and a new version of an object already paged arrive between pages.
  Add({Indicator("000000000009", "2016-01-01T00:00:00.000Z"), Indicator("000000000000", "2017-01-01T00:00:00.000Z")});
  std::vector<std::string> seen;
  for (auto& o : p1.objects) seen.push_back(o.id + "@" + o.version);
  request.after = p1.next;
  for (;;) {
    Page p = Get(request);
    for (auto& o : p.objects) seen.push_back(o.id + "@" + o.version);
    if (!p.more) break;
    request.after = p.next;
  }
  // Every object once per version seen, nothing lost: 5 + 1 new + the new version of 0000.
  EXPECT_EQ(seen.size(), 7u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST_P(StoreTest, GetObjectVersionsAndDelete) {
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"), Indicator("000000000001", "2016-02-01T00:00:00.000Z"),
       Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  std::string id = IndicatorId("000000000001");
  PageRequest request;
  auto one = store_->GetObject(collection_, id, request);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->objects.size(), 1u);
  EXPECT_EQ(one->objects[0].version, "2016-02-01T00:00:00.000Z");
  auto versions = store_->GetVersions(collection_, id, request);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->objects.size(), 2u);
  EXPECT_TRUE(versions->objects[0].json.empty());

  // Deleting the last version makes the first one current again.
  ObjectFilter last;
  auto deleted = store_->DeleteObject(collection_, id, last);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  one = store_->GetObject(collection_, id, request);
  ASSERT_EQ(one->objects.size(), 1u);
  EXPECT_EQ(one->objects[0].version, "2016-01-01T00:00:00.000Z");
  ObjectFilter all;
  all.versions.all = true;
  EXPECT_EQ(*store_->DeleteObject(collection_, id, all), 1);
  EXPECT_EQ(*store_->DeleteObject(collection_, id, all), 0);
  EXPECT_TRUE(store_->GetObject(collection_, id, request)->objects.empty());
  EXPECT_EQ(*store_->CountObjects(collection_), 1);
  // The deleted version can be added again.
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAdded);
}

// The first column of the first row of `sql`, read through a connection of its own.
int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  auto db = Connection::Open(db_path, /*read_only=*/true);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return -1;
  auto st = (*db)->Cached(sql);
  EXPECT_TRUE(st.ok() && *(*st)->Step()) << sql;
  return st.ok() ? (*st)->Int(0) : -1;
}

int64_t CountRows(const std::string& db_path, const std::string& table) {
  return QueryInt(db_path, StrCat("SELECT count(*) FROM ", table));
}

// The (id_hash, date_added_us) pairs held in the chunks of the runs `where` selects.
int64_t Pairs(const std::string& db_path, const std::string& where = "1") {
  return QueryInt(
      db_path,
      StrCat("SELECT coalesce(sum(length(ids)), 0) / 16 FROM entry_id_chunks WHERE ", where));
}

TEST_F(SqliteStoreTest, ClosingIdleReadersGivesBackTheirPageCaches) {
  const std::string description = StrCat(R"(, "description": ")", std::string(4000, 'x'), R"(")");
  std::vector<std::string> objects;
  for (int i = 0; i < 2000; ++i) {
    objects.push_back(Indicator(StrCat(100000000000 + i), "2016-01-01T00:00:00.000Z", description));
  }
  Add(objects);
  PageRequest request;
  request.limit = 1000;
  size_t read = 0;
  for (;;) {
    auto page = store_->GetObjects(collection_, request);
    ASSERT_TRUE(page.ok()) << page.status();
    read += page->objects.size();
    if (!page->more) break;
    request.after = page->next;
  }
  ASSERT_EQ(read, 2000u);
  const int64_t cached = sqlite3_memory_used();
  dynamic_cast<SqliteStore&>(*store_).CloseIdleReaders();
  EXPECT_LT(sqlite3_memory_used(), cached - (4 << 20)) << "the readers' page caches (8 MB of objects) stayed";
  EXPECT_EQ(*store_->CountObjects(collection_), 2000) << "reads open connections again";
}

TEST_F(SqliteStoreTest, IdLookupsFindEntriesInEveryRunAndAfterMergesAndCompactions) {
  static_assert(sqlite_internal::kMaxIdRuns == 8 && sqlite_internal::kMergedRun == 0,
                "the scenario below fills runs 1 to 8");
  const std::string db = dir_.File("kizuna.db");
  const std::string id = IndicatorId("000000000001");
  auto add_many = [&](int64_t first, int64_t count) {
    std::vector<std::string> batch;
    for (int64_t i = first; i < first + count; ++i) {
      batch.push_back(Indicator(StrCat(100000000000 + i), "2016-01-01T00:00:00.000Z"));
    }
    Add(batch);
  };
  auto in_run = [&](int run) { return Pairs(db, StrCat("run = ", run)); };
  auto compacted = [&] { return CountRows(db, "entry_id_compacted"); };
  // Each write transaction writes its ids as the next run.
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")});
  add_many(0, 300);
  for (int64_t i = 0; i < 6; ++i) add_many(300 + i, 1);
  EXPECT_EQ(in_run(1), 1);
  EXPECT_EQ(in_run(2), 300);
  EXPECT_EQ(in_run(8), 1);
  EXPECT_EQ(in_run(0), 0);
  // The runs are all taken and hold the store's every id: the next write merges them.
  add_many(306, 1);
  EXPECT_EQ(in_run(0), 307);
  EXPECT_EQ(Pairs(db, "run > 0"), 1);
  // Now the runs hold less than a 24th of the ids: the next write compacts them.
  Add({Indicator("000000000001", "2016-02-01T00:00:00.000Z")});
  for (int64_t i = 0; i < 6; ++i) add_many(307 + i, 1);
  Add({Indicator("000000000001", "2016-03-01T00:00:00.000Z")});
  EXPECT_EQ(in_run(0), 307);
  EXPECT_EQ(compacted(), 8);
  EXPECT_EQ(in_run(1), 1);
  // The three versions of `id` are in run 0, entry_id_compacted and run 1.
  PageRequest request;
  EXPECT_EQ(store_->GetVersions(collection_, id, request)->objects.size(), 3u);
  EXPECT_EQ(store_->GetObject(collection_, id, request)->objects.at(0).version,
            "2016-03-01T00:00:00.000Z");
  Open();  // the id filter is rebuilt from the chunks and entry_id_compacted
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(, "name": "n")")})[0].outcome,
            AddOutcome::kConflict);
  EXPECT_EQ(Add({Indicator("000000000001", "2016-02-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Add({Indicator("000000000001", "2016-03-01T00:00:00.000Z")})[0].outcome,
            AddOutcome::kAlreadyPresent);
  EXPECT_EQ(in_run(2), 0);  // writes that add nothing take no run

  // Deleting leaves the pairs where they are, to be dropped by the next merge.
  ObjectFilter all;
  all.versions.all = true;
  EXPECT_EQ(*store_->DeleteObject(collection_, id, all), 3);
  EXPECT_TRUE(store_->GetObject(collection_, id, request)->objects.empty());
  EXPECT_EQ(store_->GetVersions(collection_, id, request)->objects.size(), 0u);
  EXPECT_EQ(Pairs(db) + compacted(), 316);
  EXPECT_EQ(CountRows(db, "entry_id_deleted"), 3);
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAdded);
  EXPECT_EQ(store_->GetVersions(collection_, id, request)->objects.size(), 1u);

  // Writes go on until a merge: it leaves the deleted entries out.
  for (int64_t i = 0; i < 80 && CountRows(db, "entry_id_deleted") > 0; ++i) add_many(400 + i, 1);
  EXPECT_EQ(CountRows(db, "entry_id_deleted"), 0);
  EXPECT_EQ(compacted(), 0);
  EXPECT_EQ(Pairs(db), CountRows(db, "entries"));
  EXPECT_EQ(store_->GetVersions(collection_, id, request)->objects.size(), 1u);
  EXPECT_EQ(store_->GetObject(collection_, IndicatorId(StrCat(100000000000 + 50)), request)
                ->objects.size(),
            1u);
}

TEST_F(SqliteStoreTest, CompactingSmallRunsMovesOnlyTheirIds) {
  // A hundred writes of one object each into a store of 2,000: the runs never hold an eighth
  // of the store, so they are compacted, and what was compacted before is not rewritten.
  std::vector<std::string> batch;
  for (int64_t i = 0; i < 2000; ++i)
    batch.push_back(Indicator(StrCat(100000000000 + i), "2016-01-01T00:00:00.000Z"));
  Add(batch);
  const std::string db = dir_.File("kizuna.db");
  for (int64_t i = 0; i < 8; ++i)
    Add({Indicator(StrCat(200000000000 + i), "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(Pairs(db, "run = 0"), 2007);
  for (int64_t i = 8; i < 100; ++i)
    Add({Indicator(StrCat(200000000000 + i), "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(Pairs(db, "run = 0"), 2007);
  EXPECT_EQ(CountRows(db, "entry_id_compacted") + Pairs(db, "run > 0"), 93);
  EXPECT_GT(CountRows(db, "entry_id_compacted"), 0);
  PageRequest request;
  for (int64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(store_->GetObject(collection_, IndicatorId(StrCat(200000000000 + i)), request)
                  ->objects.size(),
              1u)
        << i;
  }
}

TEST_F(SqliteStoreTest, OneWriteSeesTheIdsOfItsOwnNewEntries) {
  // Versions of one id added in one write: the later ones find the earlier ones before the
  // write's ids are written, for the duplicate check and for the first/last flags.
  const std::string id = IndicatorId("000000000001");
  auto results = Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
                      Indicator("000000000002", "2016-01-01T00:00:00.000Z"),
                      Indicator("000000000001", "2016-03-01T00:00:00.000Z"),
                      Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
                      Indicator("000000000001", "2016-02-01T00:00:00.000Z"),
                      Indicator("000000000001", "2016-03-01T00:00:00.000Z", R"(, "name": "n")")});
  EXPECT_EQ(results[2].outcome, AddOutcome::kAdded);
  EXPECT_EQ(results[3].outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(results[4].outcome, AddOutcome::kAdded);
  EXPECT_EQ(results[5].outcome, AddOutcome::kConflict);
  PageRequest request;
  EXPECT_EQ(store_->GetVersions(collection_, id, request)->objects.size(), 3u);
  auto latest = store_->GetObject(collection_, id, request);
  ASSERT_EQ(latest->objects.size(), 1u);
  EXPECT_EQ(latest->objects[0].version, "2016-03-01T00:00:00.000Z");
  EXPECT_EQ(Pairs(dir_.File("kizuna.db"), "run = 1"), 4);
}

TEST_F(SqliteStoreTest, ChunksHoldEveryIdInOrderAndNeverSplitOneHash) {
  const std::string db = dir_.File("kizuna.db");
  // 1,100 objects in four versions each: 17 chunks or more, and a boundary between two
  // chunks falls among the pairs of one hash 3 times in 4 (the hash key is random).
  std::vector<std::string> batch;
  for (const char* t : {"2016-01-01T00:00:00.000Z", "2016-02-01T00:00:00.000Z",
                        "2016-03-01T00:00:00.000Z", "2016-04-01T00:00:00.000Z"}) {
    for (int64_t i = 0; i < 1100; ++i) batch.push_back(Indicator(StrCat(100000000000 + i), t));
  }
  Add(batch);
  for (int64_t i = 0; i < 8; ++i)
    Add({Indicator(StrCat(200000000000 + i), "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(Pairs(db, "run = 0"), 4407);
  EXPECT_GE(CountRows(db, "entry_id_chunks WHERE run = 0"), 17);

  auto conn = Connection::Open(db, /*read_only=*/true);
  ASSERT_TRUE(conn.ok());
  auto chunks = (*conn)->Cached(
      "SELECT first_hash, ids FROM entry_id_chunks WHERE run = 0 ORDER BY first_hash");
  ASSERT_TRUE(chunks.ok());
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (;;) {
    auto row = (*chunks)->Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    std::string_view blob = (*chunks)->Text(1);
    ASSERT_EQ(blob.size() % 16, 0u);
    size_t first = pairs.size();
    for (size_t at = 0; at < blob.size(); at += 16) {
      int64_t hash, date;
      std::memcpy(&hash, blob.data() + at, 8);
      std::memcpy(&date, blob.data() + at + 8, 8);
      pairs.emplace_back(hash, date);
    }
    EXPECT_EQ(pairs[first].first, (*chunks)->Int(0));
    // A hash is whole in one chunk: the chunk before ends below this one's first hash.
    if (first > 0) {
      EXPECT_LT(pairs[first - 1].first, pairs[first].first);
    }
  }
  EXPECT_TRUE(std::is_sorted(pairs.begin(), pairs.end()));
  PageRequest request;
  for (int64_t i = 0; i < 1100; ++i) {
    EXPECT_EQ(store_->GetVersions(collection_, IndicatorId(StrCat(100000000000 + i)), request)
                  ->objects.size(),
              4u)
        << i;
  }
  EXPECT_TRUE(store_->FindObject(IndicatorId(StrCat(200000000000 + 7))).ok());
  EXPECT_EQ(store_->FindObject(IndicatorId(StrCat(100000000000 + 1100))).status().code(),
            absl::StatusCode::kNotFound);
}

// Sets the schema back to version 6: no sealed peer tokens (migration 9) nor marking definitions (migration 8), the ids in
// entry_ids, the runs' table and trigger.
void BackToSchemaSix(const std::string& db_path) {
  auto db = Connection::Open(db_path, /*read_only=*/false);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(
      (*db)
          ->Exec(StrCat(
              kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, kUndoMigrationTwelve, kUndoMigrationEleven,
              "DROP TABLE marking_definitions;"
              "ALTER TABLE peers DROP COLUMN sealed_token;"
              "DROP TRIGGER entries_remove_id;"
              "DROP TABLE entry_id_chunks; DROP TABLE entry_id_compacted; DROP TABLE "
              "entry_id_deleted;"
              "CREATE TABLE entry_ids (id_hash INTEGER NOT NULL, collection INTEGER NOT NULL,"
              " date_added_us INTEGER NOT NULL, PRIMARY KEY (id_hash, collection, date_added_us))"
              " WITHOUT ROWID;"
              "INSERT INTO entry_ids SELECT id_hash, collection, date_added_us FROM entries;"
              "CREATE TABLE entry_id_runs (run INTEGER NOT NULL, id_hash INTEGER NOT NULL,"
              " collection INTEGER NOT NULL, date_added_us INTEGER NOT NULL,"
              " PRIMARY KEY (run, id_hash, collection, date_added_us)) WITHOUT ROWID;"
              "CREATE TRIGGER entries_remove_id AFTER DELETE ON entries BEGIN"
              " DELETE FROM entry_id_runs WHERE run IN (0, 1, 2, 3, 4, 5, 6, 7, 8)"
              " AND id_hash = OLD.id_hash AND collection = OLD.collection"
              " AND date_added_us = OLD.date_added_us;"
              " DELETE FROM entry_ids WHERE id_hash = OLD.id_hash AND collection = OLD.collection"
              " AND date_added_us = OLD.date_added_us; END;"
              "PRAGMA user_version = 6;"))
          .ok());
}

TEST_F(SqliteStoreTest, MigrationFiveMovesTheIdIndexIntoEntryIds) {
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"), Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  store_.reset();
  BackToSchemaSix(dir_.File("kizuna.db"));
  {  // Back to schema 4: what migrations 5 and 6 add undone, the index 5 drops restored.
    auto db = Connection::Open(dir_.File("kizuna.db"), /*read_only=*/false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TRIGGER entries_remove_id;"
                           "DROP TABLE entry_ids; DROP TABLE entry_id_runs;"
                           "CREATE INDEX entries_by_id ON entries(id_hash, collection);"
                           "PRAGMA user_version = 4;")
                    .ok());
  }
  Open();
  EXPECT_EQ(Pairs(dir_.File("kizuna.db"), "run = 0"), 2);  // by way of entry_ids
  EXPECT_EQ(store_->GetObject(collection_, IndicatorId("000000000002"), {})->objects.size(), 1u);
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Add({Indicator("000000000003", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAdded);
  EXPECT_EQ(Pairs(dir_.File("kizuna.db"), "run = 1"), 1);
}

TEST_F(SqliteStoreTest, MigrationSixMovesRecentIdsIntoRunZero) {
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
       Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  store_.reset();
  BackToSchemaSix(dir_.File("kizuna.db"));
  {  // Back to schema 5: the ids in entry_ids_recent, its trigger restored.
    auto db = Connection::Open(dir_.File("kizuna.db"), /*read_only=*/false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)
            ->Exec(
                "DROP TRIGGER entries_remove_id;"
                "CREATE TABLE entry_ids_recent (id_hash INTEGER NOT NULL, collection INTEGER NOT "
                "NULL,"
                " date_added_us INTEGER NOT NULL, PRIMARY KEY (id_hash, collection, "
                "date_added_us)) WITHOUT ROWID;"
                "INSERT INTO entry_ids_recent SELECT id_hash, collection, date_added_us FROM "
                "entry_ids;"
                "DELETE FROM entry_ids;"
                "DROP TABLE entry_id_runs;"
                "CREATE TRIGGER entries_remove_id AFTER DELETE ON entries BEGIN"
                " DELETE FROM entry_ids_recent WHERE id_hash = OLD.id_hash AND collection = "
                "OLD.collection"
                " AND date_added_us = OLD.date_added_us;"
                " DELETE FROM entry_ids WHERE id_hash = OLD.id_hash AND collection = OLD.collection"
                " AND date_added_us = OLD.date_added_us; END;"
                "PRAGMA user_version = 5;")
            .ok());
  }
  Open();
  const std::string db = dir_.File("kizuna.db");
  EXPECT_EQ(Pairs(db, "run = 0"), 2);  // by way of run 0 of entry_id_runs
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0].outcome,
            AddOutcome::kAlreadyPresent);
  ObjectFilter all;
  all.versions.all = true;
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000002"), all), 1);
  EXPECT_EQ(CountRows(db, "entry_id_deleted"), 1);
  EXPECT_TRUE(store_->GetObject(collection_, IndicatorId("000000000002"), {})->objects.empty());
}

TEST_F(SqliteStoreTest, MigrationSevenPacksTheIdsIntoRunZero) {
  std::vector<std::string> batch;
  for (int64_t i = 0; i < 600; ++i)
    batch.push_back(Indicator(StrCat(100000000000 + i), "2016-01-01T00:00:00.000Z"));
  Add(batch);
  store_.reset();
  const std::string db = dir_.File("kizuna.db");
  BackToSchemaSix(db);
  {  // Half the ids merged, half in runs 0 and 1.
    auto conn = Connection::Open(db, /*read_only=*/false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)
                    ->Exec("INSERT INTO entry_id_runs SELECT date_added_us % 2, id_hash, "
                           "collection, date_added_us"
                           " FROM entry_ids WHERE date_added_us % 4 < 2;"
                           "DELETE FROM entry_ids WHERE date_added_us % 4 < 2;")
                    .ok());
  }
  EXPECT_EQ(CountRows(db, "entry_ids"), 300);
  Open();
  EXPECT_EQ(Pairs(db, "run = 0"), 600);
  EXPECT_EQ(Pairs(db, "run > 0"), 0);
  EXPECT_GE(CountRows(db, "entry_id_chunks"), 2);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'entry_id_unpacked'"), 0);
  PageRequest request;
  for (int64_t i = 0; i < 600; i += 5) {
    EXPECT_EQ(store_->GetObject(collection_, IndicatorId(StrCat(100000000000 + i)), request)
                  ->objects.size(),
              1u)
        << i;
  }
  EXPECT_EQ(Add({Indicator(StrCat(100000000000 + 3), "2016-01-01T00:00:00.000Z")})[0].outcome,
            AddOutcome::kAlreadyPresent);
}

TEST_P(StoreTest, ReopenKeepsDataAndDateAddedKeepsIncreasing) {
  auto before = Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")});
  Open();
  clock_.Set(kStart - 1000000);  // the clock went back a second across the restart
  auto after = Add({Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  EXPECT_GT(after[0].date_added_us, before[0].date_added_us);
  EXPECT_EQ(Get().objects.size(), 2u);
  EXPECT_EQ(Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAlreadyPresent);
}

TEST_P(StoreTest, WritesByAnotherProcessAreSeen) {
  // A second store on the same file stands for another process (e.g. `kizuna import` while
  // the server runs): its objects must be found by this store's duplicate check.
  auto other = OpenAnother();
  ASSERT_TRUE(other.ok());
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z")});  // this store has now seen the table
  NewObject b = objects_.Make(Indicator("000000000002", "2016-01-01T00:00:00.000Z"));
  ASSERT_TRUE((*other)->AddObjects(collection_, std::vector<NewObject>{b}).ok());
  EXPECT_EQ(Add({Indicator("000000000002", "2016-01-01T00:00:00.000Z")})[0].outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Add({Indicator("000000000002", "2016-01-01T00:00:00.000Z", R"(, "name": "n")")})[0].outcome,
            AddOutcome::kConflict);
}

// Issue 26: EntriesDeleted moves to a new random value on every removal of entries, by
// whichever process, in the removing transaction; adds and cancelled deletes leave it, and
// it survives a reopen. It is a mark, compared for equality, not a count.
TEST_P(StoreTest, EntriesDeletedMovesOnEveryRemovalByAnyProcess) {
  const int64_t fresh = *store_->EntriesDeleted();
  EXPECT_EQ(fresh, 0) << "nothing deleted yet";
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
       Indicator("000000000001", "2016-02-01T00:00:00.000Z"),
       Indicator("000000000002", "2016-01-01T00:00:00.000Z"),
       Indicator("000000000003", "2016-01-01T00:00:00.000Z"),
       Indicator("000000000004", "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(*store_->EntriesDeleted(), fresh) << "adds, new versions included, delete nothing";
  ObjectFilter all;
  all.versions.all = true;
  const RecordDelete fails = [](int64_t) -> absl::StatusOr<AuditEvent> {
    return absl::InternalError("audit unavailable");
  };
  EXPECT_FALSE(
      store_->DeleteObjectRecorded(collection_, IndicatorId("000000000001"), all, fails).ok());
  EXPECT_EQ(*store_->EntriesDeleted(), fresh) << "a cancelled delete leaves it";
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000001"), all), 2);
  const int64_t first = *store_->EntriesDeleted();
  EXPECT_NE(first, fresh);
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000001"), all), 0);
  EXPECT_EQ(*store_->EntriesDeleted(), first) << "a delete that removes nothing leaves it";
  // Another process's delete moves what this store reads, without any write through it.
  auto other = OpenAnother();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*(*other)->DeleteObject(collection_, IndicatorId("000000000002"), all), 1);
  const int64_t second = *store_->EntriesDeleted();
  EXPECT_NE(second, first);
  EXPECT_NE(second, fresh);
  // One more delete of one entry: a new value again, not the count's next step.
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000003"), all), 1);
  const int64_t third = *store_->EntriesDeleted();
  EXPECT_NE(third, second);
  EXPECT_NE(third, first);
  EXPECT_NE(third, 4) << "not a count of the entries removed";
  const int64_t last = *store_->LastDateAdded();
  Open();
  EXPECT_EQ(*store_->EntriesDeleted(), third) << "durable";
  EXPECT_EQ(*store_->LastDateAdded(), last) << "deletes leave LastDateAdded";
}

// StoreId: one random number per store, the same for every process and across reopens,
// other for another store.
TEST_P(StoreTest, StoreIdIsTheStoresOwn) {
  const absl::StatusOr<int64_t> id = store::StoreId(*store_);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_NE(*id, 0);
  auto other = OpenAnother();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*store::StoreId(**other), *id) << "every process reads the same";
  Open();
  EXPECT_EQ(*store::StoreId(*store_), *id) << "durable";
  auto another = SqliteStore::Open(dir_.File("another.db"), clock_);
  ASSERT_TRUE(another.ok()) << another.status();
  EXPECT_NE(*store::StoreId(**another), *id) << "another store has another id";
}

// A store restored from a copy that then deletes as many entries as the original did
// reaches another mark: whoever compared marks (a compiled-set file, `kizuna match
// --reload`) sees that its contents changed.
TEST_F(SqliteStoreTest, ARestoredStoreThatDeletesAsManyReachesAnotherMark) {
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"),
       Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  ObjectFilter all;
  all.versions.all = true;
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000001"), all), 1);
  const int64_t at_backup = *store_->EntriesDeleted();
  const int64_t id = *store::StoreId(*store_);
  store_.reset();
  const std::string db = dir_.File("kizuna.db"), backup = dir_.File("backup.db");
  std::filesystem::copy_file(db, backup);
  Open();
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000002"), all), 1);
  const int64_t original = *store_->EntriesDeleted();
  EXPECT_NE(original, at_backup);
  store_.reset();
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db + suffix);
  std::filesystem::copy_file(backup, db, std::filesystem::copy_options::overwrite_existing);
  Open();
  EXPECT_EQ(*store::StoreId(*store_), id) << "a restored backup is the same store";
  EXPECT_EQ(*store_->EntriesDeleted(), at_backup);
  Add({Indicator("000000000003", "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(*store_->DeleteObject(collection_, IndicatorId("000000000003"), all), 1);
  EXPECT_NE(*store_->EntriesDeleted(), original) << "as many deletes, another mark";
  EXPECT_NE(*store_->EntriesDeleted(), at_backup);
}

TEST_P(StoreTest, FindObjectsGivesEachIdsLatestVersionInOrderAndSeesOtherProcesses) {
  Add({Indicator("000000000001", "2016-01-01T00:00:00.000Z"), Indicator("000000000001", "2016-01-02T00:00:00.000Z")});
  std::vector<std::string> ids = {IndicatorId("000000000002"), IndicatorId("000000000001"), IndicatorId("000000000003")};
  auto found = store_->FindObjects(ids);  // this store has now read its ids
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 3u);
  EXPECT_FALSE((*found)[0]);
  ASSERT_TRUE((*found)[1]);
  EXPECT_EQ(*(*found)[1], *store_->FindObject(ids[1]));
  EXPECT_NE((*found)[1]->find("2016-01-02T00:00:00.000Z"), std::string::npos);
  EXPECT_FALSE((*found)[2]);
  // Written by another process after this store read its ids: found all the same.
  auto other = OpenAnother();
  ASSERT_TRUE(other.ok());
  NewObject b = objects_.Make(Indicator("000000000003", "2016-01-01T00:00:00.000Z"));
  ASSERT_TRUE((*other)->AddObjects(collection_, std::vector<NewObject>{b}).ok());
  found = store_->FindObjects(ids);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE((*found)[0]);
  EXPECT_TRUE((*found)[1]);
  ASSERT_TRUE((*found)[2]);
  EXPECT_EQ(*(*found)[2], *store_->FindObject(ids[2]));
  EXPECT_EQ(store_->FindObjects(std::vector<std::string>{""}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, ManyVersionsInOneBatch) {
  // Versions of one id inside a single batch go through the pending multi-row insert.
  std::vector<std::string> batch;
  for (int i = 0; i < 100; ++i) {
    batch.push_back(Indicator(StrCat("0000000", 10000 + i % 40), StrCat("2016-01-", 10 + i / 40, "T00:00:00.000Z")));
  }
  auto r = Add(batch);
  ASSERT_EQ(r.size(), 100u);
  PageRequest all;
  all.limit = 1000;
  all.filter.versions.all = true;
  all.filter.versions.last = false;
  EXPECT_EQ(Get(all).objects.size(), 100u);
  PageRequest current;
  current.limit = 1000;
  Page page = Get(current);
  EXPECT_EQ(page.objects.size(), 40u);
  for (const auto& o : page.objects) {
    std::string expected = o.id < IndicatorId("000000010020") ? "2016-01-12T00:00:00.000Z" : "2016-01-11T00:00:00.000Z";
    EXPECT_EQ(o.version, expected) << o.id;
  }
}

TEST_P(StoreTest, CollectionsAndApiRoots) {
  EXPECT_EQ(store_->CreateApiRoot({"root", "Again", "", 0}).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateApiRoot({"bad/name", "x", "", 0}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateCollection({"", "nope", "", "T", "", 0}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateCollection({"", "root", "intel", "T", "", 0}).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto found = store_->FindCollection("root", "intel");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, collection_);
  EXPECT_EQ(store_->FindCollection("", collection_)->alias, "intel");
  EXPECT_EQ(store_->FindCollection("", "missing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetObjects("no-such-collection", {}).status().code(), absl::StatusCode::kNotFound);
  PageRequest bad;
  bad.limit = 0;
  EXPECT_EQ(store_->GetObjects(collection_, bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, RejectsTimestampsOutsideTheStoredRange) {
  NewObject far = objects_.Make(Indicator("000000000001", "2300-01-01T00:00:00.000Z"));
  EXPECT_EQ(store_->AddObjects(collection_, std::vector<NewObject>{far}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Issue 17: randomness is injected: collection and organisation ids come from the store's
// Random, so two stores given the same seed make the same ids.
TEST_F(SqliteStoreTest, IdsComeFromTheInjectedRandom) {
  std::vector<std::string> ids[2];
  for (int i = 0; i < 2; ++i) {
    SeededRandom random(7);
    auto s = SqliteStore::Open(dir_.File(fmt::format("seeded{}.db", i)), clock_, {.random = &random});
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE((*s)->CreateApiRoot({"root", "Root", "", 0}).ok());
    auto c = (*s)->CreateCollection({"", "root", "intel", "Intel", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    auto org = (*s)->CreateOrganization("test", {"NISC", "JPN", ""});
    ASSERT_TRUE(org.ok()) << org.status();
    ids[i] = {c->id, org->id};
  }
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_NE(ids[0][0], collection_);
}

TEST_F(SqliteStoreTest, NotAKizunaDatabase) {
  std::string path = dir_.File("junk.db");
  ASSERT_TRUE(WriteFileAtomically(path, std::string(8192, 'x')).ok());
  auto s = SqliteStore::Open(path, clock_);
  EXPECT_FALSE(s.ok());
}

// Finding 14 of issue 16: a damaged page met at run time marks the store, for /healthz.
TEST_F(SqliteStoreTest, ADamagedPageMetAtRunTimeIsRemembered) {
  std::vector<std::string> jsons;
  for (int i = 0; i < 3000; ++i) jsons.push_back(Indicator(fmt::format("{:012d}", i), "2016-01-01T00:00:00.000Z"));
  Add(std::move(jsons));
  store_.reset();
  const std::string path = dir_.File("kizuna.db");
  auto [page, page_size] = MiddleLeafPage(path, "entries");
  ASSERT_GT(page, 2);
  ZeroPage(path, page, page_size);
  Open();
  EXPECT_FALSE(store_->CorruptionSeen());
  PageRequest all;
  all.limit = kMaxPageLimit;
  auto read = store_->GetObjects(collection_, all);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
  EXPECT_TRUE(store_->CorruptionSeen());
}

}  // namespace
}  // namespace kizuna::store
