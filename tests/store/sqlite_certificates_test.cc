// Kizuna. Client certificates mapped to users in the directory, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include "directory_test_util.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

constexpr uint8_t kReader = static_cast<uint8_t>(identity::Role::kReader);
constexpr std::string_view kSha =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
// The same, as `openssl x509 -fingerprint -sha256` prints it.
constexpr std::string_view kOpensslSha =
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
    "EF";

class CertificatesTest : public DirectoryTest {
 protected:
  void SetUp() override {
    DirectoryTest::SetUp();
    Org("CISA", "USA");
    ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa").ok());
    ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", "CISA").ok());
    ASSERT_TRUE(directory().CreateUser("cli", {"usa-node", "CISA", kReader}).ok());
  }
};
INSTANTIATE_DIRECTORY_BACKENDS(CertificatesTest);

// Issue 24: a certificate logs in as the user it is mapped to, by its SHA-256.
TEST_P(CertificatesTest, MappedCertificateGivesTheUsersCredential) {
  auto added = directory().AddUserCertificate("cli", "usa-node", kOpensslSha, "USA node");
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->sha256, kSha) << "stored as 64 lowercase hex digits";
  EXPECT_EQ(LastEvent().action, "user.cert.add");
  EXPECT_EQ(LastEvent().target, "usa-node");
  EXPECT_TRUE(Contains(LastEvent().details, kSha)) << LastEvent().details;
  auto c = directory().GetCertificateCredential(kSha);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->user.name, "usa-node");
  EXPECT_EQ(c->nation, "USA");
  EXPECT_EQ(c->groups, std::vector<std::string>{"jpn-usa"});
  auto listed = directory().ListUserCertificates("usa-node");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].label, "USA node");
}

TEST_P(CertificatesTest, RemovedUnknownAndMalformedCertificates) {
  ASSERT_TRUE(directory().AddUserCertificate("cli", "usa-node", kSha, "").ok());
  EXPECT_EQ(directory().AddUserCertificate("cli", "usa-node", kSha, "").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      directory().AddUserCertificate("cli", "nobody", std::string(64, 'a'), "").status().code(),
      absl::StatusCode::kNotFound);
  absl::Status bad = directory().AddUserCertificate("cli", "usa-node", "abc", "").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad, "64 hex digits")) << bad;
  EXPECT_EQ(
      directory().AddUserCertificate("cli", "usa-node", std::string(64, 'g'), "").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(directory().GetCertificateCredential(std::string(64, 'b')).status().code(),
            absl::StatusCode::kNotFound);
  const int64_t before = *directory().ChangeVersion();
  ASSERT_TRUE(directory().RemoveUserCertificate("cli", kOpensslSha).ok());
  EXPECT_NE(*directory().ChangeVersion(), before) << "a removal is a change the server sees";
  EXPECT_EQ(LastEvent().action, "user.cert.remove");
  EXPECT_EQ(directory().GetCertificateCredential(kSha).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(directory().RemoveUserCertificate("cli", kSha).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(directory().ListUserCertificates("")->empty());
}

}  // namespace
}  // namespace kizuna::store
