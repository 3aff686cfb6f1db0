// Kizuna. The Directory's argument checks and the records it builds (through SqliteStore and
// PgStore).
#include "kizuna/store/directory.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "directory_test_util.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::store {
namespace {

class DirectoryChecksTest : public DirectoryTest {};
INSTANTIATE_DIRECTORY_BACKENDS(DirectoryChecksTest);

TEST_P(DirectoryChecksTest, OrganizationIsAStixIdentityOfItsNation) {
  auto org = directory().CreateOrganization("cli", {"NISC", "JPN", ""});
  ASSERT_TRUE(org.ok()) << org.status();
  auto id = stix::ParseId(org->id);
  ASSERT_TRUE(id.ok()) << org->id;
  EXPECT_EQ(id->type, "identity");
  EXPECT_EQ(id->uuid[14], '4');  // UUIDv4
  EXPECT_EQ(org->created_us, kDirectoryStart);
  boost::json::object identity = boost::json::parse(org->identity_json).as_object();
  EXPECT_EQ(identity["type"], "identity");
  EXPECT_EQ(identity["spec_version"], "2.1");
  EXPECT_EQ(identity["id"], org->id.c_str());
  EXPECT_EQ(identity["name"], "NISC");
  EXPECT_EQ(identity["identity_class"], "organization");
  EXPECT_EQ(identity["x_kizuna_nation"], "JPN");
  EXPECT_EQ(identity["created"], (stix::FormatTaxii(kDirectoryStart).substr(0, 23) + "Z").c_str());
  EXPECT_EQ(identity["modified"], identity["created"]);
}

TEST_P(DirectoryChecksTest, NationMustBeAnIsoAlpha3Code) {
  for (const char* bad : {"XXX", "jpn", "JP", "", "Japan"}) {
    auto org = directory().CreateOrganization("cli", {"Org", bad, ""});
    ASSERT_EQ(org.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(Contains(org.status(), "ISO 3166-1 alpha-3")) << org.status();
  }
  EXPECT_EQ(AuditCount(), 0);
}

TEST_P(DirectoryChecksTest, GivenIdIsKeptAndMustBeAnIdentityId) {
  std::string id = "identity--d20e5b6b-194f-46d9-aa89-883c049c46b9";
  auto org = directory().CreateOrganization("cli", {"NISC", "JPN", id});
  ASSERT_TRUE(org.ok()) << org.status();
  EXPECT_EQ(org->id, id);
  for (const char* bad :
       {"indicator--d20e5b6b-194f-46d9-aa89-883c049c46b9", "identity--x", "NISC"}) {
    auto o = directory().CreateOrganization("cli", {"Other", "JPN", bad});
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST_P(DirectoryChecksTest, OrganizationNamesAreChecked) {
  for (std::string bad : {std::string(""), std::string(" NISC"), std::string("a\nb"),
                          std::string("identity--abc"), std::string(300, 'x')}) {
    EXPECT_EQ(directory().CreateOrganization("cli", {bad, "JPN", ""}).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(
      directory().CreateOrganization("cli", {"内閣サイバーセキュリティセンター", "JPN", ""}).ok());
}

TEST_P(DirectoryChecksTest, ChangesNeedAnActor) {
  EXPECT_EQ(directory().CreateOrganization("", {"NISC", "JPN", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(directory().CreateGroup("", "jpn-usa").code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(DirectoryChecksTest, GroupAndUserNamesAreChecked) {
  for (const char* bad : {"", "JPN-USA", "jpn usa", "jpn/usa"}) {
    EXPECT_EQ(directory().CreateGroup("cli", bad).code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(directory().CreateGroup("cli", std::string(65, 'a')).code(),
            absl::StatusCode::kInvalidArgument);
  Org("NISC", "JPN");
  uint8_t reader = static_cast<uint8_t>(identity::Role::kReader);
  for (const char* bad : {"", "al:ice", "al ice", "alice\n"}) {
    auto u = directory().CreateUser("cli", {bad, "NISC", reader});
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(directory().CreateUser("cli", {"alice.b-c_d@nisc", "NISC", reader}).ok());
}

TEST_P(DirectoryChecksTest, UsersNeedKnownRoles) {
  Org("NISC", "JPN");
  auto none = directory().CreateUser("cli", {"alice", "NISC", 0});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(none.status(), "roles")) << none.status();
  EXPECT_EQ(directory().CreateUser("cli", {"alice", "NISC", 0x20}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(directory().CreateUser("cli", {"alice", "NISC", 0x0f}).ok());
  EXPECT_EQ(directory().SetUserRoles("cli", "alice", 0).code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(DirectoryChecksTest, TokensAreChecked) {
  Org("NISC", "JPN");
  ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", 1}).ok());
  NewToken ok{"0123456789abcdef", "alice", kHash, "laptop", std::nullopt};
  NewToken bad_id = ok;
  bad_id.id = "ABC";
  EXPECT_EQ(directory().CreateToken("cli", bad_id).status().code(),
            absl::StatusCode::kInvalidArgument);
  NewToken plain = ok;
  plain.secret_hash = "secret";
  EXPECT_EQ(directory().CreateToken("cli", plain).status().code(),
            absl::StatusCode::kInvalidArgument);
  NewToken past = ok;
  past.expires_us = kDirectoryStart;
  EXPECT_EQ(directory().CreateToken("cli", past).status().code(),
            absl::StatusCode::kInvalidArgument);
  NewToken label = ok;
  label.label = std::string(kMaxTokenLabelBytes + 1, 'x');
  EXPECT_EQ(directory().CreateToken("cli", label).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(directory().CreateToken("cli", ok).ok());
}

TEST_P(DirectoryChecksTest, GrantsNeedAPermission) {
  Org("NISC", "JPN");
  auto g = directory().AddGrant("cli", collection_, {GranteeKind::kOrganization, "NISC"}, {});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  auto r = directory().RemoveGrant("cli", collection_, {GranteeKind::kOrganization, "NISC"}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(DirectoryChecksTest, LocalChangesCountSuccessfulChangesOnly) {
  int64_t before = directory().LocalChanges();
  Org("NISC", "JPN");
  EXPECT_EQ(directory().LocalChanges(), before + 1);
  EXPECT_FALSE(directory().CreateOrganization("cli", {"NISC", "JPN", ""}).ok());  // duplicate
  EXPECT_FALSE(directory().CreateGroup("cli", "BAD").ok());
  EXPECT_EQ(directory().LocalChanges(), before + 1);
}

TEST_P(DirectoryChecksTest, AuditPageLimitIsChecked) {
  EXPECT_EQ(directory().ReadAudit({.after_seq = 0, .limit = 0, .newest = false}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(directory()
                .ReadAudit({.after_seq = 0, .limit = kMaxAuditPage + 1, .newest = false})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kizuna::store
