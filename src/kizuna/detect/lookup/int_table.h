// Kizuna. An immutable hash table from integer keys to indicators (IPv4 addresses, and
// IPv4 address + port pairs).
#pragma once

// Open addressing with linear probing over one array of {key, payload} buckets, sized to a
// power of two (TableBuckets, hash.h): at load <= 0.5 up to 65,536 keys, <= 0.8 beyond (an
// IPv4 indicator costs 10-20 bytes of table there). A lookup is one bucket read in the common
// case, so batches of lookups can be prefetched; most lookups miss (telemetry values are
// rarely indicators), and a miss walks to the next empty bucket: about 2.5 buckets at load
// 0.5, 11 at load 0.8.
//
//   IntTable<uint32_t>::Builder b;
//   b.Add(address, indicator);
//   IntTable<uint32_t> t = std::move(b).Build(seed, lists);
//   if (const Payload* p = t.Find(address, t.Hash(address))) ...
//
// Thread-safety: a built table is immutable; concurrent lookups are safe.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kizuna/detect/lookup/hash.h"
#include "kizuna/detect/lookup/huge_pages.h"
#include "kizuna/detect/lookup/indicator_lists.h"

namespace kizuna::detect {

template <typename Key>
class IntTable {
 public:
  class Builder {
   public:
    // Records that `indicator` wants `key`; repeats are fine. REQUIRES: indicator <
    // kMaxIndicators.
    void Add(Key key, uint32_t indicator) { pairs_.emplace_back(key, indicator); }
    size_t size() const { return pairs_.size(); }

    IntTable Build(uint64_t seed, IndicatorLists& lists) && {
      IntTable t;
      t.seed_ = seed;
      std::sort(pairs_.begin(), pairs_.end());
      pairs_.erase(std::unique(pairs_.begin(), pairs_.end()), pairs_.end());
      size_t keys = 0;
      for (size_t i = 0; i < pairs_.size(); ++i) {
        keys += (i == 0 || pairs_[i].first != pairs_[i - 1].first);
      }
      const size_t n = TableBuckets(keys);
      t.buckets_.assign(n, Bucket{Key{}, kEmpty});
      t.mask_ = n - 1;
      std::vector<uint32_t> ids;
      for (size_t i = 0; i < pairs_.size();) {
        size_t j = i;
        ids.clear();
        while (j < pairs_.size() && pairs_[j].first == pairs_[i].first) ids.push_back(pairs_[j++].second);
        size_t b = t.Index(t.Hash(pairs_[i].first));
        while (t.buckets_[b].payload != kEmpty) b = (b + 1) & t.mask_;
        t.buckets_[b] = Bucket{pairs_[i].first, lists.Add(ids)};
        ++t.keys_;
        i = j;
      }
      pairs_.clear();
      pairs_.shrink_to_fit();
      return t;
    }

   private:
    std::vector<std::pair<Key, uint32_t>> pairs_;
  };

  IntTable() = default;

  uint64_t Hash(Key key) const { return HashWord(static_cast<uint64_t>(key), seed_); }
  void Prefetch(uint64_t hash) const {
    if (!buckets_.empty()) __builtin_prefetch(&buckets_[Index(hash)]);
  }
  // Returns the payload of `key`, or nullptr.
  const Payload* Find(Key key, uint64_t hash) const {
    if (buckets_.empty()) return nullptr;
    for (size_t b = Index(hash);; b = (b + 1) & mask_) {
      const Bucket& bucket = buckets_[b];
      if (bucket.payload == kEmpty) return nullptr;
      if (bucket.key == key) return &bucket.payload;
    }
  }

  size_t size() const { return keys_; }
  bool empty() const { return keys_ == 0; }
  size_t bytes() const { return buckets_.capacity() * sizeof(Bucket); }

 private:
  friend class SnapshotFile;                      // snapshot_file.h
  static constexpr Payload kEmpty = 0xFFFFFFFFu;  // never a valid payload (lists stay smaller)
  struct Bucket {
    Key key;
    Payload payload;
  };
  size_t Index(uint64_t hash) const { return static_cast<size_t>(hash) & mask_; }

  uint64_t seed_ = 0;
  size_t mask_ = 0;
  size_t keys_ = 0;
  HugeVector<Bucket> buckets_;
};

}  // namespace kizuna::detect
