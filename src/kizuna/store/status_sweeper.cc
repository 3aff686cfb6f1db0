// Kizuna.
#include "kizuna/store/status_sweeper.h"

#include <algorithm>
#include <chrono>

namespace kizuna::store {

int64_t SweepInterval(int64_t retention_us) {
  return std::clamp<int64_t>(retention_us / 10, 1'000'000, 60'000'000);
}

StatusSweeper::StatusSweeper(Store& store, Clock& clock, StatusSweeperOptions options)
    : store_(store), clock_(clock), options_(options) {}

StatusSweeper::~StatusSweeper() { Stop(); }

void StatusSweeper::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void StatusSweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool StatusSweeper::Wait(int64_t us) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, std::chrono::microseconds(us), [this] { return stop_; });
}

absl::StatusOr<int64_t> StatusSweeper::SweepOnce() {
  const int64_t before_us = clock_.NowMicros() - options_.retention_us;
  int64_t deleted = 0;
  for (;;) {
    absl::StatusOr<int64_t> n = store_.DeleteStatusesBefore(before_us, options_.batch);
    if (!n.ok()) return n.status();
    deleted += *n;
    if (*n == 0 || !Wait(options_.pause_us)) return deleted;
  }
}

void StatusSweeper::Loop() {
  do {
    (void)SweepOnce();  // a failure is retried at the next interval
  } while (Wait(options_.interval_us));
}

}  // namespace kizuna::store
