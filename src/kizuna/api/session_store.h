// Kizuna. The web console's sign-in sessions, kept in the server's memory.
#pragma once

// A session is created when a person signs in to the console (api/session_api.h) and named by
// a random id of kSessionIdBytes (256 bits), sent to the browser once as the cookie
// `kizuna_session` and kept here only as its SHA-256: a dump of the table does not yield
// usable cookies. Each session has its own CSRF token (also 256 random bits) that the
// browser must send as X-CSRF-Token with every write (console_api.h).
// A session ends when it has not been used for `idle_timeout_us` (default 30 minutes), when
// it is `absolute_timeout_us` old (default 12 hours) whatever its use, or when it is signed
// out. A session remembers who signed in (the user, and the token when signed in with a
// token), not what the user may do: the caller re-reads the user from the directory on each
// request, so a disabled user, a revoked token or changed roles take effect at once.
// Sessions live in memory, not in the store: a restarted node signs everyone out, which is
// the safe direction, and no session secret, even hashed, is ever written to disk.
// Limits: at most `max_sessions` sessions in all (the oldest is dropped to make room, so a
// flood of sign-ins cannot grow memory, only sign out the oldest) and at most
// `max_sessions_per_user` per user (the user's oldest is dropped).
//
//   SessionStore sessions(clock, SecureRandom(), {});
//   SessionStore::Created c = sessions.Create({.user = "alice"});
//   std::optional<Session> s = sessions.Find(c.id);   // refreshes its idle time
//
// Thread-safety: safe for concurrent use (one mutex held for a hash lookup).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"

namespace kizuna::api {

inline constexpr size_t kSessionIdBytes = 32;
// The length of a session id and of a CSRF token as text (unpadded base64url of 32 bytes).
inline constexpr size_t kSessionIdChars = 43;

struct SessionOptions {
  int64_t idle_timeout_us = int64_t{30} * 60 * 1'000'000;
  int64_t absolute_timeout_us = int64_t{12} * 3600 * 1'000'000;
  size_t max_sessions = 10'000;
  size_t max_sessions_per_user = 32;
};

// Who signed in, as the session remembers it.
struct SessionSubject {
  std::string user;
  std::string token_id;  // the token signed in with; empty for a password
  std::string password;  // for a password: a digest of the hash signed in with, so that a new
                         // password ends the session
};

struct Session {
  SessionSubject subject;
  std::string csrf;  // the session's CSRF token
  int64_t created_us = 0;
  int64_t used_us = 0;
};

class SessionStore {
 public:
  // `clock` and `random` must outlive the store.
  SessionStore(Clock& clock, Random& random, SessionOptions options);
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  struct Created {
    std::string id;  // the cookie's value: give it to the client once, keep it nowhere
    Session session;
  };
  // Starts a session for `subject`.
  Created Create(SessionSubject subject);

  // Returns the live session named `id` and marks it used now; nullopt (and forgets it) when
  // it is unknown, idle too long or too old.
  std::optional<Session> Find(std::string_view id);

  // Ends the session named `id` (nothing when there is none).
  void Remove(std::string_view id);

  // Sessions held now (expired ones included until they are looked up or pushed out).
  size_t Size();

  const SessionOptions& options() const { return options_; }

 private:
  bool Expired(const Session& s, int64_t now_us) const;
  // Drops expired sessions, then the oldest, until there is room for one more.
  void MakeRoom(std::string_view user, int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  Random& random_;
  const SessionOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);  // by SHA-256 of id
};

}  // namespace kizuna::api
