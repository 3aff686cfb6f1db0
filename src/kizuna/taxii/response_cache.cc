// Kizuna.
#include "kizuna/taxii/response_cache.h"

namespace kizuna::taxii {

std::shared_ptr<const http::Response> ResponseCache::Find(const std::string& key, ChangeStamp stamp,
                                                          int64_t now_us) {
  absl::ReaderMutexLock lock(&mu_);
  if (stamp != stamp_) return nullptr;
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  int64_t age = now_us - it->second.built_us;
  if (age < 0 || age >= options_.max_age_us) return nullptr;
  return it->second.response;
}

void ResponseCache::Put(std::string key, ChangeStamp stamp, int64_t built_us,
                        std::shared_ptr<const http::Response> response) {
  size_t size = key.size() + response->body.size();
  if (options_.max_bytes == 0 || size > options_.max_bytes / 4) return;
  absl::MutexLock lock(&mu_);
  // Counts only grow: a smaller one means the response was built before a change.
  if (stamp.store < stamp_.store || stamp.directory < stamp_.directory) return;
  if (stamp != stamp_ || bytes_ + size > options_.max_bytes) {
    entries_.clear();
    bytes_ = 0;
    stamp_ = stamp;
  }
  auto [it, inserted] = entries_.try_emplace(std::move(key));
  if (!inserted) bytes_ -= it->first.size() + it->second.response->body.size();
  it->second = {std::move(response), built_us};
  bytes_ += size;
}

}  // namespace kizuna::taxii
