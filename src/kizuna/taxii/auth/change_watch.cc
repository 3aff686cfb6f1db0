// Kizuna.
#include "kizuna/taxii/auth/change_watch.h"

namespace kizuna::taxii {

ChangeWatch::ChangeWatch(store::Directory& directory, Clock& clock, int64_t interval_us)
    : directory_(directory), clock_(clock), interval_us_(interval_us) {}

absl::StatusOr<uint64_t> ChangeWatch::Epoch() {
  int64_t now = clock_.NowMicros();
  int64_t local = directory_.LocalChanges();
  auto fresh = [&] {
    int64_t checked = checked_us_.load(std::memory_order_acquire);
    return local == seen_local_.load(std::memory_order_acquire) && now >= checked &&
           now - checked < interval_us_;
  };
  if (fresh()) return epoch_.load(std::memory_order_acquire);
  absl::MutexLock lock(&mu_);
  if (fresh()) return epoch_.load(std::memory_order_acquire);  // another thread just checked
  absl::StatusOr<int64_t> version = directory_.ChangeVersion();
  if (!version.ok()) return version.status();
  if (*version != seen_version_) {
    seen_version_ = *version;
    epoch_.fetch_add(1, std::memory_order_acq_rel);
  }
  seen_local_.store(local, std::memory_order_release);
  checked_us_.store(now, std::memory_order_release);
  return epoch_.load(std::memory_order_acquire);
}

}  // namespace kizuna::taxii
