// Kizuna.
#include "kizuna/identity/roles.h"

#include <gtest/gtest.h>

namespace kizuna::identity {
namespace {

TEST(RolesTest, NamesRoundTrip) {
  for (Role role : kAllRoles) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("org-admin"), Role::kOrgAdmin);
  EXPECT_EQ(ParseRole("admin"), std::nullopt);
  EXPECT_EQ(ParseRole("Reader"), std::nullopt);
}

TEST(RolesTest, ListsBitsInOrder) {
  uint8_t roles = static_cast<uint8_t>(Role::kNodeAdmin) | static_cast<uint8_t>(Role::kReader);
  EXPECT_EQ(RoleList(roles), "reader,node-admin");
  EXPECT_EQ(RoleList(roles, " "), "reader node-admin");
  EXPECT_EQ(RoleList(0), "");
  EXPECT_EQ(RoleList(kAllRoleBits), "reader,publisher,org-admin,node-admin,peer");
}

}  // namespace
}  // namespace kizuna::identity
