// Kizuna. TAXII status resources in the SQLite store: reads in place, expiry, migration 10.
#include "kizuna/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "kizuna/store/sqlite/connection.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

constexpr int64_t kStart = 1700000000000000;  // 2023-11-14, in microseconds

class SqliteStatusTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  static StatusRecord Status(std::string id, int64_t requested_us, std::string details = "\"successes\":[]") {
    return {std::move(id), "root", "org", requested_us, 1, 1, 0, 0, std::move(details)};
  }
  // The statuses left, by id.
  std::vector<std::string> Ids(std::initializer_list<const char*> ids) {
    std::vector<std::string> out;
    for (const char* id : ids) {
      if (store_->GetStatus("root", id).ok()) out.push_back(id);
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStatusTest, ReadStatusAppendsTheDetailsToTheSinksString) {
  std::string details = StrCat("\"successes\":[", std::string(1 << 20, ' '), "]");
  ASSERT_TRUE(store_->SaveStatus(Status("s1", kStart, details)).ok());
  std::string body = "{head,";
  size_t announced = 0;
  absl::Status read = store_->ReadStatus("root", "s1", 0, [&](const StatusRecord& s, size_t size) {
    EXPECT_EQ(s.organization, "org");
    EXPECT_EQ(s.success_count, 1);
    EXPECT_TRUE(s.details_json.empty());
    announced = size;
    return &body;
  });
  ASSERT_TRUE(read.ok()) << read;
  EXPECT_EQ(announced, details.size());
  EXPECT_EQ(body, "{head," + details);
  // A sink that declines gets no details; an unknown id never reaches the sink.
  EXPECT_TRUE(store_->ReadStatus("root", "s1", 0, [](const StatusRecord&, size_t) -> std::string* { return nullptr; }).ok());
  bool called = false;
  absl::Status missing = store_->ReadStatus("root", "s2", 0, [&](const StatusRecord&, size_t) {
    called = true;
    return &body;
  });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(called);
  EXPECT_EQ(store_->GetStatus("other-root", "s1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetStatus("root", "s1")->details_json, details);
}

TEST_F(SqliteStatusTest, ExpiredStatusesAreNotFoundAndDeletedOldestFirstInBatches) {
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(store_->SaveStatus(Status(StrCat("s", i), kStart + i)).ok());
  // Requested before `not_before_us`: expired, even while still stored.
  EXPECT_EQ(store_->GetStatus("root", "s2", kStart + 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetStatus("root", "s3", kStart + 3).ok());

  EXPECT_EQ(*store_->DeleteStatusesBefore(kStart + 5, 2), 2);
  EXPECT_EQ(Ids({"s1", "s2", "s3", "s4", "s5"}), (std::vector<std::string>{"s3", "s4", "s5"}));
  EXPECT_EQ(*store_->DeleteStatusesBefore(kStart + 5, 2), 2);
  EXPECT_EQ(*store_->DeleteStatusesBefore(kStart + 5, 2), 0) << "s5 is not older than the cut";
  EXPECT_EQ(Ids({"s1", "s2", "s3", "s4", "s5"}), (std::vector<std::string>{"s5"}));
  EXPECT_EQ(store_->DeleteStatusesBefore(kStart + 9, 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// Issue 16, finding 7: a status of tens of MB made every later status write read it whole,
// under the store's writer. Writes must not touch the details of the statuses before them.
TEST_F(SqliteStatusTest, AWriteDoesNotReadTheDetailsOfEarlierStatuses) {
  ASSERT_TRUE(store_->SaveStatus(Status("huge", kStart, std::string(16 << 20, 'x'))).ok());
  sqlite3_memory_highwater(/*reset=*/1);  // the peak is now what is in use
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store_->SaveStatus(Status(StrCat("small-", i), kStart + 1 + i)).ok());
  sqlite3_int64 peak = sqlite3_memory_highwater(/*reset=*/0);
  sqlite3_int64 used = sqlite3_memory_used();
  EXPECT_LT(peak - used, 4 << 20) << "a write held a buffer of the large status's size";
}

TEST_F(SqliteStatusTest, MigrationTenKeepsTheStatusesOfSchemaSeven) {
  int64_t version = 0;
  store_.reset();
  {  // Back to the table of migration 3, with a status in it.
    auto db = Connection::Open(dir_.File("kizuna.db"), /*read_only=*/false);
    ASSERT_TRUE(db.ok());
    Statement* v = *(*db)->Cached("PRAGMA user_version");
    ASSERT_TRUE(*v->Step());
    version = v->Int(0);
    v->Reset();
    ASSERT_GE(version, 12);
    ASSERT_TRUE(
        (*db)
            ->Exec(StrCat(kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, kUndoMigrationTwelve, kUndoMigrationEleven,
                          "DROP TABLE statuses;"
                          "CREATE TABLE statuses (id TEXT PRIMARY KEY, api_root TEXT NOT NULL,"
                          " organization TEXT NOT NULL, request_timestamp_us INTEGER NOT NULL,"
                          " total_count INTEGER NOT NULL, success_count INTEGER NOT NULL,"
                          " failure_count INTEGER NOT NULL, pending_count INTEGER NOT NULL,"
                          " details TEXT NOT NULL) WITHOUT ROWID;"
                          "INSERT INTO statuses VALUES ('old', 'root', 'org', ",
                          kStart, ", 2, 1, 1, 0, '\"failures\":[]');",
                          // Migrations 10 and later run again; the ones before them stay applied.
                          "PRAGMA user_version = 9;"))
            .ok());
  }
  Open();
  absl::StatusOr<StatusRecord> old = store_->GetStatus("root", "old");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->failure_count, 1);
  EXPECT_EQ(old->details_json, "\"failures\":[]");
  EXPECT_EQ(*store_->DeleteStatusesBefore(kStart + 1, 10), 1);
}

}  // namespace
}  // namespace kizuna::store
