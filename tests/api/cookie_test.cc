// Kizuna.
#include "kizuna/api/cookie.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"

namespace kizuna::api {
namespace {

TEST(CookieValue, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue("a=1; kizuna_session=abc; b=2", "kizuna_session"), "abc");
  EXPECT_EQ(CookieValue("kizuna_session=abc", "kizuna_session"), "abc");
  EXPECT_EQ(CookieValue("  kizuna_session = \"abc\" ;x=y", "kizuna_session"), "abc");
}

TEST(CookieValue, IgnoresLookalikesAndAbsence) {
  EXPECT_EQ(CookieValue("", "kizuna_session"), "");
  EXPECT_EQ(CookieValue("xkizuna_session=1; kizuna_sessionx=2", "kizuna_session"), "");
  EXPECT_EQ(CookieValue("kizuna_session", "kizuna_session"), "");
  EXPECT_EQ(CookieValue("a=1;;;kizuna_session=z", "kizuna_session"), "z");
}

TEST(CookieValue, TakesTheFirstOfTwo) {
  EXPECT_EQ(CookieValue("kizuna_session=first; kizuna_session=second", "kizuna_session"), "first");
}

TEST(CookieValue, LooksAtABoundedNumberOfCookies) {
  std::string header;
  for (size_t i = 0; i < kMaxCookies; ++i) StrAppend(header, "c", i, "=v; ");
  EXPECT_EQ(CookieValue(header + "kizuna_session=late", "kizuna_session"), "");
}

TEST(SessionCookieHeader, HasEveryProtectiveFlag) {
  std::string h = SessionCookieHeader("ID");
  EXPECT_EQ(h, "kizuna_session=ID; Path=/; HttpOnly; Secure; SameSite=Strict");
  std::string cleared = ClearedSessionCookieHeader();
  EXPECT_TRUE(cleared.starts_with("kizuna_session=;"));
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos);
  EXPECT_NE(cleared.find("HttpOnly"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::api
