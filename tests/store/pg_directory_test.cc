// Kizuna. What the PostgreSQL directory adds to the directory cases every backend passes
// (sqlite_*_test.cc, directory_test.cc: Backends/...Test.*/postgres): several processes on one
// database (two PgStores stand for two), and the partner rule that reads the directory.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "directory_test_util.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace {

constexpr uint8_t kReader = static_cast<uint8_t>(identity::Role::kReader);
constexpr uint8_t kOrgAdmin = static_cast<uint8_t>(identity::Role::kOrgAdmin);
constexpr uint8_t kNodeAdmin = static_cast<uint8_t>(identity::Role::kNodeAdmin);

class PgDirectoryTest : public DirectoryTest {
 protected:
  DirectoryBackend backend() const override { return DirectoryBackend::kPostgres; }
  void SetUp() override {
    DirectoryTest::SetUp();
    if (IsSkipped()) return;
    other_ = OpenAnother();
    ASSERT_NE(other_, nullptr);
  }
  Directory& other() { return DirectoryOf(*other_); }
  int64_t Version(Directory& d) {
    auto v = d.ChangeVersion();
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : -1;
  }

  std::unique_ptr<Store> other_;  // another process on the same database
};

// Issue 25: a directory change made by one process moves every process's ChangeVersion (their
// caches of credentials and grants read it) and its reads see the change at once.
TEST_F(PgDirectoryTest, AChangeByOneProcessIsSeenByAnother) {
  int64_t seen = Version(other());
  auto step = [&](std::string_view what) {
    int64_t now = Version(other());
    EXPECT_GT(now, seen) << what;
    seen = now;
  };
  std::string jpn = Org("NISC", "JPN");
  step("org.create");
  ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa").ok());
  step("group.create");
  ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", "NISC").ok());
  step("group.join");
  ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", kReader}).ok());
  step("user.create");
  ASSERT_TRUE(
      directory().CreateToken("cli", {"00000000000000a1", "alice", kHash, "", std::nullopt}).ok());
  step("token.create");
  auto credential = other().GetCredential("00000000000000a1");
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->user.organization, jpn);
  EXPECT_EQ(credential->groups, std::vector<std::string>{"jpn-usa"});
  ASSERT_TRUE(directory()
                  .AddGrant("cli", collection_, {GranteeKind::kGroup, "jpn-usa"}, {true, false})
                  .ok());
  step("grant.add");
  ASSERT_EQ(other().ListGrants(collection_)->size(), 1u);
  ASSERT_TRUE(db_->SetCollectionPolicy(collection_, {"jpn-usa"}, "creator-nation").ok());
  step("a collection's policy");
  ASSERT_TRUE(directory().RevokeToken("cli", "00000000000000a1").ok());
  step("token.revoke");
  EXPECT_TRUE(other().GetCredential("00000000000000a1")->token.revoked_us);
  // None was made through the other store, which heard of them (LISTEN/NOTIFY).
  for (int i = 0; i < 500 && other().LocalChanges() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(other().LocalChanges(), 0);

  // Neither a token's use nor an audit append is a change.
  ASSERT_TRUE(directory().TouchToken("00000000000000a1", kDirectoryStart + 60'000'000).ok());
  ASSERT_TRUE(directory().AppendAudit({0, 0, "alice", "object.add", collection_, "", "{}"}).ok());
  EXPECT_EQ(Version(other()), seen);
  EXPECT_EQ(other().ListTokens("alice")->front().last_used_us, kDirectoryStart + 60'000'000);
  // And the other process's changes come back the same way.
  ASSERT_TRUE(other().SetUserDisabled("cli", "alice", true).ok());
  EXPECT_GT(Version(directory()), seen);
  EXPECT_TRUE(directory().ListUsers()->front().disabled);
}

// The last administrator seat holds across processes: the writers' advisory lock serialises
// the two changes, so of two processes each demoting one of the last two administrators at
// once, exactly one succeeds.
TEST_F(PgDirectoryTest, TwoProcessesCannotTakeTheLastTwoSeatsAtOnce) {
  Org("NISC", "JPN");
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string a = StrCat("a", round), b = StrCat("b", round);
    ASSERT_TRUE(directory().CreateUser("cli", {a, "NISC", kOrgAdmin}).ok());
    ASSERT_TRUE(directory().CreateUser("cli", {b, "NISC", kOrgAdmin}).ok());
    if (round > 0) {
      // Only a and b hold seats: the previous round's survivor steps down first.
      absl::StatusOr<std::vector<User>> users = directory().ListUsers();
      ASSERT_TRUE(users.ok()) << users.status();
      for (const User& u : *users) {
        if (u.name != a && u.name != b && !u.disabled) {
          ASSERT_TRUE(directory().SetUserDisabled("cli", u.name, true).ok());
        }
      }
    }
    std::atomic<int> passed{0};
    std::thread one(
        [&] { passed += directory().UpdateUserKeepingAnAdmin("cli", a, true, std::nullopt).ok(); });
    std::thread two(
        [&] { passed += other().UpdateUserKeepingAnAdmin("cli", b, std::nullopt, kReader).ok(); });
    one.join();
    two.join();
    EXPECT_EQ(passed.load(), 1) << "round " << round;
  }
}

