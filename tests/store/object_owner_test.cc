// Kizuna.
#include "kizuna/store/object_owner.h"

#include <gtest/gtest.h>

#include <vector>

namespace kizuna::store {
namespace {

constexpr const char* kNisc = "identity--11111111-1111-4111-8111-111111111111";
constexpr const char* kCisa = "identity--22222222-2222-4222-8222-222222222222";

StoredObject Version(int64_t version_ns, std::string creator) {
  StoredObject o;
  o.id = "indicator--33333333-3333-4333-8333-333333333333";
  o.version_ns = version_ns;
  o.created_by_ref = std::move(creator);
  return o;
}

identity::Principal Of(std::string org, identity::Role role) {
  return identity::UserPrincipal("alice", std::move(org), "JPN", {}, static_cast<uint8_t>(role));
}

TEST(ObjectOwnerTest, TheCreatorOfTheFirstVersionMayDeleteOrRevoke) {
  // Listed newest first: the first version is the one with the smallest version, not the first
  // listed.
  std::vector<StoredObject> versions = {Version(300, kCisa), Version(100, kNisc),
                                        Version(200, kCisa)};
  ASSERT_EQ(FirstVersion(versions)->version_ns, 100);
  EXPECT_TRUE(CheckMayDeleteOrRevoke(Of(kNisc, identity::Role::kPublisher), versions).ok());
  absl::Status other = CheckMayDeleteOrRevoke(Of(kCisa, identity::Role::kPublisher), versions);
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("only the organisation that created"), std::string_view::npos)
      << other;
}

TEST(ObjectOwnerTest, NodeAdminMayAlwaysAndNoOrganisationNever) {
  std::vector<StoredObject> versions = {Version(100, kNisc)};
  EXPECT_TRUE(CheckMayDeleteOrRevoke(Of(kCisa, identity::Role::kNodeAdmin), versions).ok());
  // An object without created_by_ref is no one's: an organisation-less principal is not its
  // creator.
  std::vector<StoredObject> ownerless = {Version(100, "")};
  EXPECT_EQ(CheckMayDeleteOrRevoke(Of("", identity::Role::kPublisher), ownerless).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FirstVersion({}), nullptr);
}

}  // namespace
}  // namespace kizuna::store
