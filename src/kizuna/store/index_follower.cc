// Kizuna.
#include "kizuna/store/index_follower.h"

#include <chrono>

namespace kizuna::store {

IndexFollower::IndexFollower(SearchIndex& index, IndexFollowerOptions options)
    : index_(index), options_(options) {}

IndexFollower::~IndexFollower() { Stop(); }

void IndexFollower::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void IndexFollower::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool IndexFollower::Wait(int64_t us) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, std::chrono::microseconds(us), [this] { return stop_; });
}

absl::StatusOr<int64_t> IndexFollower::CatchUpOnce() {
  int64_t indexed = 0;
  for (;;) {
    absl::StatusOr<IndexHead> head = index_.GetIndexHead();
    if (!head.ok()) return head.status();
    if (!head->behind) return indexed;
    absl::StatusOr<RebuildSummary> done = index_.CatchUpIndex(nullptr, options_.batch, 1);
    if (!done.ok()) return done.status();
    indexed += done->entries;
    if (!Wait(options_.pause_us)) return indexed;
  }
}

void IndexFollower::Loop() {
  do {
    (void)
        CatchUpOnce();  // a failure is tried again at the next interval; stale waits for a rebuild
  } while (Wait(options_.interval_us));
}

}  // namespace kizuna::store
