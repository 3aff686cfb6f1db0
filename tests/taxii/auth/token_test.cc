// Kizuna.
#include "kizuna/taxii/auth/token.h"

#include <gtest/gtest.h>

#include "auth_test_util.h"
#include "kizuna/base/file.h"

namespace kizuna::taxii {
namespace {

constexpr std::string_view kSecret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

TEST(TokenTextTest, ParsesTheDocumentedForm) {
  std::string token = StrCat("kz_0123456789abcdef_", kSecret);
  ASSERT_EQ(token.size(), kTokenChars);
  auto parts = ParseToken(token);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->id, "0123456789abcdef");
  EXPECT_EQ(parts->secret, kSecret);
  std::string url_safe(kTokenSecretChars, '-');
  url_safe[1] = '_';  // the secret may contain the separator: the id has a fixed length
  auto dashes = ParseToken(StrCat("kz_0123456789abcdef_", url_safe));
  ASSERT_TRUE(dashes.has_value());
  EXPECT_EQ(dashes->secret, url_safe);
}

TEST(TokenTextTest, RefusesAnythingElse) {
  for (std::string bad : {
           std::string(""), StrCat("kz_0123456789abcdef_", kSecret, "A"),  // too long
           StrCat("kz_0123456789abcdef_", kSecret.substr(1)),              // too short
           StrCat("KZ_0123456789abcdef_", kSecret),                        // prefix
           StrCat("kz_0123456789ABCDEF_", kSecret),                        // uppercase id
           StrCat("kz_0123456789abcdeg_", kSecret),                        // non-hex id
           StrCat("kz_0123456789abcdef-", kSecret),                        // separator
           StrCat("kz_0123456789abcdef_", kSecret.substr(1), "="),         // padding
           StrCat("kz_0123456789abcdef_", kSecret.substr(1), "+"),         // not URL-safe
       }) {
    EXPECT_FALSE(ParseToken(bad).has_value()) << bad;
  }
}

TEST(TokenHashTest, VerifiesOnlyTheHashedSecret) {
  auto hash = HashSecret(kSecret, kTestHashParams);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *hash;
  EXPECT_TRUE(VerifySecret(*hash, kSecret));
  EXPECT_FALSE(VerifySecret(*hash, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"));
  EXPECT_FALSE(VerifySecret(*hash, ""));
  EXPECT_FALSE(VerifySecret("not a hash", kSecret));
  EXPECT_FALSE(VerifySecret(std::string(1000, '$'), kSecret));
  auto again = HashSecret(kSecret, kTestHashParams);
  EXPECT_NE(*again, *hash);  // salted
}

TEST(TokenHashTest, DefaultParametersAreTheDocumentedOnes) {
  auto hash = HashSecret(kSecret, HashParams{});
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(VerifySecret(*hash, kSecret));
}

class IssueTokenTest : public AuthTest {};

TEST_F(IssueTokenTest, IssuedTokenIsStoredAsAHashOnly) {
  auto issued = IssueToken(directory(), "cli", {"alice", "laptop", kDirectoryStart + 1000000},
                           random_, kTestHashParams);
  ASSERT_TRUE(issued.ok()) << issued.status();
  auto parts = ParseToken(issued->text);
  ASSERT_TRUE(parts.has_value()) << issued->text;
  EXPECT_EQ(parts->id, issued->token.id);
  EXPECT_EQ(issued->token.user, "alice");
  EXPECT_EQ(issued->token.label, "laptop");
  EXPECT_EQ(issued->token.expires_us, kDirectoryStart + 1000000);
  auto credential = directory().GetCredential(issued->token.id);
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_TRUE(VerifySecret(credential->secret_hash, parts->secret));
  EXPECT_EQ(LastEvent().action, "token.create");
  EXPECT_FALSE(store::Contains(LastEvent().details, parts->secret));
  // Neither the database nor its log holds the secret.
  db_.reset();
  for (const char* file : {"kizuna.db", "kizuna.db-wal"}) {
    auto bytes = ReadFile(dir_.File(file), uint64_t{1} << 30);
    if (!bytes.ok()) continue;
    std::string_view text(bytes->data(), bytes->size());
    EXPECT_EQ(text.find(parts->secret), std::string_view::npos) << file;
  }
}

TEST_F(IssueTokenTest, TokensDiffer) {
  std::string a = Issue("alice");
  std::string b = Issue("alice");
  EXPECT_NE(a, b);
  EXPECT_NE(IdOf(a), IdOf(b));
  EXPECT_EQ(directory().ListTokens("alice")->size(), 2u);
}

TEST_F(IssueTokenTest, UnknownUserGetsNoToken) {
  auto issued =
      IssueToken(directory(), "cli", {"carol", "", std::nullopt}, random_, kTestHashParams);
  EXPECT_EQ(issued.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(directory().ListTokens("")->empty());
}

}  // namespace
}  // namespace kizuna::taxii
