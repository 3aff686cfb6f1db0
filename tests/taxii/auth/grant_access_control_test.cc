// Kizuna.
#include "kizuna/taxii/auth/grant_access_control.h"

#include <gtest/gtest.h>

#include "auth_test_util.h"

namespace kizuna::taxii {
namespace {

constexpr store::Permissions kRead{true, false};
constexpr store::Permissions kWrite{false, true};
constexpr store::Permissions kBoth{true, true};

class GrantAccessControlTest : public AuthTest {
 protected:
  identity::Principal Of(std::string org, std::vector<std::string> groups, uint8_t roles) {
    return {"someone", std::move(org), "JPN", std::move(groups), roles};
  }
  void SetUp() override {
    AuthTest::SetUp();
    access_ = std::make_unique<GrantAccessControl>(directory(), clock_);
  }
  CollectionAccess Access(const identity::Principal& p, std::string_view collection = "") {
    auto a = access_->Access(p, collection.empty() ? collection_ : collection);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : CollectionAccess{true, true};  // fail loudly
  }
  static std::pair<bool, bool> RW(CollectionAccess a) { return {a.can_read, a.can_write}; }
  void Grant(store::Grantee grantee, store::Permissions p) {
    ASSERT_TRUE(directory().AddGrant("cli", collection_, grantee, p).ok());
  }

  std::unique_ptr<GrantAccessControl> access_;
  store::Grantee nisc_grantee_{store::GranteeKind::kOrganization, "NISC"};
  store::Grantee group_{store::GranteeKind::kGroup, "jpn-usa"};
};

TEST_F(GrantAccessControlTest, NothingWithoutAGrant) {
  EXPECT_EQ(RW(Access(Of(nisc_, {"jpn-usa"}, kPublisher))), std::make_pair(false, false));
}

TEST_F(GrantAccessControlTest, OrganizationGrantAndRoles) {
  Grant(nisc_grantee_, kBoth);
  EXPECT_EQ(RW(Access(Of(nisc_, {}, kReader))), std::make_pair(true, false));
  EXPECT_EQ(RW(Access(Of(nisc_, {}, kPublisher))), std::make_pair(true, true));
  EXPECT_EQ(RW(Access(Of(nisc_, {}, kOrgAdmin))), std::make_pair(true, true));
  EXPECT_EQ(RW(Access(Of(nisc_, {}, 0))), std::make_pair(false, false));
  EXPECT_EQ(RW(Access(Of(cisa_, {}, kPublisher))), std::make_pair(false, false));
}

TEST_F(GrantAccessControlTest, GroupGrantReachesMembersOnly) {
  Grant(group_, kRead);
  EXPECT_EQ(RW(Access(Of(cisa_, {"jpn-usa"}, kPublisher))), std::make_pair(true, false));
  EXPECT_EQ(RW(Access(Of(kisa_, {"jpn-usa-kor"}, kPublisher))), std::make_pair(false, false));
}

TEST_F(GrantAccessControlTest, GrantsCombine) {
  Grant(group_, kRead);
  Grant(nisc_grantee_, kWrite);
  EXPECT_EQ(RW(Access(Of(nisc_, {"jpn-usa"}, kPublisher))), std::make_pair(true, true));
  EXPECT_EQ(RW(Access(Of(nisc_, {}, kPublisher))), std::make_pair(false, true));  // drop box
  EXPECT_EQ(RW(Access(Of(nisc_, {}, kReader))), std::make_pair(false, false));
}

TEST_F(GrantAccessControlTest, NodeAdminMayDoEverything) {
  EXPECT_EQ(RW(Access(Of(kisa_, {}, kNodeAdmin))), std::make_pair(true, true));
  EXPECT_EQ(RW(Access(Of(kisa_, {}, kNodeAdmin), "any-collection")), std::make_pair(true, true));
}

TEST_F(GrantAccessControlTest, OtherCollectionsAreNotAffected) {
  Grant(nisc_grantee_, kBoth);
  EXPECT_EQ(RW(Access(Of(nisc_, {}, kPublisher), "another-collection")),
            std::make_pair(false, false));
}

TEST_F(GrantAccessControlTest, ChangesInThisProcessAreSeenAtOnce) {
  auto p = Of(nisc_, {}, kPublisher);
  EXPECT_EQ(RW(Access(p)), std::make_pair(false, false));
  Grant(nisc_grantee_, kRead);
  EXPECT_EQ(RW(Access(p)), std::make_pair(true, false));
  ASSERT_TRUE(directory().RemoveGrant("cli", collection_, nisc_grantee_, kRead).ok());
  EXPECT_EQ(RW(Access(p)), std::make_pair(false, false));
}

TEST_F(GrantAccessControlTest, ChangesByAnotherProcessAreSeenWithinTheRefreshInterval) {
  auto p = Of(nisc_, {"jpn-usa"}, kPublisher);
  EXPECT_EQ(RW(Access(p)), std::make_pair(false, false));
  auto cli = OpenAnother();
  ASSERT_TRUE(DirectoryOf(*cli).AddGrant("cli", collection_, group_, kBoth).ok());
  EXPECT_EQ(RW(Access(p)), std::make_pair(false, false));  // the documented staleness
  clock_.Advance(AccessControlOptions{}.refresh_interval_us);
  EXPECT_EQ(RW(Access(p)), std::make_pair(true, true));
  ASSERT_TRUE(DirectoryOf(*cli).RemoveGrant("cli", collection_, group_, kWrite).ok());
  clock_.Advance(AccessControlOptions{}.refresh_interval_us);
  EXPECT_EQ(RW(Access(p)), std::make_pair(true, false));
}

}  // namespace
}  // namespace kizuna::taxii
