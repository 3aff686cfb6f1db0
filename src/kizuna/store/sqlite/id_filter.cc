// Kizuna.
#include "kizuna/store/sqlite/id_filter.h"

namespace kizuna::store::sqlite_internal {

IdFilter::IdFilter(size_t capacity) : capacity_(capacity), bits_((capacity * 10 + 63) / 64 + 1) {}

// The id hash is already a keyed hash; its two halves drive the probes (double hashing).
void IdFilter::Add(int64_t id_hash) {
  uint64_t h = static_cast<uint64_t>(id_hash);
  uint64_t step = (h >> 32) | 1;
  const uint64_t nbits = bits_.size() * 64;
  for (int i = 0; i < kProbes; ++i, h += step) {
    uint64_t bit = h % nbits;
    bits_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  ++size_;
}

bool IdFilter::MayContain(int64_t id_hash) const {
  uint64_t h = static_cast<uint64_t>(id_hash);
  uint64_t step = (h >> 32) | 1;
  const uint64_t nbits = bits_.size() * 64;
  for (int i = 0; i < kProbes; ++i, h += step) {
    uint64_t bit = h % nbits;
    if ((bits_[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace kizuna::store::sqlite_internal
