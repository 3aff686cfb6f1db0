// Kizuna.
#include "kizuna/detect/lookup/string_table.h"

#include <algorithm>
#include <bit>
#include <tuple>

namespace kizuna::detect {

void StringTable::Builder::Add(uint8_t slot, std::string_view value, uint8_t flags,
                               uint32_t indicator) {
  Entry e{};
  e.offset = bytes_.size();
  e.size = static_cast<uint32_t>(value.size());
  e.indicator = indicator;
  e.slot = slot;
  e.flags = static_cast<uint8_t>(flags & (kExact | kSuffix));
  entries_.push_back(e);
  bytes_.append(value);
}

namespace {

// Bytes [at, at + 8) of `key` as a big-endian number, zeros past its end: comparing these
// numbers compares the bytes as memcmp does.
uint64_t Chunk(std::string_view key, size_t at) {
  unsigned char bytes[8] = {};
  if (at < key.size()) std::memcpy(bytes, key.data() + at, std::min<size_t>(8, key.size() - at));
  uint64_t v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  return v;
}

}  // namespace

void StringTable::Builder::SortEntries() {
  // Sorting by (slot, key, indicator) with string comparisons would chase every key in
  // bytes_ for every comparison. Instead: sort by 8 key bytes at a time held in the entry,
  // and sort again, by the next 8 bytes, only the runs that tie and go on.
  struct Run {
    size_t begin, end, depth;
  };
  std::vector<Run> runs;
  if (!entries_.empty()) runs.push_back({0, entries_.size(), 0});
  while (!runs.empty()) {
    const Run run = runs.back();
    runs.pop_back();
    for (size_t i = run.begin; i < run.end; ++i) {
      Entry& e = entries_[i];
      e.chunk = Chunk(std::string_view(bytes_).substr(e.offset, e.size), run.depth);
      // 0..8: the key ends in this chunk (a shorter key sorts first); 9: it goes on.
      e.rest = static_cast<uint8_t>(std::min<size_t>(9, e.size - run.depth));
    }
    std::sort(entries_.begin() + static_cast<std::ptrdiff_t>(run.begin),
              entries_.begin() + static_cast<std::ptrdiff_t>(run.end),
              [](const Entry& a, const Entry& b) {
                return std::tie(a.slot, a.chunk, a.rest, a.indicator) <
                       std::tie(b.slot, b.chunk, b.rest, b.indicator);
              });
    for (size_t i = run.begin; i < run.end;) {
      size_t j = i + 1;
      entries_[i].same_key = false;
      for (; j < run.end && entries_[j].slot == entries_[i].slot &&
             entries_[j].chunk == entries_[i].chunk && entries_[j].rest == entries_[i].rest;
           ++j) {
        entries_[j].same_key = entries_[j].rest < 9;  // keys going on: the next run decides
      }
      if (entries_[i].rest == 9 && j - i > 1) runs.push_back({i, j, run.depth + 8});
      i = j;
    }
  }
}

StringTable StringTable::Builder::Build(uint64_t seed, IndicatorLists& lists) && {
  StringTable t;
  t.seed_ = seed;
  auto key = [this](const Entry& e) { return std::string_view(bytes_).substr(e.offset, e.size); };
  // Equal keys together (same_key marks all but the first), then by indicator.
  SortEntries();
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
    while (j < entries_.size() && (j == i || entries_[j].same_key)) {
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
  // Write the records in order, keeping each one's hash and offset...
  std::vector<uint64_t> hashes(records.size());
  std::vector<uint64_t> offsets(records.size());
  constexpr size_t kAhead = 16;  // records whose key (or bucket) is fetched in advance
  for (size_t r = 0; r < records.size(); ++r) {
    if (r + kAhead < records.size()) {
      __builtin_prefetch(bytes_.data() + entries_[records[r + kAhead].first].offset);
    }
    const Pending& p = records[r];
    const Entry& e = entries_[p.first];
    offsets[r] = t.records_.size();
    const uint32_t meta = (e.size << 8) | (uint32_t{e.slot} << 3) | p.flags;
    char header[8];
    std::memcpy(header, &p.payload, 4);
    std::memcpy(header + 4, &meta, 4);
    const std::string_view k = key(e);
    t.records_.insert(t.records_.end(), header, header + 8);
    t.records_.insert(t.records_.end(), k.begin(), k.end());
    hashes[r] = t.Hash(e.slot, k);
  }
  // The entries and their keys are no longer needed: give them back before the buckets are
  // made, so that the builder and the table are not both held whole.
  const size_t record_count = records.size();
  records.clear();
  records.shrink_to_fit();
  entries_.clear();
  entries_.shrink_to_fit();
  bytes_.clear();
  bytes_.shrink_to_fit();
  // ...then place them in that order (a kMore record is found before the next one of its
  // key), fetching the buckets a few records ahead.
  const size_t buckets = TableBuckets(record_count);
  t.slots_.assign(buckets, 0);
  t.mask_ = buckets - 1;
  for (size_t r = 0; r < record_count; ++r) {
    if (r + kAhead < record_count) __builtin_prefetch(&t.slots_[t.Bucket(hashes[r + kAhead])]);
    size_t b = t.Bucket(hashes[r]);
    while (t.slots_[b] != 0) b = (b + 1) & t.mask_;
    t.slots_[b] = ((hashes[r] >> 40) << 40) | (offsets[r] + 1);
  }
  return t;
}

}  // namespace kizuna::detect
