// Kizuna.
#include "kizuna/base/clock.h"

#include <chrono>

namespace kizuna {
namespace {

class RealClock : public Clock {
 public:
  int64_t NowMicros() override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;  // stateless, so usable until the very end
  return clock;
}

}  // namespace kizuna
