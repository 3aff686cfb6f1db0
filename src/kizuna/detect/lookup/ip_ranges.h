// Kizuna. CIDR blocks of indicators, looked up by address: every block containing it.
#pragma once

// `[ipv4-addr:value ISSUBSET '198.51.100.0/24']` matches every address in the block, and
// an address inside both a /16 and a /24 of two indicators matches both. Prefixes are
// nested or disjoint, so the blocks cut the address space into ranges over which the set of
// containing blocks is constant; IpRanges keeps those ranges sorted by first address, each
// with the chain of blocks containing it (outermost first). A lookup is a binary search for
// the last range starting at or before the address, narrowed first by a directory on the
// top 16 bits when there are many ranges; the answer is the longest-prefix match and every
// shorter one behind it.
//
// Memory: per range its first address and a 4-byte chain reference; per block its prefix
// length and payload; chains as counted lists. Two ranges per block at most (plus one).
//
//   IpRanges<uint32_t>::Builder b;
//   b.Add(MaskV4(a, 24), 24, indicator);
//   IpRanges<uint32_t> r = std::move(b).Build(lists);
//   r.ForEachContaining(address, 32, [](Payload p) { ... });
//
// Thread-safety: a built table is immutable; concurrent lookups are safe.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "kizuna/detect/lookup/huge_pages.h"
#include "kizuna/detect/lookup/indicator_lists.h"

namespace kizuna::detect {

template <typename Key>  // uint32_t (IPv4) or unsigned __int128 (IPv6)
class IpRanges {
 public:
  static constexpr int kBits = static_cast<int>(sizeof(Key) * 8);

  class Builder {
   public:
    // Records that `indicator` wants the block `start/prefix`. REQUIRES: start has no host
    // bits set; 0 <= prefix <= kBits.
    void Add(Key start, int prefix, uint32_t indicator) {
      blocks_.push_back({start, static_cast<uint8_t>(prefix), indicator});
    }
    size_t size() const { return blocks_.size(); }

    IpRanges Build(IndicatorLists& lists) && {
      IpRanges r;
      std::sort(blocks_.begin(), blocks_.end(), [](const Pending& a, const Pending& b) {
        return std::tie(a.start, a.prefix, a.indicator) < std::tie(b.start, b.prefix, b.indicator);
      });
      // Distinct blocks with their indicator lists.
      std::vector<uint32_t> ids;
      for (size_t i = 0; i < blocks_.size();) {
        size_t j = i;
        ids.clear();
        while (j < blocks_.size() && blocks_[j].start == blocks_[i].start &&
               blocks_[j].prefix == blocks_[i].prefix) {
          if (ids.empty() || ids.back() != blocks_[j].indicator) ids.push_back(blocks_[j].indicator);
          ++j;
        }
        r.blocks_.push_back({blocks_[i].start, blocks_[i].prefix, lists.Add(ids)});
        i = j;
      }
      blocks_.clear();
      blocks_.shrink_to_fit();
      r.Sweep();
      r.BuildDirectory();
      return r;
    }

   private:
    struct Pending {
      Key start;
      uint8_t prefix;
      uint32_t indicator;
    };
    std::vector<Pending> blocks_;
  };

  IpRanges() = default;

