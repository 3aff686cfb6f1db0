// Kizuna. Which indicators stand behind one lookup key.
#pragma once

// A lookup key (a domain, an address, a hash...) usually comes from one indicator, sometimes
// from several (two feeds naming the same domain). A Payload says which, in 32 bits: the
// index of the one indicator, or, with the top bit set, the offset in IndicatorLists of a
// count followed by that many indicator indices. One hit thus maps back to every indicator
// that produced the value, at the cost of 4 bytes per key in the common case.
//
//   IndicatorLists lists;
//   Payload p = lists.Add(sorted_unique_ids);
//   for (uint32_t indicator : lists.Expand(p, one)) ...
//
// Thread-safety: immutable once built; concurrent reads are safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kizuna::detect {

using Payload = uint32_t;
inline constexpr Payload kListBit = 0x80000000u;
// Indicator indices are below this (the top bit tells lists apart).
inline constexpr uint32_t kMaxIndicators = kListBit - 1;

class IndicatorLists {
 public:
  // Returns the payload naming `ids`. REQUIRES: ids non-empty, each < kMaxIndicators.
  Payload Add(std::span<const uint32_t> ids) {
    if (ids.size() == 1) return ids[0];
    const Payload p = kListBit | static_cast<uint32_t>(data_.size());
    data_.push_back(static_cast<uint32_t>(ids.size()));
    data_.insert(data_.end(), ids.begin(), ids.end());
    return p;
  }

  // Returns the indicators of `p`; `one` holds a single index when the span points at it.
  std::span<const uint32_t> Expand(Payload p, uint32_t& one) const {
    if ((p & kListBit) == 0) {
      one = p;
      return {&one, 1};
    }
    const uint32_t at = p & ~kListBit;
    return {data_.data() + at + 1, data_[at]};
  }

  size_t bytes() const { return data_.capacity() * sizeof(uint32_t); }
  void ShrinkToFit() { data_.shrink_to_fit(); }

 private:
  friend class SnapshotFile;  // snapshot_file.h
  std::vector<uint32_t> data_;
};

}  // namespace kizuna::detect
