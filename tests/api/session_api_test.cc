// Kizuna.
#include "kizuna/api/session_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth_test_util.h"
#include "kizuna/api/cookie.h"
#include "kizuna/api/password.h"
#include "kizuna/taxii/auth/token_authenticator.h"

namespace kizuna::api {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr char kPassword[] = "correct horse battery";

class SessionApiTest : public taxii::AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    absl::StatusOr<std::string> hash = HashPassword(kPassword, taxii::kTestHashParams);
    ASSERT_TRUE(hash.ok()) << hash.status();
    ASSERT_TRUE(directory().SetUserPassword("cli", "alice", *hash).ok());
    taxii::AuthenticatorOptions o;
    o.touch_in_background = false;
    auth_ = std::make_unique<taxii::TokenAuthenticator>(directory(), clock_, o);
    SessionOptions options;
    options.idle_timeout_us = 60 * kSecond;
    sessions_ = std::make_unique<SessionStore>(clock_, random_, options);
    api_ = std::make_unique<SessionApi>(directory(), *auth_, *sessions_, clock_,
                                        taxii::FailureLimits{3, 60 * kSecond, 60 * kSecond, 64});
  }

  http::Response Call(http::Method method, std::string body = "", std::string cookie = "", std::string csrf = "") {
    http::Request r;
    r.method = method;
    r.target = "/api/v1/session";
    r.body = std::move(body);
    r.cookie = std::move(cookie);
    r.csrf_token = std::move(csrf);
    r.content_type = "application/json";
    r.remote = "198.51.100.7:4000";
    http::RequestInfo info;
    return api_->Answer(r, info);
  }
  static std::string SetCookie(const http::Response& r) {
    for (const auto& [k, v] : r.headers) {
      if (k == "Set-Cookie") return v;
    }
    return "";
  }
  // The cookie header a browser sends back after `r`.
  static std::string CookieOf(const http::Response& r) {
    std::string set = SetCookie(r);
    return set.substr(0, set.find(';'));
  }
  static std::string CsrfOf(const http::Response& r) {
    return std::string(boost::json::parse(r.body).as_object().at("csrf").as_string());
  }

  std::unique_ptr<taxii::TokenAuthenticator> auth_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<SessionApi> api_;
};

TEST_F(SessionApiTest, PasswordSignInGivesAProtectedCookieAndTheUser) {
  http::Response r = Call(http::Method::kPost, R"({"user":"alice","password":"correct horse battery"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(SetCookie(r).find("HttpOnly; Secure; SameSite=Strict"), std::string::npos);
  boost::json::object body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body["user"].as_string(), "alice");
  EXPECT_EQ(body["nation"].as_string(), "JPN");
  EXPECT_EQ(body["organization_name"].as_string(), "NISC");
  EXPECT_EQ(body["roles"].as_array().size(), 2u);
  EXPECT_EQ(LastEvent().action, "session.create");

  http::Response again = Call(http::Method::kGet, "", CookieOf(r));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(CsrfOf(again), CsrfOf(r));
}

TEST_F(SessionApiTest, WrongPasswordsUnknownUsersAndUsersWithoutPasswordAllFailAlike) {
  http::Response wrong = Call(http::Method::kPost, R"({"user":"alice","password":"wrong horse battery"})");
  http::Response unknown = Call(http::Method::kPost, R"({"user":"mallory","password":"correct horse battery"})");
  http::Response none = Call(http::Method::kPost, R"({"user":"bob","password":"correct horse battery"})");
  for (const http::Response* r : {&wrong, &unknown, &none}) {
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->body, wrong.body);
    EXPECT_EQ(SetCookie(*r), "");
  }
  EXPECT_EQ(LastEvent().action, "auth.fail");
}

TEST_F(SessionApiTest, TheFailureLimiterBlocksAClientWith429) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Call(http::Method::kPost, R"({"user":"alice","password":"wrong password!"})").status, 401);
  }
  // Blocked: even the right password is not checked until the block ends.
  EXPECT_EQ(Call(http::Method::kPost, R"({"user":"alice","password":"correct horse battery"})").status, 429);
  clock_.Advance(61 * kSecond);
  EXPECT_EQ(Call(http::Method::kPost, R"({"user":"alice","password":"correct horse battery"})").status, 200);
}

TEST_F(SessionApiTest, TokenSignInAndRevocationEndsTheSession) {
  std::string token = Issue("bob");
  http::Response r = Call(http::Method::kPost, StrCat(R"({"token":")", token, R"("})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 200);
  ASSERT_TRUE(directory().RevokeToken("cli", IdOf(token)).ok());
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 401);
  EXPECT_EQ(Call(http::Method::kPost, R"({"token":"kz_0000000000000000_notatoken"})").status, 401);
}

TEST_F(SessionApiTest, DisablingTheUserOrClearingThePasswordEndsTheSession) {
  http::Response r = Call(http::Method::kPost, R"({"user":"alice","password":"correct horse battery"})");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(directory().SetUserDisabled("cli", "alice", true).ok());
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 401);
  ASSERT_TRUE(directory().SetUserDisabled("cli", "alice", false).ok());
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 200);
  ASSERT_TRUE(directory().SetUserPassword("cli", "alice", "").ok());
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 401);
}

TEST_F(SessionApiTest, IdleSessionsEnd) {
  http::Response r = Call(http::Method::kPost, R"({"user":"alice","password":"correct horse battery"})");
  ASSERT_EQ(r.status, 200);
  clock_.Advance(61 * kSecond);
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 401);
}

TEST_F(SessionApiTest, SignOutNeedsTheCsrfTokenAndEndsTheSession) {
  http::Response r = Call(http::Method::kPost, R"({"user":"alice","password":"correct horse battery"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Call(http::Method::kDelete, "", CookieOf(r)).status, 403);
  EXPECT_EQ(Call(http::Method::kDelete, "", CookieOf(r), "wrong").status, 403);
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 200);
  http::Response out = Call(http::Method::kDelete, "", CookieOf(r), CsrfOf(r));
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(SetCookie(out).find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Call(http::Method::kGet, "", CookieOf(r)).status, 401);
}

TEST_F(SessionApiTest, MalformedBodiesAre400) {
  EXPECT_EQ(Call(http::Method::kPost, "not json").status, 400);
  EXPECT_EQ(Call(http::Method::kPost, R"({"user":"alice"})").status, 400);
  EXPECT_EQ(Call(http::Method::kPost, "[]").status, 400);
}

TEST(CsrfMatches, ComparesWholeTokens) {
  EXPECT_TRUE(CsrfMatches("abc", "abc"));
  EXPECT_FALSE(CsrfMatches("abd", "abc"));
  EXPECT_FALSE(CsrfMatches("ab", "abc"));
  EXPECT_FALSE(CsrfMatches("", ""));
}

TEST(HashPassword, RefusesShortLongAndControlCharacters) {
  EXPECT_FALSE(HashPassword("short", taxii::kTestHashParams).ok());
  EXPECT_FALSE(HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), taxii::kTestHashParams).ok());
  EXPECT_FALSE(HashPassword("twelve chars\n!", taxii::kTestHashParams).ok());
  absl::StatusOr<std::string> h = HashPassword("twelve chars!", taxii::kTestHashParams);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(CheckPassword(*h, "twelve chars!"));
  EXPECT_FALSE(CheckPassword(*h, "twelve chars?"));
  EXPECT_FALSE(CheckPassword("", "twelve chars!"));
}

}  // namespace
}  // namespace kizuna::api
