// Kizuna.
#include "kizuna/taxii/auth/authorization.h"

#include <gtest/gtest.h>

#include "kizuna/base/digest.h"
#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

constexpr std::string_view kToken =
    "kz_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

std::string Basic(std::string_view user_and_password) {
  return StrCat("Basic ", Base64Encode(user_and_password));
}

TEST(AuthorizationTest, Bearer) {
  auto c = ParseAuthorization(StrCat("Bearer ", kToken));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, AuthScheme::kBearer);
  EXPECT_EQ(c->token, kToken);
  EXPECT_EQ(c->user, "");
}

TEST(AuthorizationTest, SchemeIsCaseInsensitiveAndSpacesAreOptional) {
  for (std::string header : {StrCat("bearer ", kToken), StrCat("BEARER\t", kToken),
                             StrCat("  Bearer   ", kToken, "  ")}) {
    auto c = ParseAuthorization(header);
    ASSERT_TRUE(c.ok()) << header << ": " << c.status();
    EXPECT_EQ(c->token, kToken);
  }
}

TEST(AuthorizationTest, BasicSplitsAtTheFirstColon) {
  auto c = ParseAuthorization(Basic(StrCat("alice:", kToken)));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, AuthScheme::kBasic);
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->token, kToken);
  auto colon = ParseAuthorization(Basic("alice:pass:word"));
  ASSERT_TRUE(colon.ok()) << colon.status();
  EXPECT_EQ(colon->token, "pass:word");
  EXPECT_EQ(ParseAuthorization(StrCat("basic ", Base64Encode("a:b")))->user, "a");
}

TEST(AuthorizationTest, MalformedHeadersAreUnauthenticated) {
  struct Case {
    std::string header;
    std::string_view why;
  };
  const Case cases[] = {
      {"", "no Authorization"},
      {"   ", "no Authorization"},
      {"Bearer", "no credentials"},
      {"Bearer ", "no credentials"},
      {StrCat("Bearer ", kToken, " extra"), "one word"},
      {"Digest username=alice, realm=taxii", "one word"},
      {"Digest username=alice", "unsupported scheme"},
      {StrCat("Token ", kToken), "unsupported scheme"},
      {"Basic !!!!", "not base64"},
      {"Basic YWxpY2U", "not base64"},  // unpadded
      {Basic("alice"), "no ':'"},
      {Basic(":token"), "empty user"},
      {Basic("alice:"), "empty password"},
      {Basic("al\nice:token"), "control character"},
      {StrCat("Bearer ", std::string(kMaxAuthorizationBytes, 'a')), "longer than"},
      {StrCat("Basic ", std::string(1 << 20, 'A')), "longer than"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseAuthorization(c.header);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kUnauthenticated) << c.header.substr(0, 40);
    EXPECT_NE(View(parsed.status().message()).find(c.why), std::string_view::npos)
        << c.header.substr(0, 40) << ": " << parsed.status();
  }
}

TEST(AuthorizationTest, LongestAcceptedHeaderIsTheLimit) {
  std::string header = StrCat("Bearer ", std::string(kMaxAuthorizationBytes - 7, 'a'));
  ASSERT_EQ(header.size(), kMaxAuthorizationBytes);
  EXPECT_TRUE(ParseAuthorization(header).ok());
}

}  // namespace
}  // namespace kizuna::taxii
