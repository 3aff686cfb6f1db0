// Kizuna. Organisations, groups and users in the directory, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "directory_test_util.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

constexpr uint8_t kReader = static_cast<uint8_t>(identity::Role::kReader);
constexpr uint8_t kPublisher = static_cast<uint8_t>(identity::Role::kPublisher);

class DirectoryStoreTest : public DirectoryTest {};
INSTANTIATE_DIRECTORY_BACKENDS(DirectoryStoreTest);

TEST_P(DirectoryStoreTest, OrganizationsAreListedAndFoundByIdOrName) {
  std::string usa = Org("CISA", "USA");
  std::string jpn = Org("NISC", "JPN");
  auto all = directory().ListOrganizations();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "CISA");
  EXPECT_EQ((*all)[1].id, jpn);
  EXPECT_EQ((*all)[1].nation, "JPN");
  EXPECT_FALSE((*all)[1].identity_json.empty());
  EXPECT_EQ(directory().FindOrganization("NISC")->id, jpn);
  EXPECT_EQ(directory().FindOrganization(usa)->name, "CISA");
  auto missing = directory().FindOrganization("KISA");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing.status(), "'KISA'")) << missing.status();
}

TEST_P(DirectoryStoreTest, DuplicateOrganizationIsRefusedAndNotAudited) {
  std::string id = Org("NISC", "JPN");
  int64_t events = AuditCount();
  auto by_name = directory().CreateOrganization("cli", {"NISC", "USA", ""});
  EXPECT_EQ(by_name.status().code(), absl::StatusCode::kAlreadyExists);
  auto by_id = directory().CreateOrganization("cli", {"Other", "JPN", id});
  EXPECT_EQ(by_id.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(AuditCount(), events);
}

TEST_P(DirectoryStoreTest, OrganizationChangesAreAudited) {
  std::string id = Org("NISC", "JPN");
  AuditEvent e = LastEvent();
  EXPECT_EQ(e.actor, "cli");
  EXPECT_EQ(e.action, "org.create");
  EXPECT_EQ(e.target, id);
  EXPECT_EQ(e.time_us, kDirectoryStart);
  boost::json::object details = boost::json::parse(e.details).as_object();
  EXPECT_EQ(details["name"], "NISC");
  EXPECT_EQ(details["nation"], "JPN");
}

TEST_P(DirectoryStoreTest, GroupsHoldOrganizations) {
  std::string jpn = Org("NISC", "JPN");
  std::string usa = Org("CISA", "USA");
  Org("KISA", "KOR");
  ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa").ok());
  ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa-kor").ok());
  EXPECT_EQ(directory().CreateGroup("cli", "jpn-usa").code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", "NISC").ok());
  ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", usa).ok());
  ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa-kor", "KISA").ok());
  EXPECT_EQ(LastEvent().action, "group.join");
  EXPECT_EQ(LastEvent().target, "jpn-usa-kor");

  auto joined_twice = directory().JoinGroup("cli", "jpn-usa", "CISA");
  EXPECT_EQ(joined_twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(directory().JoinGroup("cli", "nope", "CISA").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(directory().JoinGroup("cli", "jpn-usa", "Nobody").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(directory().LeaveGroup("cli", "jpn-usa-kor", "NISC").code(),
            absl::StatusCode::kFailedPrecondition);

  auto groups = directory().ListGroups();
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].name, "jpn-usa");
  std::vector<std::string> both = {jpn, usa};
  std::sort(both.begin(), both.end());
  EXPECT_EQ((*groups)[0].members, both);
  EXPECT_EQ((*groups)[1].members.size(), 1u);

  ASSERT_TRUE(directory().LeaveGroup("cli", "jpn-usa", "CISA").ok());
  EXPECT_EQ(LastEvent().action, "group.leave");
  EXPECT_EQ(directory().ListGroups()->front().members, std::vector<std::string>{jpn});
}

TEST_P(DirectoryStoreTest, EmptyGroupIsListed) {
  ASSERT_TRUE(directory().CreateGroup("cli", "lonely").ok());
  auto groups = directory().ListGroups();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_TRUE(groups->front().members.empty());
  EXPECT_EQ(groups->front().created_us, kDirectoryStart);
}

TEST_P(DirectoryStoreTest, UsersBelongToOneOrganization) {
  std::string jpn = Org("NISC", "JPN");
  auto alice = directory().CreateUser("cli", {"alice", "NISC", kReader | kPublisher});
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->organization, jpn);
  EXPECT_EQ(LastEvent().action, "user.create");
  EXPECT_TRUE(Contains(LastEvent().details, "reader,publisher")) << LastEvent().details;
  EXPECT_EQ(directory().CreateUser("cli", {"alice", jpn, kReader}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(directory().CreateUser("cli", {"bob", "Nobody", kReader}).status().code(),
            absl::StatusCode::kNotFound);
  auto users = directory().ListUsers();
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().name, "alice");
  EXPECT_EQ(users->front().organization, jpn);
  EXPECT_EQ(users->front().roles, kReader | kPublisher);
  EXPECT_FALSE(users->front().disabled);
}

TEST_P(DirectoryStoreTest, UsersCanBeDisabledAndGivenOtherRoles) {
  Org("NISC", "JPN");
  ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", kReader}).ok());
  ASSERT_TRUE(directory().SetUserDisabled("cli", "alice", true).ok());
  EXPECT_EQ(LastEvent().action, "user.disable");
  EXPECT_TRUE(directory().ListUsers()->front().disabled);
  ASSERT_TRUE(directory().SetUserRoles("cli", "alice", kPublisher).ok());
  EXPECT_EQ(LastEvent().action, "user.roles");
  EXPECT_EQ(directory().ListUsers()->front().roles, kPublisher);
  EXPECT_TRUE(directory().ListUsers()->front().disabled);  // roles leave the flag alone
  ASSERT_TRUE(directory().SetUserDisabled("cli", "alice", false).ok());
  EXPECT_EQ(LastEvent().action, "user.enable");
  EXPECT_FALSE(directory().ListUsers()->front().disabled);
  EXPECT_EQ(directory().SetUserDisabled("cli", "bob", true).code(), absl::StatusCode::kNotFound);
}

TEST_P(DirectoryStoreTest, TheLastAdministratorSeatIsKeptInTheChangesTransaction) {
  constexpr uint8_t kOrgAdmin = static_cast<uint8_t>(identity::Role::kOrgAdmin);
  constexpr uint8_t kPeer = static_cast<uint8_t>(identity::Role::kPeer);
  Org("NISC", "JPN");
  Org("CISA", "USA");
  ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", kOrgAdmin}).ok());
  ASSERT_TRUE(directory().CreateUser("cli", {"bob", "NISC", kOrgAdmin}).ok());
  ASSERT_TRUE(directory().CreateUser("cli", {"peer", "NISC", kOrgAdmin | kPeer}).ok());  // holds no seat
  ASSERT_TRUE(directory().CreateUser("cli", {"carol", "CISA", kOrgAdmin}).ok());       // another organisation's
  // Both fields change in one transaction, audited as the two separate calls are.
  ASSERT_TRUE(directory().UpdateUserKeepingAnAdmin("alice", "alice", true, kReader).ok());
  std::vector<AuditEvent> events = *directory().ReadAudit({.limit = 2, .newest = true});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "user.roles");
  EXPECT_EQ(events[1].action, "user.disable");
  const int64_t audited = AuditCount();
  // Bob holds the last seat: neither disabling nor demoting him passes, and nothing changes.
  for (auto [disabled, roles] : {std::pair<std::optional<bool>, std::optional<uint8_t>>{true, std::nullopt},
                                 {std::nullopt, kReader}, {false, kPublisher}}) {
    absl::Status s = directory().UpdateUserKeepingAnAdmin("alice", "bob", disabled, roles);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_TRUE(Contains(s, "'bob' is the last enabled administrator")) << s;
  }
  EXPECT_EQ(AuditCount(), audited);
  absl::StatusOr<std::vector<User>> users = directory().ListUsers();
  ASSERT_TRUE(users.ok()) << users.status();
  for (const User& u : *users) {
    if (u.name == "bob") {
      EXPECT_EQ(std::pair(u.disabled, u.roles), std::pair(false, kOrgAdmin));
    }
  }
  // A change that keeps the seat, or of a user without one, passes.
  EXPECT_TRUE(directory().UpdateUserKeepingAnAdmin("cli", "bob", false, kOrgAdmin | kReader).ok());
  EXPECT_TRUE(directory().UpdateUserKeepingAnAdmin("cli", "alice", false, std::nullopt).ok());
  EXPECT_TRUE(directory().UpdateUserKeepingAnAdmin("cli", "peer", true, std::nullopt).ok());
  EXPECT_EQ(directory().UpdateUserKeepingAnAdmin("cli", "nobody", true, std::nullopt).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(directory().UpdateUserKeepingAnAdmin("cli", "bob", std::nullopt, std::nullopt).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(DirectoryStoreTest, ChangeVersionMovesForEveryProcess) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  auto v0 = DirectoryOf(*other).ChangeVersion();
  ASSERT_TRUE(v0.ok()) << v0.status();
  Org("NISC", "JPN");
  auto v1 = DirectoryOf(*other).ChangeVersion();
  ASSERT_TRUE(v1.ok());
  EXPECT_NE(*v1, *v0);
  // The change was not made through `other`: SQLite's other process learns of it only from the
  // change version; PostgreSQL's hears it (LISTEN/NOTIFY) and counts it as a change made elsewhere.
  if (backend() == DirectoryBackend::kSqlite) {
    EXPECT_EQ(DirectoryOf(*other).LocalChanges(), 0);
  }
  // Audit appends are not changes.
  ASSERT_TRUE(directory().AppendAudit({0, 0, "alice", "object.add", collection_, "", "{}"}).ok());
  EXPECT_EQ(*DirectoryOf(*other).ChangeVersion(), *v1);
}

TEST_P(DirectoryStoreTest, DirectorySurvivesReopening) {
  std::string jpn = Org("NISC", "JPN");
  db_.reset();
  db_ = OpenAnother();
  ASSERT_NE(db_, nullptr);
  EXPECT_EQ(directory().FindOrganization("NISC")->id, jpn);
  EXPECT_EQ(LastEvent().action, "org.create");
}

}  // namespace
}  // namespace kizuna::store
