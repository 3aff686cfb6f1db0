// Kizuna. Injected wall clock, so tests control time.
#pragma once

// Code that needs the time takes a `Clock&`; production passes SystemClock(), tests a
// FakeClock. Thread-safety: SystemClock is thread-safe; FakeClock is thread-safe.

#include <atomic>
#include <cstdint>

namespace kizuna {

class Clock {
 public:
  virtual ~Clock() = default;
  // Returns microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() = 0;
};

// Returns the process-wide real clock. Never null; lives for the whole program.
Clock& SystemClock();

// A clock that only moves when told to.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now_micros) : now_(now_micros) {}
  int64_t NowMicros() override { return now_.load(); }
  void Set(int64_t now_micros) { now_.store(now_micros); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace kizuna
