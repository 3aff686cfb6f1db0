// Kizuna.
#include "kizuna/detect/lookup/string_table.h"

#include <algorithm>
#include <bit>

namespace kizuna::detect {

void StringTable::Builder::Add(uint8_t slot, std::string_view value, uint8_t flags,
                               uint32_t indicator) {
  entries_.push_back(Entry{bytes_.size(), static_cast<uint32_t>(value.size()), indicator, slot,
                           static_cast<uint8_t>(flags & (kExact | kSuffix))});
  bytes_.append(value);
}

StringTable StringTable::Builder::Build(uint64_t seed, IndicatorLists& lists) && {
  StringTable t;
  t.seed_ = seed;
  auto key = [this](const Entry& e) { return std::string_view(bytes_).substr(e.offset, e.size); };
  // Group equal keys together, then by indicator.
  std::sort(entries_.begin(), entries_.end(), [&](const Entry& a, const Entry& b) {
    if (a.slot != b.slot) return a.slot < b.slot;
    if (int c = key(a).compare(key(b)); c != 0) return c < 0;
    return a.indicator < b.indicator;
  });

  // Per key: the indicators wanting it exactly (E) and as a suffix (S). E == S makes one
  // record with both flags; otherwise one record per non-empty set.
  struct Pending {
    size_t first;  // entries_ index of the key
    Payload payload;
    uint8_t flags;
  };
  std::vector<Pending> records;
  std::vector<uint32_t> exact, suffix;
  for (size_t i = 0; i < entries_.size();) {
    size_t j = i;
    exact.clear();
    suffix.clear();
    while (j < entries_.size() && entries_[j].slot == entries_[i].slot &&
           key(entries_[j]) == key(entries_[i])) {
      const Entry& e = entries_[j];
      if ((e.flags & kExact) && (exact.empty() || exact.back() != e.indicator)) {
        exact.push_back(e.indicator);
      }
      if ((e.flags & kSuffix) && (suffix.empty() || suffix.back() != e.indicator)) {
        suffix.push_back(e.indicator);
      }
      ++j;
    }
    if (!exact.empty() && exact == suffix) {
      records.push_back({i, lists.Add(exact), kExact | kSuffix});
    } else {
      if (!exact.empty()) records.push_back({i, lists.Add(exact), kExact});
      if (!suffix.empty()) records.push_back({i, lists.Add(suffix), kSuffix});
      if (!exact.empty() && !suffix.empty()) records[records.size() - 2].flags |= kMore;
    }
    ++t.keys_;
    i = j;
  }

  size_t record_bytes = 0;
  for (const Pending& p : records) record_bytes += 8 + entries_[p.first].size;
  t.records_.reserve(record_bytes);
  const size_t buckets = std::bit_ceil(std::max<size_t>(16, records.size() + records.size() / 4));
  t.slots_.assign(buckets, 0);
  t.mask_ = buckets - 1;
  for (const Pending& p : records) {
    const Entry& e = entries_[p.first];
    const uint64_t offset = t.records_.size();
    const uint32_t meta = (e.size << 8) | (uint32_t{e.slot} << 3) | p.flags;
    char header[8];
    std::memcpy(header, &p.payload, 4);
    std::memcpy(header + 4, &meta, 4);
    t.records_.append(header, 8);
    t.records_.append(key(e));
    // Records of one key are inserted in order, so a kMore record is found before the next.
    const uint64_t hash = t.Hash(e.slot, key(e));
    size_t b = t.Bucket(hash);
    while (t.slots_[b] != 0) b = (b + 1) & t.mask_;
    t.slots_[b] = ((hash >> 40) << 40) | (offset + 1);
  }
  entries_.clear();
  entries_.shrink_to_fit();
  bytes_.clear();
  bytes_.shrink_to_fit();
  return t;
}

}  // namespace kizuna::detect
