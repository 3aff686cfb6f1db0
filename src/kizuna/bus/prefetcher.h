// Kizuna. A pull consumer's messages fetched ahead, on a thread of their own.
#pragma once

// A worker that fetched its next batches only after matching the last ones would wait for the
// server each time (a request, then megabytes on their way). The Prefetcher keeps up to
// `queued` messages waiting: the worker takes the next one at once, while the thread asks for
// more.
//
//   Prefetcher ahead(*consumer, 4, 4);
//   KZ_ASSIGN_OR_RETURN(std::optional<Message> msg, ahead.Next(250));
//
// Messages taken are the caller's to acknowledge. Stopping (the destructor) asks the server
// to deliver again (Nak) the messages fetched and not taken, so another worker gets them at
// once rather than after the consumer's ack wait.
//
// Thread-safety: Next from one thread. The consumer is the Prefetcher's while it lives.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "kizuna/bus/jetstream.h"

namespace kizuna::bus {

class Prefetcher {
 public:
  // Starts fetching up to `fetch` messages at a time while fewer than `queued` wait.
  // REQUIRES: `consumer` outlives the Prefetcher.
  Prefetcher(PullConsumer& consumer, int fetch, size_t queued);
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next message, waiting up to `timeout_ms` for one: nullopt when none came. The
  // consumer's error once fetching failed.
  absl::StatusOr<std::optional<Message>> Next(int64_t timeout_ms);

 private:
  void Loop();

  PullConsumer& consumer_;
  const int fetch_;
  const size_t queued_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Message> ready_ ABSL_GUARDED_BY(mutex_);
  absl::Status error_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace kizuna::bus
