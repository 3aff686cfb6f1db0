// Kizuna.
#include "kizuna/taxii/auth/touch_queue.h"

#include <algorithm>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {

TouchQueue::TouchQueue(store::Directory& directory, size_t max_pending)
    : directory_(directory), max_pending_(max_pending), thread_([this] { Run(); }) {}

TouchQueue::~TouchQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void TouchQueue::Touch(std::string_view token_id, int64_t used_us) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(AbslView(token_id));
  if (it != pending_.end()) {
    it->second = std::max(it->second, used_us);
  } else if (pending_.size() < max_pending_) {
    pending_.emplace(std::string(token_id), used_us);
  }
}

void TouchQueue::Flush() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &TouchQueue::Done));
}

void TouchQueue::Run() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    mu_.Await(absl::Condition(this, &TouchQueue::HasWork));
    if (pending_.empty()) return;  // stopping, with nothing left to write
    absl::flat_hash_map<std::string, int64_t> batch;
    batch.swap(pending_);
    writing_ = true;
    mu_.Unlock();
    for (const auto& [id, used_us] : batch) (void)directory_.TouchToken(id, used_us);  // best effort
    mu_.Lock();
    writing_ = false;
  }
}

}  // namespace kizuna::taxii
