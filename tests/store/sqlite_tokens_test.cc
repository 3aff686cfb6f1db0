// Kizuna. API tokens and credentials in the directory, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include "directory_test_util.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

constexpr uint8_t kReader = static_cast<uint8_t>(identity::Role::kReader);

class TokensTest : public DirectoryTest {
 protected:
  void SetUp() override {
    DirectoryTest::SetUp();
    jpn_ = Org("NISC", "JPN");
    Org("CISA", "USA");
    ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa").ok());
    ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa-kor").ok());
    ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa-kor", "NISC").ok());
    ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", "NISC").ok());
    ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", kReader}).ok());
    ASSERT_TRUE(directory().CreateUser("cli", {"bob", "CISA", kReader}).ok());
  }
  absl::StatusOr<Token> Create(std::string id, std::string user,
                               std::optional<int64_t> expires = std::nullopt) {
    return directory().CreateToken("cli",
                                   {std::move(id), std::move(user), kHash, "laptop", expires});
  }
  std::string jpn_;
};
INSTANTIATE_DIRECTORY_BACKENDS(TokensTest);

// The SQLite store's own query plans.
class SqliteTokensTest : public TokensTest {};

TEST_P(TokensTest, CreatedTokenIsListedWithoutItsHash) {
  auto t = Create("00000000000000a1", "alice", kDirectoryStart + 1000);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->created_us, kDirectoryStart);
  EXPECT_EQ(LastEvent().action, "token.create");
  EXPECT_EQ(LastEvent().target, "00000000000000a1");
  EXPECT_TRUE(Contains(LastEvent().details, "\"user\":\"alice\"")) << LastEvent().details;
  EXPECT_FALSE(Contains(LastEvent().details, "argon2"));
  ASSERT_TRUE(Create("00000000000000b1", "bob").ok());
  auto all = directory().ListTokens("");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  auto mine = directory().ListTokens("alice");
  ASSERT_EQ(mine->size(), 1u);
  const Token& token = mine->front();
  EXPECT_EQ(token.id, "00000000000000a1");
  EXPECT_EQ(token.user, "alice");
  EXPECT_EQ(token.label, "laptop");
  EXPECT_EQ(token.expires_us, kDirectoryStart + 1000);
  EXPECT_FALSE(token.revoked_us);
  EXPECT_FALSE(token.last_used_us);
  EXPECT_TRUE(token.ActiveAt(kDirectoryStart + 999));
  EXPECT_FALSE(token.ActiveAt(kDirectoryStart + 1000));
  EXPECT_EQ(directory().ListTokens("carol").status().code(), absl::StatusCode::kNotFound);
}

// A token or password made while the user held less (an organisation administrator can
// issue both) must not carry a promotion to node administrator or peer.
TEST_P(TokensTest, APromotionToNodeAdminOrPeerRevokesTokensAndClearsThePassword) {
  constexpr uint8_t kPublisher = static_cast<uint8_t>(identity::Role::kPublisher);
  constexpr uint8_t kNodeAdmin = static_cast<uint8_t>(identity::Role::kNodeAdmin);
  constexpr uint8_t kPeer = static_cast<uint8_t>(identity::Role::kPeer);
  ASSERT_TRUE(Create("00000000000000a1", "alice").ok());
  ASSERT_TRUE(Create("00000000000000b1", "bob").ok());
  ASSERT_TRUE(directory().SetUserPassword("cli", "alice", kHash).ok());
  ASSERT_TRUE(directory().SetUserPassword("cli", "bob", kHash).ok());
  ASSERT_TRUE(directory().SetUserRoles("cli", "alice", kReader | kPublisher).ok());
  EXPECT_FALSE(directory().GetCredential("00000000000000a1")->token.revoked_us) << "no promotion: kept";
  EXPECT_EQ(directory().GetPasswordCredential("alice")->password_hash, kHash);

  ASSERT_TRUE(directory().SetUserRoles("cli", "alice", kReader | kNodeAdmin).ok());
  EXPECT_EQ(directory().GetCredential("00000000000000a1")->token.revoked_us, kDirectoryStart);
  EXPECT_EQ(directory().GetPasswordCredential("alice")->password_hash, "");
  EXPECT_FALSE(directory().GetCredential("00000000000000b1")->token.revoked_us) << "another user's";
  EXPECT_EQ(directory().GetPasswordCredential("bob")->password_hash, kHash);

  // Credentials issued after the promotion stay while the role is kept.
  ASSERT_TRUE(Create("00000000000000a2", "alice").ok());
  ASSERT_TRUE(directory().SetUserRoles("cli", "alice", kNodeAdmin).ok());
  EXPECT_FALSE(directory().GetCredential("00000000000000a2")->token.revoked_us);
  ASSERT_TRUE(directory().SetUserRoles("cli", "bob", kPeer).ok());
  EXPECT_TRUE(directory().GetCredential("00000000000000b1")->token.revoked_us);
}

