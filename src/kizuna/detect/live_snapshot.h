// Kizuna. The snapshot matching uses now, replaced atomically while matching goes on.
#pragma once

// Matchers Load() the current snapshot once per batch and keep that shared_ptr for the
// batch; a compiler Publish()es a newer one whenever the indicators change. Readers never
// lock and never see a half-built snapshot: a snapshot is complete before it is published,
// and the old one lives until the last batch using it is done (STYLE 29).
//
//   LiveSnapshot live(std::move(first));
//   // matching thread:  std::shared_ptr<const Snapshot> s = live.Load();
//   // compiling thread: live.Publish(std::move(newer));
//
// Thread-safety: all methods are safe to call concurrently.

#include <atomic>
#include <cstdint>
#include <memory>

#include "kizuna/detect/snapshot.h"

namespace kizuna::detect {

class LiveSnapshot {
 public:
  explicit LiveSnapshot(std::shared_ptr<const Snapshot> first) : current_(std::move(first)) {}
  LiveSnapshot(const LiveSnapshot&) = delete;
  LiveSnapshot& operator=(const LiveSnapshot&) = delete;

  // Returns the current snapshot (never null once constructed with one).
  std::shared_ptr<const Snapshot> Load() const { return current_.load(std::memory_order_acquire); }
  // Makes `next` current. REQUIRES: next is not null.
  void Publish(std::shared_ptr<const Snapshot> next) {
    current_.store(std::move(next), std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_relaxed);
  }
  // How many times Publish was called.
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace kizuna::detect
