// Kizuna. Messages fetched ahead (prefetcher.h).
#include "kizuna/bus/prefetcher.h"

#include <chrono>
#include <utility>
#include <vector>

namespace kizuna::bus {
namespace {

// How long one fetch waits for messages: also how long stopping may take.
constexpr int64_t kFetchWaitMs = 250;

}  // namespace

Prefetcher::Prefetcher(PullConsumer& consumer, int fetch, size_t queued)
    : consumer_(consumer), fetch_(fetch), queued_(queued), thread_([this] { Loop(); }) {}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (Message& m : ready_) (void)m.Nak();  // redelivered anyway after the ack wait
}

void Prefetcher::Loop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || ready_.size() < queued_; });
      if (stopping_) return;
    }
    absl::StatusOr<std::vector<Message>> got = consumer_.Fetch(fetch_, kFetchWaitMs);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!got.ok()) {
      error_ = got.status();
      changed_.notify_all();
      return;
    }
    for (Message& m : *got) ready_.push_back(std::move(m));
    if (!got->empty()) changed_.notify_all();
  }
}

absl::StatusOr<std::optional<Message>> Prefetcher::Next(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [this] { return !ready_.empty() || !error_.ok(); });
  if (ready_.empty()) {
    if (!error_.ok()) return error_;
    return std::optional<Message>();
  }
  std::optional<Message> next(std::move(ready_.front()));
  ready_.pop_front();
  changed_.notify_all();  // room for more
  return next;
}

}  // namespace kizuna::bus