// A promotion in one process revokes the tokens the other process's reads return.
TEST_F(PgDirectoryTest, APromotionRevokesTokensForEveryProcess) {
  Org("NISC", "JPN");
  ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", kReader}).ok());
  ASSERT_TRUE(
      directory().CreateToken("cli", {"00000000000000a1", "alice", kHash, "", std::nullopt}).ok());
  ASSERT_TRUE(directory().SetUserPassword("cli", "alice", kHash).ok());
  ASSERT_TRUE(other().SetUserRoles("cli", "alice", kNodeAdmin).ok());
  EXPECT_EQ(directory().GetCredential("00000000000000a1")->token.revoked_us, kDirectoryStart);
  EXPECT_EQ(directory().GetPasswordCredential("alice")->password_hash, "");
}

// A partner node may relay any creator's objects but those of this node's own organisations
// (docs/security.md, rule 5): as the SQLite store's adder (adder_test.cc), PgStore reads the
// organisations and the `peer` users of the directory.
TEST_F(PgDirectoryTest, APartnerNeverBringsNewObjectsOfThisNodesOrganisations) {
  constexpr char kJpn[] = "identity--0a000000-0000-4000-8000-00000000000a";
  constexpr char kKor[] = "identity--0d000000-0000-4000-8000-00000000000d";
  constexpr char kUsa[] = "identity--0b000000-0000-4000-8000-00000000000b";
  constexpr char kAus[] = "identity--0c000000-0000-4000-8000-00000000000c";
  ASSERT_TRUE(directory().CreateOrganization("cli", {"JPN-CERT", "JPN", kJpn}).ok());
  ASSERT_TRUE(
      directory().CreateOrganization("cli", {"KOR-CERT", "KOR", kKor, /*partner=*/true}).ok());
  ASSERT_TRUE(directory().CreateOrganization("cli", {"USA-CERT", "USA", kUsa}).ok());
  ASSERT_TRUE(
      directory().CreateUser("cli", {"node-usa", "USA-CERT", uint8_t(identity::Role::kPeer)}).ok());
  Objects objects;
  int statuses = 0;
  auto write = [&](std::string json, const Writer& writer) {
    std::vector<NewObject> batch{objects.Make(std::move(json))};
    const RecordAdd record = [&](std::span<const AddResult>) -> absl::StatusOr<AddRecords> {
      AddRecords records;
      records.status = {
          StrCat("status-", ++statuses), "root", "org", kDirectoryStart, 1, 1, 0, 0, ""};
      return records;
    };
    auto r = writer.kind == WriterKind::kOperator
                 ? other_->AddObjects(collection_, batch)
                 : other_->AddObjectsRecorded(collection_, batch, writer, record);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? (*r)[0] : AddResult{};
  };
  auto by = [](std::string_view creator, std::string_view suffix) {
    return Indicator(suffix, "2026-01-01T00:00:00.000Z",
                     StrCat(R"(, "created_by_ref": ")", creator, "\""));
  };
  const Writer kor_node{WriterKind::kPartner, "kor", kKor, "KOR"};
  AddResult forged = write(by(kJpn, "00000000000a"), kor_node);
  EXPECT_EQ(forged.outcome, AddOutcome::kRefused);
  EXPECT_TRUE(Contains(forged.reason, "an organisation of this node")) << forged.reason;
  EXPECT_EQ(write(by(kKor, "00000000000d"), kor_node).outcome, AddOutcome::kAdded);
  EXPECT_EQ(write(by(kUsa, "00000000000b"), kor_node).outcome, AddOutcome::kAdded);
  EXPECT_EQ(write(by(kAus, "00000000000c"), kor_node).outcome, AddOutcome::kAdded)
      << "unknown here";
  // The operator and the organisation's own users still write its objects.
  EXPECT_EQ(write(by(kJpn, "00000000000a"), {}).outcome, AddOutcome::kAdded);
  EXPECT_EQ(write(by(kJpn, "0000000000aa"), {WriterKind::kUser, "aoi", kJpn, "JPN"}).outcome,
            AddOutcome::kAdded);
  // What this node made comes back from a partner as already held.
  EXPECT_EQ(write(by(kJpn, "00000000000a"), kor_node).outcome, AddOutcome::kAlreadyPresent);
}

}  // namespace
}  // namespace kizuna::store
