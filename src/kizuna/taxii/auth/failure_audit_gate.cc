// Kizuna.
#include "kizuna/taxii/auth/failure_audit_gate.h"

#include <algorithm>
#include <vector>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {

void FailureAuditGate::MakeRoom(int64_t now_us) {
  if (entries_.size() < limits_.max_keys) return;
  absl::erase_if(entries_, [&](const auto& kv) {
    return now_us - kv.second.recorded_us >= limits_.interval_us;
  });
  if (entries_.size() < limits_.max_keys || entries_.empty()) return;
  std::vector<int64_t> recorded;
  recorded.reserve(entries_.size());
  for (const auto& [key, e] : entries_) recorded.push_back(e.recorded_us);
  size_t drop = std::max<size_t>(1, recorded.size() / 8);
  std::nth_element(recorded.begin(), recorded.begin() + (drop - 1), recorded.end());
  const int64_t cutoff = recorded[drop - 1];
  absl::erase_if(entries_, [&](const auto& kv) { return kv.second.recorded_us <= cutoff; });
}

int64_t FailureAuditGate::Admit(std::string_view key, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(AbslView(key));
  if (it == entries_.end()) {
    MakeRoom(now_us);
    entries_.emplace(std::string(key), Entry{now_us, 0});
    return 1;
  }
  Entry& e = it->second;
  // A clock stepped back counts as a new interval, so a failure is never held back for long.
  if (now_us - e.recorded_us >= limits_.interval_us || now_us < e.recorded_us) {
    const int64_t count = e.held_back + 1;
    e = Entry{now_us, 0};
    return count;
  }
  ++e.held_back;
  return 0;
}

size_t FailureAuditGate::Size() {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace kizuna::taxii
