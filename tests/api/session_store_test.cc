// Kizuna.
#include "kizuna/api/session_store.h"

#include <gtest/gtest.h>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"

namespace kizuna::api {
namespace {

constexpr int64_t kSecond = 1'000'000;

class SessionStoreTest : public ::testing::Test {
 protected:
  static SessionOptions Options(int64_t idle_s, int64_t absolute_s, size_t max, size_t per_user) {
    SessionOptions o;
    o.idle_timeout_us = idle_s * kSecond;
    o.absolute_timeout_us = absolute_s * kSecond;
    o.max_sessions = max;
    o.max_sessions_per_user = per_user;
    return o;
  }
  FakeClock clock_{1'700'000'000 * kSecond};
  SeededRandom random_{7};
};

TEST_F(SessionStoreTest, CreatesFindsAndRemoves) {
  SessionStore store(clock_, random_, {});
  SessionStore::Created c = store.Create({"alice", "", ""});
  EXPECT_EQ(c.id.size(), kSessionIdChars);
  EXPECT_EQ(c.session.csrf.size(), kSessionIdChars);
  EXPECT_NE(c.id, c.session.csrf);
  std::optional<Session> s = store.Find(c.id);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->subject.user, "alice");
  EXPECT_EQ(s->csrf, c.session.csrf);
  store.Remove(c.id);
  EXPECT_FALSE(store.Find(c.id).has_value());
}

TEST_F(SessionStoreTest, UnknownAndMalformedIdsFindNothing) {
  SessionStore store(clock_, random_, {});
  SessionStore::Created c = store.Create({"alice", "", ""});
  std::string other = c.id;
  other[0] = other[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(store.Find(other).has_value());
  EXPECT_FALSE(store.Find("").has_value());
  EXPECT_FALSE(store.Find(c.id + "x").has_value());
  EXPECT_FALSE(store.Find(c.session.csrf).has_value());  // the CSRF token is no session id
}

TEST_F(SessionStoreTest, IdleSessionsEndAndUseKeepsThemAlive) {
  SessionStore store(clock_, random_, Options(10, 100, 10'000, 32));
  SessionStore::Created kept = store.Create({"alice", "", ""});
  SessionStore::Created idle = store.Create({"bob", "", ""});
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(6 * kSecond);
    EXPECT_TRUE(store.Find(kept.id).has_value()) << i;
  }
  EXPECT_FALSE(store.Find(idle.id).has_value());
}

TEST_F(SessionStoreTest, SessionsEndAtTheAbsoluteTimeoutWhateverTheirUse) {
  SessionStore store(clock_, random_, Options(10, 30, 10'000, 32));
  SessionStore::Created c = store.Create({"alice", "", ""});
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(5 * kSecond);
    EXPECT_TRUE(store.Find(c.id).has_value()) << i;
  }
  clock_.Advance(5 * kSecond);
  EXPECT_FALSE(store.Find(c.id).has_value());
}

TEST_F(SessionStoreTest, BoundsSessionsPerUserAndInAll) {
  SessionStore store(clock_, random_, Options(1800, 43'200, 4, 2));
  SessionStore::Created a1 = store.Create({"alice", "", ""});
  clock_.Advance(1 * kSecond);
  SessionStore::Created a2 = store.Create({"alice", "", ""});
  clock_.Advance(1 * kSecond);
  SessionStore::Created a3 = store.Create({"alice", "", ""});
  EXPECT_FALSE(store.Find(a1.id).has_value());  // alice's oldest made room
  EXPECT_TRUE(store.Find(a2.id).has_value());
  EXPECT_TRUE(store.Find(a3.id).has_value());
  for (const char* u : {"bob", "carol", "dave"}) {
    clock_.Advance(1 * kSecond);
    store.Create({u, "", ""});
  }
  EXPECT_LE(store.Size(), 4u);
  EXPECT_FALSE(store.Find(a2.id).has_value());  // the oldest of all made room
}

}  // namespace
}  // namespace kizuna::api
