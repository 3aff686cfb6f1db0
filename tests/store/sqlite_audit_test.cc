// Kizuna. The audit log of the directory, on SQLite and PostgreSQL: appends, reads, and
// nothing else.
#include <gtest/gtest.h>

#include "directory_test_util.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

class AuditTest : public DirectoryTest {
 protected:
  static AuditEvent Event(std::string action, int64_t time_us = 0) {
    return {0, time_us, "alice", std::move(action), "target", "192.0.2.1", R"({"n":1})"};
  }
};
INSTANTIATE_DIRECTORY_BACKENDS(AuditTest);

// The SQLite file's triggers (PostgreSQL's: postgres_store_test.cc).
class SqliteAuditTest : public AuditTest {};

TEST_P(AuditTest, AppendsInOrderAndStampsTime) {
  std::vector<AuditEvent> events = {Event("object.add"), Event("object.delete", 42)};
  ASSERT_TRUE(directory().AppendAudit(events).ok());
  auto read = directory().ReadAudit({});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_LT((*read)[0].seq, (*read)[1].seq);
  EXPECT_EQ((*read)[0].action, "object.add");
  EXPECT_EQ((*read)[0].time_us, kDirectoryStart);  // 0 means now
  EXPECT_EQ((*read)[1].time_us, 42);
  EXPECT_EQ((*read)[1].actor, "alice");
  EXPECT_EQ((*read)[1].target, "target");
  EXPECT_EQ((*read)[1].remote, "192.0.2.1");
  EXPECT_EQ((*read)[1].details, R"({"n":1})");
}

TEST_P(AuditTest, ReadsPagesAfterASeqAndTheNewest) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(directory().AppendAudit(Event(StrCat("a", i))).ok());
  auto first = directory().ReadAudit({.after_seq = 0, .limit = 3, .newest = false});
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ(first->back().action, "a2");
  auto next = directory().ReadAudit({.after_seq = first->back().seq, .limit = 3, .newest = false});
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ(next->front().action, "a3");
  auto last = directory().ReadAudit({.after_seq = 0, .limit = 2, .newest = true});
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ(last->front().action, "a8");  // still oldest first
  EXPECT_EQ(last->back().action, "a9");
}

TEST_P(AuditTest, EventsAreChecked) {
  AuditEvent not_object = Event("x");
  not_object.details = "[1]";
  EXPECT_EQ(directory().AppendAudit(not_object).code(), absl::StatusCode::kInvalidArgument);
  AuditEvent not_json = Event("x");
  not_json.details = "{";
  EXPECT_EQ(directory().AppendAudit(not_json).code(), absl::StatusCode::kInvalidArgument);
  AuditEvent huge = Event("x");
  huge.details = StrCat(R"({"s":")", std::string(kMaxAuditDetailsBytes, 'x'), R"("})");
  EXPECT_EQ(directory().AppendAudit(huge).code(), absl::StatusCode::kInvalidArgument);
  AuditEvent no_actor = Event("x");
  no_actor.actor.clear();
  EXPECT_EQ(directory().AppendAudit(no_actor).code(), absl::StatusCode::kInvalidArgument);
  AuditEvent no_action = Event("");
  EXPECT_EQ(directory().AppendAudit(no_action).code(), absl::StatusCode::kInvalidArgument);
  // One bad event refuses the whole batch.
  std::vector<AuditEvent> batch = {Event("good"), not_json};
  EXPECT_FALSE(directory().AppendAudit(batch).ok());
  EXPECT_EQ(AuditCount(), 0);
}

TEST_P(AuditTest, ObjectWritesAndDeletesHaveTheirOwnEvents) {
  constexpr std::string_view kOrg = "identity--0f3b2b5c-7f4e-4f7e-9f6e-2d5c1a7b8c9d";
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(IndicatorId(StrCat("0000000000", 10 + i % 90)));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  ASSERT_TRUE(directory()
                  .AppendAudit(ObjectsAddedEvent("alice", "192.0.2.1", collection_,
                                                 std::span(views).first(2)))
                  .ok());
  AuditEvent added = LastEvent();
  EXPECT_EQ(added.action, "object.add");
  EXPECT_EQ(added.actor, "alice");
  EXPECT_EQ(added.target, collection_);
  EXPECT_EQ(added.remote, "192.0.2.1");
  EXPECT_EQ(added.details, StrCat(R"({"count":2,"ids":[")", ids[0], R"(",")", ids[1], R"("]})"));
  ASSERT_TRUE(directory().AppendAudit(ObjectsAddedEvent("alice", "", collection_, views)).ok());
  EXPECT_TRUE(Contains(LastEvent().details, R"("count":150)")) << LastEvent().details;
  EXPECT_TRUE(Contains(LastEvent().details, R"("ids_truncated":true)"));
  ASSERT_TRUE(directory()
                  .AppendAudit(ObjectDeletedEvent("alice", "192.0.2.1", kOrg, collection_, ids[0], 3))
                  .ok());
  AuditEvent deleted = LastEvent();
  EXPECT_EQ(deleted.action, "object.delete");
  EXPECT_EQ(deleted.details, StrCat(R"({"id":")", ids[0], R"(","versions":3,"organization":")", kOrg, R"("})"));
  EXPECT_EQ(deleted.time_us, kDirectoryStart);
  ASSERT_TRUE(directory()
                  .AppendAudit(ObjectRevokedEvent("cli", "", kOrg, collection_, ids[1], "2024-01-01T00:00:00.001Z"))
                  .ok());
  EXPECT_EQ(LastEvent().action, "object.revoke");
  EXPECT_EQ(LastEvent().details, StrCat(R"({"id":")", ids[1], R"(","version":"2024-01-01T00:00:00.001Z","organization":")",
                                        kOrg, R"("})"));
}

TEST_F(SqliteAuditTest, LogIsAppendOnlyEvenForRawSql) {
  ASSERT_TRUE(directory().AppendAudit(Event("object.add")).ok());
  auto conn = Connection::Open(path(), false);
  ASSERT_TRUE(conn.ok()) << conn.status();
  absl::Status update = (*conn)->Exec("UPDATE audit_log SET actor = 'mallory'");
  EXPECT_FALSE(update.ok());
  EXPECT_TRUE(Contains(update, "append-only")) << update;
  absl::Status remove = (*conn)->Exec("DELETE FROM audit_log");
  EXPECT_FALSE(remove.ok());
  EXPECT_TRUE(Contains(remove, "append-only")) << remove;
  auto read = directory().ReadAudit({});
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().actor, "alice");
}

}  // namespace
}  // namespace kizuna::store
