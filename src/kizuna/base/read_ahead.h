// Kizuna. Reading ahead: the items of a sequence (store pages, a peer's TAXII pages) read on
// a thread of their own while the caller works on the items before.
#pragma once

// ReadAhead<T>'s thread calls `read` for one item after another, into an item the caller
// handed back (Done) when there is one, so that its buffers are reused; at most `ahead` items
// wait to be taken. `read` returns kMore (an item; more may follow), kLast (an item, the
// last) or kNone (no item: the end); an error ends the reads and is kept for status().
// Destroying the ReadAhead stops its thread after the read in flight.
//
//   ReadAhead<Page> pages([&](Page& page) -> absl::StatusOr<ReadOutcome> { ... }, 2);
//   while (std::optional<Page> page = pages.Next()) { ...; pages.Done(std::move(*page)); }
//   KZ_RETURN_IF_ERROR(pages.status());
//
// Thread-safety: Next, Done and status are called by one thread (the caller's); `read` runs
// on the ReadAhead's thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kizuna {

enum class ReadOutcome { kMore, kLast, kNone };

template <typename T>
class ReadAhead {
 public:
  using ReadFn = std::function<absl::StatusOr<ReadOutcome>(T& item)>;

  ReadAhead(ReadFn read, size_t ahead) : read_(std::move(read)), ahead_(ahead), thread_([this] { Run(); }) {}
  ~ReadAhead() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next item, in order; nullopt after the last one or an error (see status()).
  std::optional<T> Next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty() || done_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    cv_.notify_all();
    return item;
  }

  // Hands an item back for the thread to read a later one into.
  void Done(T&& item) {
    std::lock_guard lock(mu_);
    spent_.push_back(std::move(item));
  }

  // The read's error, once Next returned nullopt; OK otherwise.
  absl::Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  void Run() {
    for (;;) {
      T item;
      {
        std::lock_guard lock(mu_);
        if (!spent_.empty()) {
          item = std::move(spent_.front());
          spent_.pop_front();
        }
      }
      absl::StatusOr<ReadOutcome> read = read_(item);
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return items_.size() < ahead_ || stopped_; });
      if (stopped_) return;
      if (!read.ok() || *read == ReadOutcome::kNone) {
        status_ = read.status();
        done_ = true;
        cv_.notify_all();
        return;
      }
      items_.push_back(std::move(item));
      done_ = *read == ReadOutcome::kLast;
      cv_.notify_all();
      if (done_) return;
    }
  }

  ReadFn read_;
  const size_t ahead_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;  // guarded by mu_, as are the four below
  std::deque<T> spent_;
  bool done_ = false;
  bool stopped_ = false;
  absl::Status status_;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace kizuna
