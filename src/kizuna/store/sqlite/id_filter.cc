// Kizuna.
#include "kizuna/store/sqlite/id_filter.h"

namespace kizuna::store::sqlite_internal {

IdFilter::IdFilter(size_t capacity)
    : capacity_(capacity), blocks_((capacity * 10 + 511) / 512 + 1) {}

// The id hash is already a keyed hash: its high bits choose the block (by multiplying, not
// dividing), and the bits of the hash times an odd constant choose kProbes bits of 512.
size_t IdFilter::BlockOf(uint64_t h) const {
  return static_cast<size_t>((static_cast<unsigned __int128>(h) * blocks_.size()) >> 64);
}

void IdFilter::Masks(uint64_t h, uint64_t (&masks)[8]) {
  uint64_t bits = h * 0x9e3779b97f4a7c15u;
  for (uint64_t& m : masks) m = 0;
  for (int i = 0; i < kProbes; ++i, bits >>= 9)
    masks[(bits >> 6) & 7] |= uint64_t{1} << (bits & 63);
}

void IdFilter::Add(int64_t id_hash) {
  uint64_t masks[8];
  Masks(static_cast<uint64_t>(id_hash), masks);
  Block& block = blocks_[BlockOf(static_cast<uint64_t>(id_hash))];
  for (int w = 0; w < 8; ++w) block.words[w] |= masks[w];
  ++size_;
}

bool IdFilter::MayContain(int64_t id_hash) const {
  uint64_t masks[8];
  Masks(static_cast<uint64_t>(id_hash), masks);
  const Block& block = blocks_[BlockOf(static_cast<uint64_t>(id_hash))];
  uint64_t missing = 0;
  for (int w = 0; w < 8; ++w) missing |= masks[w] & ~block.words[w];
  return missing == 0;
}

}  // namespace kizuna::store::sqlite_internal
