// Kizuna. What the PostgreSQL store adds to the Store cases every backend passes
// (sqlite_store_test.cc, Backends/StoreTest.*/postgres): several stores on one database, the
// schema's migrations, the append-only audit log, and the libpq wrapper's errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "kizuna/base/redact.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/postgres/pg_store.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

constexpr int64_t kStart = 1700000000000000;

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
    database_.emplace();
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    auto c = store_->CreateCollection({"", "root", "intel", "Intel", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = c->id;
  }
  std::unique_ptr<PgStore> OpenStore() {
    auto s = PgStore::Open(database_->url(), clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<pg::Connection> Raw() {
    auto db = pg::Connection::Open(database_->url());
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::optional<PgTestDatabase> database_;
  FakeClock clock_{kStart};
  std::unique_ptr<PgStore> store_;
  std::string collection_;
};

// Issue 25: several nodes on one database. Two stores (two processes) writing at once give
// every entry its own date_added, and a reader paging with `next` cursors while they write
// sees each entry exactly once: date_added is given out in commit order.
TEST_F(PgStoreTest, StoresWritingAtOnceGiveDateAddedInCommitOrder) {
  std::unique_ptr<PgStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  constexpr int kBatches = 20, kPerBatch = 10;
  auto write = [&](Store* store, int writer) {
    Objects objects;
    for (int b = 0; b < kBatches; ++b) {
      std::vector<NewObject> batch;
      for (int i = 0; i < kPerBatch; ++i) {
        batch.push_back(objects.Make(Indicator(
            fmt::format("{:01d}{:011d}", writer, b * kPerBatch + i), "2016-01-01T00:00:00.000Z")));
      }
      auto r = store->AddObjects(collection_, batch);
      ASSERT_TRUE(r.ok()) << r.status();
    }
  };
  std::vector<int64_t> seen;
  std::thread a(write, store_.get(), 1), b(write, other.get(), 2);
  PageRequest request;
  request.limit = 7;
  for (int rounds = 0; rounds < 10000 && seen.size() < 2 * kBatches * kPerBatch; ++rounds) {
    auto page = store_->GetObjects(collection_, request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const StoredObject& o : page->objects) seen.push_back(o.date_added_us);
    request.after = page->next;
    if (page->objects.empty()) std::this_thread::yield();
  }
  a.join();
  b.join();
  for (;;) {  // what was committed after the last page read
    auto page = store_->GetObjects(collection_, request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const StoredObject& o : page->objects) seen.push_back(o.date_added_us);
    request.after = page->next;
    if (!page->more) break;
  }
  ASSERT_EQ(seen.size(), size_t{2 * kBatches * kPerBatch})
      << "a cursor skipped or repeated entries";
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a date_added given twice";
}

// Issue 25: `next` cursors are valid on any process: pages read through another store with the
// first one's cursors are the pages the first one gives.
TEST_F(PgStoreTest, ACursorFromOneStoreContinuesOnAnother) {
  Objects objects;
  std::vector<NewObject> batch;
  for (int i = 0; i < 25; ++i) {
    batch.push_back(objects.Make(Indicator(fmt::format("{:012d}", i), "2016-01-01T00:00:00.000Z")));
  }
  ASSERT_TRUE(store_->AddObjects(collection_, batch).ok());
  std::unique_ptr<PgStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  PageRequest request;
  request.limit = 10;
  std::vector<std::string> alone, alternating;
  for (int round = 0; round < 2; ++round) {
    request.after.reset();
    for (int n = 0;; ++n) {
      Store& reader = round == 0 || n % 2 == 0 ? static_cast<Store&>(*store_) : *other;
      auto page = reader.GetObjects(collection_, request);
      ASSERT_TRUE(page.ok()) << page.status();
      for (const StoredObject& o : page->objects)
        (round == 0 ? alone : alternating).push_back(o.id);
      request.after = page->next;
      if (!page->more) break;
    }
  }
  EXPECT_EQ(alone.size(), 25u);
  EXPECT_EQ(alternating, alone);
}

// Issue 25: a change made through one process is seen by the others' caches at once. The
// change counts their response caches are stamped with move when another store commits
// (LISTEN/NOTIFY), without any read or write through them.
TEST_F(PgStoreTest, ChangesCommittedByAnotherStoreMoveTheChangeCounts) {
  std::unique_ptr<PgStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  auto moves = [](const std::function<int64_t()>& count, const std::function<void()>& change) {
    const int64_t before = count();
    change();
    for (int i = 0; i < 500 && count() == before; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return count() != before;
  };
  auto changes = [&] { return other->LocalContentChanges(); };
  auto deletes = [&] { return other->LocalDeletes(); };
  Objects objects;
  NewObject a = objects.Make(Indicator("000000000001", "2016-01-01T00:00:00.000Z"));
  EXPECT_TRUE(moves(changes, [&] { ASSERT_TRUE(store_->AddObjects(collection_, {&a, 1}).ok()); }));
  EXPECT_TRUE(moves(deletes, [&] {
    auto n = store_->DeleteObject(collection_, a.index->id, {});
    ASSERT_TRUE(n.ok()) << n.status();
    ASSERT_EQ(*n, 1);
  }));
  EXPECT_TRUE(moves(changes, [&] {
    ASSERT_TRUE(store_->CreateCollection({"", "root", "more", "More", "", 0}).ok());
  }));
  EXPECT_TRUE(moves(
      changes, [&] { ASSERT_TRUE(store_->SetCollectionPolicy(collection_, {}, "readers").ok()); }));
  // Directory changes move the other's directory count, so its credential caches check the
  // change version at once.
  auto directory = [&] { return other->LocalChanges(); };
  EXPECT_TRUE(moves(directory, [&] {
    ASSERT_TRUE(store_->CreateOrganization("cli", {"CERT-A", "JPN", ""}).ok());
  }));
}

// Every TAXII request finds its API root and collection (Store::GetApiRoot, FindCollection):
// a store keeps the lists it read, and drops them when it or another process changes an API
// root or a collection, so what another store created or changed is found there at once.
TEST_F(PgStoreTest, AStoreFindsTheCollectionsAnotherStoreCreatesOrChanges) {
  std::unique_ptr<PgStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->FindCollection("root", "intel").ok());  // read, and kept
  ASSERT_EQ(other->GetApiRoot("more").status().code(), absl::StatusCode::kNotFound);
  auto eventually = [](const std::function<bool()>& seen) {
    for (int i = 0; i < 500 && !seen(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return seen();
  };
  ASSERT_TRUE(store_->CreateCollection({"", "root", "more", "More", "", 0}).ok());
  EXPECT_TRUE(store_->FindCollection("root", "more").ok()) << "at once through the writer";
  EXPECT_TRUE(eventually([&] { return other->FindCollection("root", "more").ok(); }));
  ASSERT_TRUE(store_->CreateApiRoot({"more", "More", "", 0}).ok());
  EXPECT_TRUE(store_->GetApiRoot("more").ok());
  EXPECT_TRUE(eventually([&] { return other->GetApiRoot("more").ok(); }));
  ASSERT_TRUE(store_->SetCollectionPolicy(collection_, {}, "readers").ok());
  auto released_to_readers = [](PgStore& s) {
    absl::StatusOr<Collection> c = s.FindCollection("root", "intel");
    return c.ok() && c->default_release == "readers";
  };
  EXPECT_TRUE(released_to_readers(*store_));
  EXPECT_TRUE(eventually([&] { return released_to_readers(*other); }));
  // A write by a third process that never read anything is seen too.
  std::unique_ptr<PgStore> third = OpenStore();
  ASSERT_NE(third, nullptr);
  ASSERT_TRUE(third->CreateCollection({"", "more", "", "Third", "", 0}).ok());
  auto count = [](PgStore& s, std::string_view root) {
    absl::StatusOr<std::vector<Collection>> all = s.ListCollections(root);
    return all.ok() ? all->size() : size_t{0};
  };
  EXPECT_TRUE(eventually([&] { return count(*other, "more") == 1; }));
  EXPECT_TRUE(eventually([&] { return count(*store_, "") == 3; }));
}

// A change whose notification is lost (here: written with the triggers off, as when the
// listener's connection is down) is still read within PgStore::kCatalogMaxAge: a collection's
// release policy made stricter elsewhere is not kept from a process for long.
TEST_F(PgStoreTest, AKeptCollectionIsReadAgainEvenWithoutItsNotification) {
  std::unique_ptr<PgStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  ASSERT_NE(other->FindCollection("root", "intel")->default_release, "readers");  // read, kept
  std::unique_ptr<pg::Connection> db = Raw();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("silent update",
                       "SET session_replication_role = replica; "
                       "UPDATE collections SET default_release = 'readers'")
                  .ok());
  const auto start = std::chrono::steady_clock::now();
  while (other->FindCollection("root", "intel")->default_release != "readers" &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(other->FindCollection("root", "intel")->default_release, "readers");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

// A statement first run with a NULL typed as text and then with an integer is prepared for
// each (`kizuna store copy` sends a column's NULLs and values through one INSERT text).
TEST_F(PgStoreTest, OneStatementTakesANullOfAnotherTypeThenAValue) {
  std::unique_ptr<pg::Connection> db = Raw();
  ASSERT_NE(db, nullptr);
  const std::string sql = "SELECT $1::bigint";
  absl::StatusOr<pg::Result> null = db->Run("a NULL", sql, {pg::Param::Null(true)});
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_TRUE(null->IsNull(0, 0));
  absl::StatusOr<pg::Result> value = db->Run("a value", sql, {pg::Param::Int(42)});
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->Int(0, 0), 42);
}

TEST_F(PgStoreTest, TheAuditLogIsAppendOnly) {
  Objects objects;
  NewObject a = objects.Make(Indicator("000000000001", "2016-01-01T00:00:00.000Z"));
  const RecordAdd record = [&](std::span<const AddResult>) -> absl::StatusOr<AddRecords> {
    AddRecords r;
    std::string_view id = a.index->id;
    r.audit.push_back(ObjectsAddedEvent("alice", "192.0.2.1", collection_, {&id, 1}));
    return r;
  };
  const Writer alice{WriterKind::kUser, "alice", "identity--0a000000-0000-4000-8000-00000000000a"};
  ASSERT_TRUE(
      store_->AddObjectsRecorded(collection_, std::vector<NewObject>{a}, alice, record).ok());
  std::unique_ptr<pg::Connection> db = Raw();
  ASSERT_NE(db, nullptr);
  for (const char* sql :
       {"UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
    absl::Status s = db->Exec("tamper", sql);
    EXPECT_FALSE(s.ok()) << sql;
    EXPECT_NE(s.message().find("append-only"), std::string_view::npos) << s;
  }
  auto count = db->Run("count", "SELECT count(*) FROM audit_log");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->Int(0, 0), 1);
}

TEST_F(PgStoreTest, OpeningAgainMigratesNothingAndANewerSchemaIsRefused) {
  std::unique_ptr<pg::Connection> db = Raw();
  ASSERT_NE(db, nullptr);
  auto versions = db->Run("versions", "SELECT count(*), max(version) FROM kizuna_schema");
  ASSERT_TRUE(versions.ok());
  const int64_t applied = versions->Int(0, 0);
  ASSERT_NE(OpenStore(), nullptr);
  EXPECT_EQ(db->Run("versions", "SELECT count(*) FROM kizuna_schema")->Int(0, 0), applied);
  ASSERT_TRUE(db->Exec("newer", "INSERT INTO kizuna_schema (version) VALUES (999)").ok());
  auto newer = PgStore::Open(database_->url(), clock_);
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kDataLoss) << newer.status();
  EXPECT_NE(newer.status().message().find("999"), std::string_view::npos);
}

TEST_F(PgStoreTest, ErrorsNameTheStatementAndHideThePassword) {
  std::unique_ptr<pg::Connection> db = Raw();
  ASSERT_NE(db, nullptr);
  auto bad = db->Run("read a missing table", "SELECT x FROM no_such_table WHERE x = $1",
                     {pg::Param::Int(1)});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("read a missing table"), std::string_view::npos)
      << bad.status();
  // Values travel as binary parameters, never inside the SQL: quotes are plain data.
  auto echo =
      db->Run("echo", "SELECT $1::text", {pg::Param::Text("it's '; DROP TABLE entries; --")});
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(echo->Text(0, 0), "it's '; DROP TABLE entries; --");
  EXPECT_EQ(RedactUrl("postgresql://kizuna:secret@127.0.0.1:5432/db"),
            "postgresql://***@127.0.0.1:5432/db");
  auto refused = pg::Connection::Open(WithDatabase(*PgTestServerUrl(), "no_such_database"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().message().find(database_->url().substr(20, 10)),
            std::string_view::npos)
      << "the password must not appear: " << refused.status();
}

}  // namespace
}  // namespace kizuna::store
