// Kizuna.
#include "kizuna/api/session_store.h"

#include <array>
#include <string>
#include <utility>

#include "kizuna/base/digest.h"

namespace kizuna::api {
namespace {

std::string RandomText(Random& random) {
  std::array<uint8_t, kSessionIdBytes> bytes{};
  random.Fill(bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string Key(std::string_view id) {
  Sha256Digest d = Sha256(id);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

SessionStore::SessionStore(Clock& clock, Random& random, SessionOptions options)
    : clock_(clock), random_(random), options_(options) {}

bool SessionStore::Expired(const Session& s, int64_t now_us) const {
  return now_us - s.used_us >= options_.idle_timeout_us ||
         now_us - s.created_us >= options_.absolute_timeout_us;
}

SessionStore::Created SessionStore::Create(SessionSubject subject) {
  const int64_t now_us = clock_.NowMicros();
  Created c;
  c.id = RandomText(random_);
  c.session = {std::move(subject), RandomText(random_), now_us, now_us};
  absl::MutexLock lock(&mu_);
  MakeRoom(c.session.subject.user, now_us);
  sessions_.emplace(Key(c.id), c.session);
  return c;
}

void SessionStore::MakeRoom(std::string_view user, int64_t now_us) {
  size_t of_user = 0;
  auto oldest = sessions_.end();
  auto oldest_of_user = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (Expired(it->second, now_us)) {
      sessions_.erase(it++);
      continue;
    }
    if (oldest == sessions_.end() || it->second.created_us < oldest->second.created_us) oldest = it;
    if (it->second.subject.user == user) {
      ++of_user;
      if (oldest_of_user == sessions_.end() || it->second.created_us < oldest_of_user->second.created_us) {
        oldest_of_user = it;
      }
    }
    ++it;
  }
  if (of_user >= options_.max_sessions_per_user && oldest_of_user != sessions_.end()) {
    sessions_.erase(oldest_of_user);
  } else if (sessions_.size() >= options_.max_sessions && oldest != sessions_.end()) {
    sessions_.erase(oldest);
  }
}

std::optional<Session> SessionStore::Find(std::string_view id) {
  if (id.size() != kSessionIdChars) return std::nullopt;
  const int64_t now_us = clock_.NowMicros();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(Key(id));
  if (it == sessions_.end()) return std::nullopt;
  if (Expired(it->second, now_us)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.used_us = now_us;
  return it->second;
}

void SessionStore::Remove(std::string_view id) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(Key(id));
}

size_t SessionStore::Size() {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace kizuna::api