  // Calls fn(payload) for every block containing the block `address/prefix` (a plain
  // address is its /kBits block), outermost first. REQUIRES: address has no host bits.
  template <typename Fn>
  void ForEachContaining(Key address, int prefix, Fn&& fn) const {
    if (starts_.empty()) return;
    size_t lo = 0, hi = starts_.size();  // find the last start <= address in [lo, hi)
    if (!directory_.empty()) {
      const size_t d = static_cast<size_t>(address >> (kBits - kDirectoryBits));
      lo = directory_[d];
      hi = directory_[d + 1] + 1;
    }
    while (hi - lo > 1) {
      const size_t mid = lo + (hi - lo) / 2;
      if (starts_[mid] <= address) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    if (starts_[lo] > address) return;
    const uint32_t chain = chains_of_[lo];
    if (chain == kNoChain) return;
    for (uint32_t k = 0; k < chains_[chain]; ++k) {
      const Block& b = blocks_[chains_[chain + 1 + k]];
      if (b.prefix <= prefix) fn(b.payload);
    }
  }

  // Brings the directory entry of `address` towards the cache.
  void Prefetch(Key address) const {
    if (!directory_.empty()) {
      __builtin_prefetch(&directory_[static_cast<size_t>(address >> (kBits - kDirectoryBits))]);
    }
  }

  size_t blocks() const { return blocks_.size(); }
  size_t ranges() const { return starts_.size(); }
  bool empty() const { return blocks_.empty(); }
  size_t bytes() const {
    return starts_.capacity() * sizeof(Key) + chains_of_.capacity() * 4 + chains_.capacity() * 4 +
           blocks_.capacity() * sizeof(Block) + directory_.capacity() * 4;
  }

 private:
  friend class SnapshotFile;  // snapshot_file.h
  static constexpr uint32_t kNoChain = 0xFFFFFFFFu;
  static constexpr int kDirectoryBits = 16;
  static constexpr size_t kDirectoryFrom = 4096;  // ranges; fewer are searched directly

  struct Block {
    Key start;
    uint8_t prefix;
    Payload payload;
  };

  static Key LastOf(const Block& b) {
    return b.prefix == kBits ? b.start : (b.start | (~Key{0} >> b.prefix));
  }

  void Emit(Key start, const std::vector<uint32_t>& stack) {
    uint32_t chain = kNoChain;
    if (!stack.empty()) {
      chain = static_cast<uint32_t>(chains_.size());
      chains_.push_back(static_cast<uint32_t>(stack.size()));
      chains_.insert(chains_.end(), stack.begin(), stack.end());
    }
    if (!starts_.empty() && starts_.back() == start) {
      chains_of_.back() = chain;  // an empty range before a block starting at the same place
    } else {
      starts_.push_back(start);
      chains_of_.push_back(chain);
    }
  }

  // Blocks are sorted by (start, prefix) and laminar: walk them with a stack of the open
  // ones, emitting a range wherever the set of open blocks changes.
  void Sweep() {
    std::vector<uint32_t> stack;
    Key cursor = 0;
    bool exhausted = false;  // cursor moved past the last address
    auto close_top = [&] {
      const Key last = LastOf(blocks_[stack.back()]);
      stack.pop_back();
      if (last == ~Key{0}) {
        exhausted = true;
      } else if (!exhausted && last + 1 >= cursor) {
        cursor = last + 1;
        Emit(cursor, stack);
      }
    };
    Emit(0, stack);
    for (uint32_t i = 0; i < blocks_.size(); ++i) {
      const Block& b = blocks_[i];
      while (!stack.empty() && LastOf(blocks_[stack.back()]) < b.start) close_top();
      stack.push_back(i);
      cursor = b.start;
      Emit(cursor, stack);
    }
    while (!stack.empty()) close_top();
  }

  void BuildDirectory() {
    if (starts_.size() < kDirectoryFrom) return;
    const size_t n = size_t{1} << kDirectoryBits;
    directory_.resize(n + 1);
    size_t r = 0;
    for (size_t d = 0; d < n; ++d) {
      const Key first = static_cast<Key>(d) << (kBits - kDirectoryBits);
      while (r + 1 < starts_.size() && starts_[r + 1] <= first) ++r;
      directory_[d] = static_cast<uint32_t>(r);  // the range holding `first`
    }
    directory_[n] = static_cast<uint32_t>(starts_.size() - 1);
  }

  HugeVector<Block> blocks_;
  HugeVector<Key> starts_;
  HugeVector<uint32_t> chains_of_;   // per range: offset in chains_, or kNoChain
  HugeVector<uint32_t> chains_;      // count, then block indices
  std::vector<uint32_t> directory_;  // per top-16-bit value: the range holding its first address
};

}  // namespace kizuna::detect
