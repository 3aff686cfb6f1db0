// Kizuna.
#include "kizuna/taxii/auth/token_authenticator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "auth_test_util.h"

namespace kizuna::taxii {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr std::string_view kRemote = "198.51.100.7";

class TokenAuthenticatorTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    token_ = Issue("alice");
  }
  AuthenticatorOptions Options() {
    AuthenticatorOptions o;
    o.per_token = {3, 60 * kSecond, 60 * kSecond, 64};
    o.per_client = {10, 60 * kSecond, 60 * kSecond, 64};
    o.touch_in_background = false;  // last_used is checked right after each request
    o.failure_audits.interval_us = 0;  // every failure audited, so each reason can be read
    return o;
  }
  TokenAuthenticator& auth() {
    if (!auth_) auth_ = std::make_unique<TokenAuthenticator>(directory(), clock_, options_);
    return *auth_;
  }
  absl::StatusOr<identity::Principal> Try(const std::string& header,
                                        std::string_view remote = kRemote) {
    return auth().Authenticate(header, remote);
  }
  // Checks that `header` fails as every failure does, and returns the audited reason.
  std::string FailureReason(const std::string& header, std::string_view remote = kRemote) {
    size_t before = Failures().size();
    auto p = Try(header, remote);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(View(p.status().message()), TokenAuthenticator::kFailureMessage);
    auto after = Failures();
    if (after.size() != before + 1) return "(not audited)";
    boost::json::object details = boost::json::parse(after.back().details).as_object();
    return std::string(details["reason"].as_string());
  }
  // Replaces the stored hashes, so that only a cached verification can succeed.
  void BreakStoredHashes() {
    auto conn = store::Connection::Open(path(), false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec("UPDATE tokens SET secret_hash = '$argon2id$broken'").ok());
  }

  std::string token_;
  AuthenticatorOptions options_ = Options();
  std::unique_ptr<TokenAuthenticator> auth_;
};

