// Kizuna. A Bloom filter over the id hashes the store holds, so adding an object whose id
// was never seen skips the lookup for earlier versions.
#pragma once

// Bulk imports are mostly new objects; for each one the store would otherwise search the
// id tables (entry_ids.h) for earlier versions and find nothing. IdFilter answers
// "certainly absent" or "maybe present" from memory (10 bits per id, about 1% false
// positives at capacity). The filter is blocked: all the bits of one id lie in one 64-octet
// block, so a probe costs one cache miss, not seven.
// It only grows: deleted ids stay in it, which costs nothing but a lookup.
// Thread-safety: none; the store uses it under its write mutex.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kizuna::store::sqlite_internal {

class IdFilter {
 public:
  // Sizes the filter for `capacity` ids.
  explicit IdFilter(size_t capacity = 1 << 16);

  void Add(int64_t id_hash);
  // Returns false only if `id_hash` was never added.
  bool MayContain(int64_t id_hash) const;

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // True when more ids were added than the filter was sized for; the caller rebuilds it
  // with a larger capacity.
  bool Full() const { return size_ > capacity_; }

 private:
  static constexpr int kProbes = 7;
  struct alignas(64) Block {
    uint64_t words[8];
  };
  // The block of `id_hash`, and the mask of its bits in each word of the block.
  size_t BlockOf(uint64_t h) const;
  static void Masks(uint64_t h, uint64_t (&masks)[8]);

  size_t capacity_;
  size_t size_ = 0;
  std::vector<Block> blocks_;
};

}  // namespace kizuna::store::sqlite_internal
