// Kizuna. An immutable hash table from (slot, string) to indicators, for exact lookups.
#pragma once

// Domains, URLs, hashes, e-mail addresses, user agents, IPv6 addresses... every string key
// of every indicator lives in one StringTable, tagged with its slot (which STIX path it
// belongs to, observable.h). The layout is flat, so a table of a million keys is a handful
// of allocations (huge pages, huge_pages.h):
//
//   slots_   one uint64_t per bucket (a power of two, TableBuckets: load <= 0.5, <= 0.8
//            beyond 65,536 keys): 0 = empty, else the top 24 bits of the key's hash and
//            1 + the offset of its record in records_;
//   records_ one byte array: per key an 8-byte header (payload; length, slot and flags)
//            followed by the key's bytes.
//
// A lookup reads one bucket (its tag rejects almost every other key without touching the
// record) and then one record: two cache lines for a hit, usually one for a miss. Keys are
// grouped at build time, so one key with one set of indicators is one record; a key whose
// indicators differ by flag (a domain that some indicators want exactly and others with its
// subdomains) has one record per distinct set, the earlier ones marked kMore.
//
//   StringTable::Builder b;
//   b.Add(slot, "evil.example", kExact, indicator_index);
//   StringTable table = std::move(b).Build(seed, lists);
//   uint64_t h = table.Hash(slot, value);
//   table.ForEach(slot, value, h, [](Payload p, uint8_t flags) { ... });
//
// Thread-safety: a built table is immutable; concurrent lookups are safe.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/detect/lookup/hash.h"
#include "kizuna/detect/lookup/huge_pages.h"
#include "kizuna/detect/lookup/indicator_lists.h"

namespace kizuna::detect {

// Record flags. kExact: the key itself matches. kSuffix: names ending in "." + key match
// (domain-name LIKE '%.key'). kMore: another record with the same key follows.
inline constexpr uint8_t kExact = 1;
inline constexpr uint8_t kSuffix = 2;
inline constexpr uint8_t kMore = 4;

// Longest key a StringTable holds; longer indicator values go to the evaluator.
inline constexpr size_t kMaxKeyBytes = 64 * 1024;
// Slots are numbered below this.
inline constexpr uint8_t kMaxSlots = 32;

class StringTable {
 public:
  class Builder {
   public:
    // Records that `indicator` wants (slot, value) with `flags` (kExact and/or kSuffix).
    // The same (slot, value) may be added any number of times. REQUIRES: slot < kMaxSlots,
    // value.size() <= kMaxKeyBytes, indicator < kMaxIndicators.
    void Add(uint8_t slot, std::string_view value, uint8_t flags, uint32_t indicator);
    size_t size() const { return entries_.size(); }
    // Groups the keys, writes their indicator lists to `lists` and returns the table.
    StringTable Build(uint64_t seed, IndicatorLists& lists) &&;

   private:
    struct Entry {
      uint64_t offset;  // in bytes_
      uint64_t chunk;   // 8 bytes of the key, while sorting
      uint32_t size;
      uint32_t indicator;
      uint8_t slot;
      uint8_t flags;
      uint8_t rest;     // key bytes from the chunk on, at most 9, while sorting
      bool same_key;    // sorted: the same (slot, key) as the entry before
    };
    // Sorts entries_ by (slot, key, indicator) and sets same_key.
    void SortEntries();

    std::string bytes_;
    std::vector<Entry> entries_;
  };

  StringTable() = default;

  // Returns the hash ForEach and Prefetch take.
  uint64_t Hash(uint8_t slot, std::string_view value) const {
    return HashBytes(value, seed_ ^ (uint64_t{slot} * 0x9E3779B97F4A7C15ull));
  }

  // Brings the bucket of `hash` towards the cache (batching lookups hides DRAM latency).
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Bucket(hash)]);
  }

  // Calls fn(payload, flags) for each record of (slot, value); returns how many.
  template <typename Fn>
  int ForEach(uint8_t slot, std::string_view value, uint64_t hash, Fn&& fn) const {
    if (slots_.empty()) return 0;
    const uint64_t tag = hash >> 40;
    int found = 0;
    for (size_t b = Bucket(hash);; b = (b + 1) & mask_) {
      const uint64_t s = slots_[b];
      if (s == 0) return found;
      if ((s >> 40) != tag) continue;
      const char* r = records_.data() + ((s & kOffsetMask) - 1);
      uint32_t payload, meta;
      std::memcpy(&payload, r, 4);
      std::memcpy(&meta, r + 4, 4);
      if ((meta >> 8) != value.size() || ((meta >> 3) & 31) != slot ||
          std::memcmp(r + 8, value.data(), value.size()) != 0) {
        continue;
      }
      ++found;
      fn(static_cast<Payload>(payload), static_cast<uint8_t>(meta & 7));
      if ((meta & kMore) == 0) return found;
    }
  }

  size_t size() const { return keys_; }
  bool empty() const { return keys_ == 0; }
  // Bytes held (buckets and records).
  size_t bytes() const { return slots_.capacity() * 8 + records_.capacity(); }

 private:
  friend class SnapshotFile;  // snapshot_file.h
  static constexpr uint64_t kOffsetMask = (uint64_t{1} << 40) - 1;
  size_t Bucket(uint64_t hash) const { return static_cast<size_t>(hash) & mask_; }

  uint64_t seed_ = 0;
  size_t mask_ = 0;
  size_t keys_ = 0;
  HugeVector<uint64_t> slots_;
  HugeVector<char> records_;
};

}  // namespace kizuna::detect