TEST_F(TokenAuthenticatorTest, BearerGivesTheUsersPrincipal) {
  auto p = Try(Bearer(token_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(p->organization, nisc_);
  EXPECT_EQ(p->nation, "JPN");
  EXPECT_EQ(p->groups, std::vector<std::string>{"jpn-usa"});
  EXPECT_EQ(p->roles, kReader | kPublisher);
  EXPECT_TRUE(Failures().empty());
}

// Issue 24: a verified client certificate logs in as the user it is mapped to, when the
// request has no Authorization header; one mapped to nobody fails like a bad token.
TEST_F(TokenAuthenticatorTest, ClientCertificatesLogInAsTheirUser) {
  const std::string sha(64, 'c');
  ASSERT_TRUE(directory().AddUserCertificate("cli", "bob", sha, "").ok());
  http::Request request;
  request.remote = std::string(kRemote);
  request.client_certificate = sha;
  auto p = auth().AuthenticateRequest(request);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user, "bob");
  EXPECT_EQ(p->nation, "USA");
  request.authorization = Bearer(token_);
  EXPECT_EQ(auth().AuthenticateRequest(request)->user, "alice") << "a header decides when there is one";
  request.authorization.clear();
  request.client_certificate = std::string(64, 'd');
  p = auth().AuthenticateRequest(request);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(View(p.status().message()), TokenAuthenticator::kFailureMessage);
  ASSERT_FALSE(Failures().empty());
  EXPECT_EQ(Failures().back().target, request.client_certificate);
  EXPECT_NE(Failures().back().details.find("client certificate maps to no user"), std::string::npos);
  ASSERT_TRUE(directory().SetUserDisabled("cli", "bob", true).ok());
  request.client_certificate = sha;
  EXPECT_EQ(auth().AuthenticateRequest(request).status().code(), absl::StatusCode::kUnauthenticated)
      << "a disabled user's certificate is refused at once";
  EXPECT_NE(auth().MetricsText().find("reason=\"unknown_certificate\"} 1"), std::string::npos);
}

TEST_F(TokenAuthenticatorTest, BasicNeedsTheTokensOwner) {
  auto p = Try(Basic("alice", token_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(FailureReason(Basic("bob", token_)), "token belongs to another user");
  // Also when the token is already cached.
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  EXPECT_EQ(FailureReason(Basic("bob", token_)), "token belongs to another user");
  EXPECT_EQ(Failures().back().remote, kRemote);
  EXPECT_TRUE(store::Contains(Failures().back().details, "\"user\":\"bob\""));
}

TEST_F(TokenAuthenticatorTest, EveryFailureLooksTheSame) {
  std::string wrong_secret = token_;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  std::string unknown_id = token_;
  unknown_id[5] = unknown_id[5] == '0' ? '1' : '0';
  EXPECT_EQ(FailureReason(Bearer(wrong_secret)), "wrong secret");
  EXPECT_EQ(FailureReason(Bearer(unknown_id)), "unknown token id");
  EXPECT_EQ(FailureReason("Bearer not-a-token"), "malformed token");
  EXPECT_EQ(FailureReason(""), "(not audited)");  // issue 19, item 15: only counted
  EXPECT_EQ(FailureReason("Basic %%%"),
            "malformed Authorization header: Basic credentials are not base64");
  EXPECT_EQ(FailureReason(StrCat("Basic ", Base64Encode("alice"))),
            "malformed Authorization header: Basic credentials have no ':'");
  EXPECT_EQ(FailureReason(StrCat("Bearer ", std::string(100000, 'x'))),
            "malformed Authorization header: longer than 1024 bytes");
  auto events = Failures();
  EXPECT_EQ(events[0].target, IdOf(token_));
  EXPECT_EQ(events[0].actor, "anonymous");
  EXPECT_EQ(events[1].target, IdOf(unknown_id));  // recorded, but not counted per id
}

TEST_F(TokenAuthenticatorTest, UntrustedTextIsRecordedSafely) {
  std::string header =
      StrCat("Basic ", Base64Encode(StrCat("\xff\xfe", std::string(500, 'u'), ":x")));
  EXPECT_EQ(FailureReason(header), "malformed token");
  std::string user(boost::json::parse(Failures().back().details).as_object()["user"].as_string());
  EXPECT_EQ(user.size(), 256u);
  EXPECT_TRUE(user.starts_with("??uuu"));
}

TEST_F(TokenAuthenticatorTest, VerifiedTokensAreCachedWithoutAnotherSlowHash) {
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  BreakStoredHashes();  // from now on only the cache can say yes
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  ASSERT_TRUE(Try(Basic("alice", token_)).ok());
  // A change re-reads the rows but does not hash again.
  ASSERT_TRUE(directory().CreateGroup("cli", "other").ok());
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  // Another authenticator, without the cache, must hash and so fails.
  TokenAuthenticator fresh(directory(), clock_, options_);
  EXPECT_FALSE(fresh.Authenticate(Bearer(token_), kRemote).ok());
}

TEST_F(TokenAuthenticatorTest, WrongSecretForACachedIdDoesNotEvictIt) {
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  std::string wrong = token_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(Try(Bearer(wrong)).ok());  // the id is suspect
  BreakStoredHashes();
  EXPECT_TRUE(Try(Bearer(token_)).ok());
}

TEST_F(TokenAuthenticatorTest, RevocationInThisProcessIsImmediate) {
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  ASSERT_TRUE(directory().RevokeToken("cli", IdOf(token_)).ok());
  EXPECT_EQ(FailureReason(Bearer(token_)), "token revoked");
}

TEST_F(TokenAuthenticatorTest, RevocationByAnotherProcessWithinTheRefreshInterval) {
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  auto cli = OpenAnother();  // `kizuna admin` in another process
  ASSERT_TRUE(DirectoryOf(*cli).RevokeToken("cli", IdOf(token_)).ok());
  EXPECT_TRUE(Try(Bearer(token_)).ok());  // within the documented staleness
  clock_.Advance(options_.refresh_interval_us);
  EXPECT_EQ(FailureReason(Bearer(token_)), "token revoked");
  clock_.Advance(options_.refresh_interval_us);
  EXPECT_EQ(FailureReason(Bearer(token_)), "token revoked");
}

TEST_F(TokenAuthenticatorTest, ExpiryIsExact) {
  std::string expiring = Issue("alice", kDirectoryStart + 10 * kSecond);
  ASSERT_TRUE(Try(Bearer(expiring)).ok());
  clock_.Advance(10 * kSecond - 1);
  ASSERT_TRUE(Try(Bearer(expiring)).ok());
  clock_.Advance(1);
  EXPECT_EQ(FailureReason(Bearer(expiring)), "token expired");
  EXPECT_EQ(FailureReason(Bearer(expiring)), "token expired");  // uncached now
  EXPECT_TRUE(Try(Bearer(token_)).ok());
}

TEST_F(TokenAuthenticatorTest, DisabledUsersAndChangedRolesAndGroupsAreSeen) {
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  auto cli = OpenAnother();
  ASSERT_TRUE(DirectoryOf(*cli).SetUserRoles("cli", "alice", kReader).ok());
  // KISA: not alice's organisation.
  ASSERT_TRUE(DirectoryOf(*cli).JoinGroup("cli", "jpn-usa", "KISA").ok());
  ASSERT_TRUE(DirectoryOf(*cli).CreateGroup("cli", "jpn-kor").ok());
  ASSERT_TRUE(DirectoryOf(*cli).JoinGroup("cli", "jpn-kor", "NISC").ok());
  clock_.Advance(options_.refresh_interval_us);
  auto p = Try(Bearer(token_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->roles, kReader);
  EXPECT_EQ(p->groups, (std::vector<std::string>{"jpn-kor", "jpn-usa"}));
  ASSERT_TRUE(DirectoryOf(*cli).SetUserDisabled("cli", "alice", true).ok());
  clock_.Advance(options_.refresh_interval_us);
  EXPECT_EQ(FailureReason(Bearer(token_)), "user disabled");
  ASSERT_TRUE(DirectoryOf(*cli).SetUserDisabled("cli", "alice", false).ok());
  clock_.Advance(options_.refresh_interval_us);
  EXPECT_TRUE(Try(Bearer(token_)).ok());
}

// Finding 4 of issue 16: knowing a token's id must not let anyone lock its owner out.
TEST_F(TokenAuthenticatorTest, WrongSecretsForATokenIdNeverLockOutItsOwner) {
  std::string wrong = token_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (int i = 0; i < 5; ++i) EXPECT_EQ(FailureReason(Bearer(wrong), "203.0.113.9"), "wrong secret");
  // The id is suspect now: its owner's first login draws on the small share, which the
  // flood has spent, so it is asked to retry (503), never refused (401)...
  EXPECT_EQ(Try(Bearer(token_)).status().code(), absl::StatusCode::kUnavailable);
  clock_.Advance(kSecond);
  EXPECT_TRUE(Try(Bearer(token_)).ok());  // ...and gets in once the share refills.
  // Once verified, wrong secrets for the id fail without the slow hash.
  BreakStoredHashes();
  EXPECT_EQ(FailureReason(Bearer(wrong), "203.0.113.9"), "wrong secret");
  EXPECT_TRUE(Try(Bearer(token_)).ok());
}

// Finding 4 of issue 16: each connection (a new port) started with no failures.
TEST_F(TokenAuthenticatorTest, RepeatedFailuresBlockAClientWhateverItsPort) {
  std::string unknown = StrCat("kz_00000000000000ff_", std::string(kTokenSecretChars, 'A'));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(FailureReason(Bearer(unknown), StrCat(kRemote, ":", 40000 + i)), "unknown token id");
  }
  EXPECT_EQ(FailureReason(Bearer(token_), StrCat(kRemote, ":50000")), "too many failures: blocked");
  EXPECT_EQ(FailureReason(Bearer(token_), kRemote), "too many failures: blocked");
  EXPECT_TRUE(Try(Bearer(token_), "203.0.113.9:50000").ok());
  // A cached token still works from the blocked address.
  EXPECT_TRUE(Try(Bearer(token_), StrCat(kRemote, ":50001")).ok());
  clock_.Advance(options_.per_client.block_us);
  std::string bobs = Issue("bob");
  EXPECT_TRUE(Try(Bearer(bobs), kRemote).ok());
}

TEST_F(TokenAuthenticatorTest, AnIPv6ClientIsItsSlash64) {
  std::string unknown = StrCat("kz_00000000000000ff_", std::string(kTokenSecretChars, 'A'));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(FailureReason(Bearer(unknown), StrCat("[2001:db8:0:7::", i + 1, "]:443")), "unknown token id");
  }
  EXPECT_EQ(FailureReason(Bearer(token_), "[2001:db8:0:7::ff]:443"), "too many failures: blocked");
  EXPECT_TRUE(Try(Bearer(token_), "[2001:db8:0:8::1]:443").ok());
}

// Finding 4 of issue 16: a full failure table refused every uncached token for a minute.
TEST_F(TokenAuthenticatorTest, AFullFailureTableNeverRefusesACleanClient) {
  options_.per_client.max_keys = 4;
  std::string unknown = StrCat("kz_00000000000000ff_", std::string(kTokenSecretChars, 'A'));
  for (int c = 0; c < 20; ++c) {
    for (int i = 0; i < 10; ++i) FailureReason(Bearer(unknown), StrCat("192.0.2.", c, ":", 1000 + i));
  }
  EXPECT_EQ(FailureReason(Bearer(token_), "192.0.2.19:2000"), "too many failures: blocked");
  EXPECT_TRUE(Try(Bearer(token_), "203.0.113.9:2000").ok());
}

// Finding 4 of issue 16: slow checks are budgeted, and a flood of wrong secrets spends only
// the small share, so valid first logins still get theirs.
TEST_F(TokenAuthenticatorTest, AFloodOfWrongSecretsSpendsOnlyTheSuspectShare) {
  options_.slow_checks = {1e-9, 2, 1e-9, 1};  // no refill within the test
  std::string bobs = Issue("bob");
  std::string wrong = token_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(FailureReason(Bearer(wrong), "203.0.113.9"), "wrong secret");  // a clean check
  EXPECT_EQ(FailureReason(Bearer(wrong), "203.0.113.9"), "wrong secret");  // the suspect one
  size_t audited = Failures().size();
  for (int i = 0; i < 5; ++i) {
    auto busy = Try(Bearer(wrong), "203.0.113.9");
    EXPECT_EQ(busy.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(View(busy.status().message()), TokenAuthenticator::kBusyMessage);
  }
  EXPECT_EQ(Failures().size(), audited);  // "retry" is no failed login
  EXPECT_TRUE(Try(Bearer(bobs), "198.51.100.20").ok());
  // The clean share is spent now: a new login is asked to retry, not refused.
  EXPECT_EQ(Try(Bearer(token_), "198.51.100.21").status().code(), absl::StatusCode::kUnavailable);
  // Verified tokens need no slow check, even after a change to the directory.
  ASSERT_TRUE(directory().CreateGroup("cli", "other").ok());
  EXPECT_TRUE(Try(Bearer(bobs), "198.51.100.20").ok());
}

TEST_F(TokenAuthenticatorTest, FailureAuditsAreCappedAndCounted) {
  options_.max_failure_audits_per_minute = 2;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(Try("Bearer junk").ok());
  EXPECT_EQ(Failures().size(), 2u);
  clock_.Advance(60 * kSecond);
  EXPECT_FALSE(Try("Bearer junk").ok());
  auto events = Failures();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(store::Contains(events.back().details, "\"unrecorded_failures_before\":3"))
      << events.back().details;
}

// Issue 19, item 15: a browser's requests without credentials each wrote an auth.fail event.
TEST_F(TokenAuthenticatorTest, NoCredentialsAreCountedNotAuditedNorBlocked) {
  options_.per_client.max_failures = 3;
  for (int i = 0; i < 50; ++i) EXPECT_EQ(FailureReason("", kRemote), "(not audited)");
  EXPECT_TRUE(Failures().empty());
  EXPECT_TRUE(Try(Bearer(token_), kRemote).ok()) << "requests without credentials do not block the client";
  const std::string metrics = auth().MetricsText();
  EXPECT_TRUE(store::Contains(metrics, "\nkizuna_auth_unauthenticated_total 50\n")) << metrics;
  EXPECT_TRUE(store::Contains(metrics, "kizuna_auth_failures_total{reason=\"malformed\"} 0\n")) << metrics;
}

// Issue 19, item 15: a client repeating a bad token is audited once, then once a minute.
TEST_F(TokenAuthenticatorTest, RepeatedFailuresOfOneClientAreAuditedOnceAMinute) {
  options_.failure_audits = {60 * kSecond, 64};
  options_.per_client.max_failures = 1000;
  std::string revoked = Issue("bob");
  ASSERT_TRUE(directory().RevokeToken("cli", std::string(ParseToken(revoked)->id)).ok());
  EXPECT_EQ(FailureReason(Bearer(revoked), kRemote), "token revoked");
  for (int i = 0; i < 9; ++i) EXPECT_EQ(FailureReason(Bearer(revoked), kRemote), "(not audited)");
  EXPECT_EQ(FailureReason("Bearer junk", "203.0.113.9"), "malformed token") << "another address is audited";
  clock_.Advance(60 * kSecond);
  EXPECT_EQ(FailureReason(Bearer(revoked), kRemote), "token revoked");
  auto events = Failures();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(store::Contains(events.back().details, "\"failures\":10")) << events.back().details;
  const std::string metrics = auth().MetricsText();
  EXPECT_TRUE(store::Contains(metrics, "kizuna_auth_failures_total{reason=\"revoked\"} 11\n")) << metrics;
  EXPECT_TRUE(store::Contains(metrics, "kizuna_auth_failures_total{reason=\"malformed\"} 1\n")) << metrics;
}

TEST_F(TokenAuthenticatorTest, LastUseIsWrittenAtMostOnceAMinute) {
  auto last_used = [&] { return directory().ListTokens("alice")->front().last_used_us; };
  EXPECT_FALSE(last_used());
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  EXPECT_EQ(last_used(), kDirectoryStart);
  clock_.Advance(30 * kSecond);
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  EXPECT_EQ(last_used(), kDirectoryStart);
  clock_.Advance(30 * kSecond);
  ASSERT_TRUE(Try(Bearer(token_)).ok());
  EXPECT_EQ(last_used(), kDirectoryStart + 60 * kSecond);
}

// Finding 7 of issue 16: a request wrote its token's last use under the store's write lock,
// on the thread that serves reads, so a busy writer held it up.
TEST_F(TokenAuthenticatorTest, LastUseIsWrittenOffTheRequestPath) {
  options_.touch_in_background = true;
  auto last_used = [&] { return directory().ListTokens("alice")->front().last_used_us; };
  {
    auto writer = store::Connection::Open(path(), false);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Exec("BEGIN IMMEDIATE").ok());  // another writer holds the store
    ASSERT_TRUE(Try(Bearer(token_)).ok());
    EXPECT_FALSE(last_used());
    ASSERT_TRUE((*writer)->Exec("ROLLBACK").ok());
  }
  auth_.reset();  // writes what is pending
  EXPECT_EQ(last_used(), kDirectoryStart);
}

TEST_F(TokenAuthenticatorTest, CacheIsBounded) {
  options_.max_cached_tokens = 1;
  std::string second = Issue("bob");
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Try(Bearer(token_)).ok());
    EXPECT_TRUE(Try(Bearer(second)).ok());
  }
}

TEST_F(TokenAuthenticatorTest, ConcurrentRequestsAgree) {
  std::string bobs = Issue("bob");
  auth();  // built before the threads start
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto p = auth().Authenticate(Bearer(t % 2 == 0 ? token_ : bobs), kRemote);
        if (p.ok() && p->user == (t % 2 == 0 ? "alice" : "bob")) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
}

}  // namespace
}  // namespace kizuna::taxii
