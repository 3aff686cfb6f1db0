// Kizuna. A Bloom filter over the id hashes the store holds, so adding an object whose id
// was never seen skips the lookup for earlier versions.
#pragma once

// Bulk imports are mostly new objects; for each one the store would otherwise search the
// id tables (entry_ids.h) for earlier versions and find nothing. IdFilter answers
// "certainly absent" or "maybe present" from memory (10 bits per id, about 1% false
// positives at capacity).
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
  size_t capacity_;
  size_t size_ = 0;
  std::vector<uint64_t> bits_;
};

}  // namespace kizuna::store::sqlite_internal
