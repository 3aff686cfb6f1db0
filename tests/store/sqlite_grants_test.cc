// Kizuna. Collection grants in the directory, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include "directory_test_util.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

constexpr Permissions kRead{true, false};
constexpr Permissions kWrite{false, true};
constexpr Permissions kBoth{true, true};

class GrantsTest : public DirectoryTest {
 protected:
  void SetUp() override {
    DirectoryTest::SetUp();
    jpn_ = Org("NISC", "JPN");
    ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa").ok());
  }
  std::string jpn_;
  Grantee nisc_{GranteeKind::kOrganization, "NISC"};
  Grantee group_{GranteeKind::kGroup, "jpn-usa"};
};
INSTANTIATE_DIRECTORY_BACKENDS(GrantsTest);

TEST_P(GrantsTest, AddingMergesPermissions) {
  auto g = directory().AddGrant("cli", collection_, nisc_, kRead);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->grantee.name, jpn_);  // named by id once stored
  EXPECT_TRUE(g->permissions.read);
  EXPECT_FALSE(g->permissions.write);
  AuditEvent e = LastEvent();
  EXPECT_EQ(e.action, "grant.add");
  EXPECT_EQ(e.target, collection_);
  EXPECT_TRUE(Contains(e.details, jpn_)) << e.details;
  g = directory().AddGrant("cli", collection_, {GranteeKind::kOrganization, jpn_}, kWrite);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE(g->permissions.read && g->permissions.write);
  auto all = directory().ListGrants(collection_);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().collection, collection_);
  EXPECT_EQ(all->front().grantee.kind, GranteeKind::kOrganization);
}

TEST_P(GrantsTest, RemovingTakesAwayAndDeletesEmptyGrants) {
  ASSERT_TRUE(directory().AddGrant("cli", collection_, group_, kBoth).ok());
  auto g = directory().RemoveGrant("cli", collection_, group_, kWrite);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE(g->permissions.read);
  EXPECT_FALSE(g->permissions.write);
  EXPECT_EQ(LastEvent().action, "grant.remove");
  g = directory().RemoveGrant("cli", collection_, group_, kRead);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_FALSE(g->permissions.read || g->permissions.write);
  EXPECT_TRUE(directory().ListGrants("")->empty());
  EXPECT_EQ(directory().RemoveGrant("cli", collection_, group_, kRead).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(GrantsTest, GrantsNameExistingThings) {
  EXPECT_EQ(directory().AddGrant("cli", "no-such-collection", nisc_, kRead).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(directory()
                .AddGrant("cli", collection_, {GranteeKind::kGroup, "nope"}, kRead)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(directory()
                .AddGrant("cli", collection_, {GranteeKind::kOrganization, "Nobody"}, kRead)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(directory().ListGrants("no-such-collection").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(GrantsTest, ListsOrganizationsBeforeGroupsPerCollection) {
  auto other = db_->CreateCollection({"", "root", "other", "Other", "", 0});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(directory().AddGrant("cli", collection_, group_, kRead).ok());
  ASSERT_TRUE(directory().AddGrant("cli", collection_, nisc_, kWrite).ok());
  ASSERT_TRUE(directory().AddGrant("cli", other->id, group_, kBoth).ok());
  auto all = directory().ListGrants("");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  auto mine = directory().ListGrants(collection_);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].grantee.kind, GranteeKind::kOrganization);
  EXPECT_EQ((*mine)[1].grantee.name, "jpn-usa");
  EXPECT_TRUE((*mine)[1].permissions.read);
}

}  // namespace
}  // namespace kizuna::store