// The role check of a token or password an organisation administrator makes runs in the
// write itself, so it cannot land after a promotion that committed since the check.
TEST_P(TokensTest, ATokenOrPasswordRefusedForARoleIsNotStored) {
  constexpr uint8_t kNodeAdmin = static_cast<uint8_t>(identity::Role::kNodeAdmin);
  ASSERT_TRUE(directory().SetUserRoles("cli", "alice", kNodeAdmin).ok());
  NewToken token{"00000000000000a1", "alice", kHash, "laptop", std::nullopt, kNodeAdmin};
  EXPECT_EQ(directory().CreateToken("kor-admin", token).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(directory().ListTokens("alice")->empty());
  EXPECT_EQ(directory().SetUserPassword("kor-admin", "alice", kHash, kNodeAdmin).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(directory().GetPasswordCredential("alice")->password_hash, "");
  // Without the role, or without refused roles, both are stored.
  EXPECT_TRUE(directory().SetUserPassword("cli", "alice", kHash).ok());
  EXPECT_TRUE(directory().CreateToken("kor-admin", {"00000000000000b1", "bob", kHash, "", std::nullopt, kNodeAdmin}).ok());
}

TEST_P(TokensTest, TokenNeedsAKnownUserAndAFreeId) {
  EXPECT_EQ(Create("00000000000000a1", "carol").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Create("00000000000000a1", "alice").ok());
  EXPECT_EQ(Create("00000000000000a1", "bob").status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(TokensTest, CredentialCarriesUserOrganizationAndGroups) {
  ASSERT_TRUE(Create("00000000000000a1", "alice").ok());
  auto c = directory().GetCredential("00000000000000a1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->secret_hash, kHash);
  EXPECT_EQ(c->token.user, "alice");
  EXPECT_EQ(c->user.name, "alice");
  EXPECT_EQ(c->user.organization, jpn_);
  EXPECT_EQ(c->user.roles, kReader);
  EXPECT_EQ(c->nation, "JPN");
  EXPECT_EQ(c->groups, (std::vector<std::string>{"jpn-usa", "jpn-usa-kor"}));
  EXPECT_EQ(directory().GetCredential("00000000000000ff").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(directory().GetCredential("not a token id").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(TokensTest, RevocationIsForGood) {
  ASSERT_TRUE(Create("00000000000000a1", "alice").ok());
  clock_.Advance(5);
  ASSERT_TRUE(directory().RevokeToken("cli", "00000000000000a1").ok());
  EXPECT_EQ(LastEvent().action, "token.revoke");
  auto t = directory().ListTokens("alice")->front();
  EXPECT_EQ(t.revoked_us, kDirectoryStart + 5);
  EXPECT_FALSE(t.ActiveAt(kDirectoryStart + 6));
  int64_t events = AuditCount();
  EXPECT_EQ(directory().RevokeToken("cli", "00000000000000a1").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(directory().RevokeToken("cli", "00000000000000ff").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(AuditCount(), events);  // failed changes leave no event
  EXPECT_TRUE(directory().GetCredential("00000000000000a1")->token.revoked_us);
}

TEST_P(TokensTest, TouchRecordsLastUseWithoutBeingAChange) {
  ASSERT_TRUE(Create("00000000000000a1", "alice").ok());
  int64_t version = *directory().ChangeVersion();
  int64_t local = directory().LocalChanges();
  int64_t events = AuditCount();
  ASSERT_TRUE(directory().TouchToken("00000000000000a1", kDirectoryStart + 100).ok());
  ASSERT_TRUE(directory().TouchToken("00000000000000a1", kDirectoryStart + 50).ok());  // older
  EXPECT_EQ(directory().ListTokens("alice")->front().last_used_us, kDirectoryStart + 100);
  EXPECT_EQ(*directory().ChangeVersion(), version);
  EXPECT_EQ(directory().LocalChanges(), local);
  EXPECT_EQ(AuditCount(), events);
}

TEST_F(SqliteTokensTest, LookupsUseIndexes) {
  // The server reads credentials on every uncached request: no scans.
  auto conn = Connection::Open(path(), true);
  ASSERT_TRUE(conn.ok()) << conn.status();
  for (const char* sql :
       {"EXPLAIN QUERY PLAN SELECT t.id FROM tokens t JOIN users u ON u.pk = t.user"
        " JOIN organizations o ON o.pk = u.organization WHERE t.id = 'x'",
        "EXPLAIN QUERY PLAN SELECT g.name FROM group_members m JOIN sharing_groups g"
        " ON g.pk = m.grp WHERE m.organization = 1 ORDER BY g.name",
        "EXPLAIN QUERY PLAN SELECT value FROM node_state WHERE key = 'identity_version'"}) {
    auto st = (*conn)->Cached(sql);
    ASSERT_TRUE(st.ok()) << st.status();
    for (;;) {
      auto row = (*st)->Step();
      ASSERT_TRUE(row.ok());
      if (!*row) break;
      std::string detail((*st)->Text(3));
      EXPECT_FALSE(detail.starts_with("SCAN")) << sql << ": " << detail;
    }
  }
}

}  // namespace
}  // namespace kizuna::store
