// Kizuna.
#include "kizuna/taxii/auth/failure_limiter.h"

#include <vector>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {

bool FailureLimiter::Idle(const Entry& e, int64_t now_us) const {
  return e.blocked_until_us <= now_us && now_us - e.window_start_us >= limits_.window_us;
}

bool FailureLimiter::MakeRoom(int64_t now_us) {
  if (entries_.size() < limits_.max_keys) return true;
  absl::erase_if(entries_, [&](const auto& kv) { return Idle(kv.second, now_us); });
  return entries_.size() < limits_.max_keys;
}

bool FailureLimiter::Allowed(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  if (it == entries_.end()) return MakeRoom(now_us);
  return it->second.blocked_until_us <= now_us;
}

bool FailureLimiter::RecordFailure(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  if (it == entries_.end()) {
    if (!MakeRoom(now_us)) return false;
    it = entries_.emplace(std::string(key), Entry{0, now_us, 0}).first;
  }
  Entry& e = it->second;
  if (now_us - e.window_start_us >= limits_.window_us || now_us < e.window_start_us) {
    e.failures = 0;
    e.window_start_us = now_us;
  }
  if (++e.failures < limits_.max_failures) return false;
  bool started = e.blocked_until_us <= now_us;
  e.blocked_until_us = now_us + limits_.block_us;
  e.failures = 0;
  e.window_start_us = now_us;
  return started;
}

void FailureLimiter::RecordSuccess(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  if (it != entries_.end() && it->second.blocked_until_us <= now_us) entries_.erase(it);
}

size_t FailureLimiter::Size() {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace kizuna::taxii
