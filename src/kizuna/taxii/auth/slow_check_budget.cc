// Kizuna.
#include "kizuna/taxii/auth/slow_check_budget.h"

#include <algorithm>

namespace kizuna::taxii {

SlowCheckBudget::SlowCheckBudget(SlowCheckLimits limits)
    : clean_{limits.per_second / 1e6, limits.burst, limits.burst},
      suspect_{limits.suspect_per_second / 1e6, limits.suspect_burst, limits.suspect_burst} {}

bool SlowCheckBudget::TakeFrom(Bucket& b, int64_t now_us) {
  if (b.updated_us == 0) b.updated_us = now_us;  // full at the first use
  if (now_us > b.updated_us) {
    b.tokens = std::min(b.burst, b.tokens + static_cast<double>(now_us - b.updated_us) * b.per_us);
    b.updated_us = now_us;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

bool SlowCheckBudget::Take(SlowCheckLane lane, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  return TakeFrom(lane == SlowCheckLane::kClean ? clean_ : suspect_, now_us);
}

}  // namespace kizuna::taxii
