// Kizuna.
#include "kizuna/store/index_follower.h"

#include <chrono>
#include <string>
#include <utility>

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
  std::string said;  // the last error reported; "" after a success
  do {
    // A failure is tried again at the next interval; a stale index waits for a rebuild.
    absl::StatusOr<int64_t> done = CatchUpOnce();
    if (done.ok()) {
      said.clear();
      continue;
    }
    std::string error = done.status().ToString();
    if (error != said && options_.on_error) options_.on_error(done.status());
    said = std::move(error);
  } while (Wait(options_.interval_us));
}

}  // namespace kizuna::store
