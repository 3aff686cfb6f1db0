// Kizuna.
#include "kizuna/taxii/auth/failure_limiter.h"

#include <algorithm>
#include <vector>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {

bool FailureLimiter::Idle(const Entry& e, int64_t now_us) const {
  return e.blocked_until_us <= now_us && now_us - e.window_start_us >= limits_.window_us;
}

void FailureLimiter::MakeRoom(int64_t now_us) {
  if (entries_.size() < limits_.max_keys) return;
  absl::erase_if(entries_, [&](const auto& kv) { return Idle(kv.second, now_us); });
  if (entries_.size() < limits_.max_keys || entries_.empty()) return;
  // Every key is active: drop the eighth whose last failure is oldest (at least one).
  std::vector<int64_t> last;
  last.reserve(entries_.size());
  for (const auto& [key, e] : entries_) last.push_back(e.last_failure_us);
  size_t drop = std::max<size_t>(1, last.size() / 8);
  std::nth_element(last.begin(), last.begin() + (drop - 1), last.end());
  const int64_t cutoff = last[drop - 1];
  absl::erase_if(entries_, [&](const auto& kv) { return kv.second.last_failure_us <= cutoff; });
}

bool FailureLimiter::Allowed(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  return it == entries_.end() || it->second.blocked_until_us <= now_us;
}

bool FailureLimiter::Clean(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  if (it == entries_.end()) return true;
  const Entry& e = it->second;
  return e.blocked_until_us <= now_us && (e.failures == 0 || now_us - e.window_start_us >= limits_.window_us);
}

bool FailureLimiter::RecordFailure(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  if (it == entries_.end()) {
    MakeRoom(now_us);
    it = entries_.emplace(std::string(key), Entry{0, now_us, now_us, 0}).first;
  }
  Entry& e = it->second;
  e.last_failure_us = now_us;
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
