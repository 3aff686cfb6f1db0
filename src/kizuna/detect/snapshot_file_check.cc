// Kizuna. SnapshotFile::Validate: every table read from a compiled-set file is checked
// against what its lookups assume before the snapshot is used.
//
// The checksum catches damage, not forgery: anyone who can write the file can compute it.
// A snapshot read from a file is therefore checked once, here, against everything its lookups
// take for granted, so that a forged or broken file can neither make a lookup read outside
// its arrays nor loop forever; it can only make the matcher answer other indicators. What
// each lookup assumes, and how it is checked:
//
//  ids_ (Snapshot::IndicatorId / IndicatorUuid)
//    - fewer than kMaxIndicators entries; stats.indicators is their number.
//  lists_ (IndicatorLists::Expand: data_[at] is a count, data_[at + 1 ..] the indices)
//    - data_ is a sequence of lists, each a count >= 2 and that many indices, ending exactly
//      at its end; every index below the number of indicators.
//  every payload (lookups hand it to Expand; the matcher reports IndicatorUuid of each)
//    - without kListBit: an indicator index below their number; with it: the offset of the
//      start of a list in data_ (not merely inside data_).
//  strings_ (StringTable::ForEach: probes slots_ from hash & mask_ until a zero slot; a
//    non-zero slot is tag << 40 | (1 + offset of a record); a record is an 8-byte header
//    (payload; size << 8 | slot << 3 | flags) and the key's bytes, compared by memcmp)
//    - slots_ empty (no records, no keys) or a power of two >= 16 with mask_ = size - 1;
//    - records_ is a sequence of records ending exactly at its end: each header and key
//      inside it, key size <= kMaxKeyBytes, slot < kSlotCount, flags kExact and/or kSuffix
//      (kSuffix only for domains), plus kMore; payloads valid;
//    - every non-zero slot names the start of a record, each record exactly one slot;
//    - the load is what the builder leaves (used + used / 4 <= buckets), so zero slots
//      exist and every probe ends; no run of full slots is longer than kMaxRun;
//    - each slot's tag is its record's hash's, and it lies on the probe path from the
//      hash's bucket (no zero slot between): what is found is what was written;
//    - keys_ (size()) is at most the records, and zero exactly when there are none.
//  ipv4_, netdst_v4_ (IntTable::Find: probes buckets_ from hash & mask_ until kEmpty)
//    - buckets_ empty (keys_ 0) or a power of two >= 16 with mask_ = size - 1;
//    - the load is the builder's, runs are shorter than kMaxRun, each key lies on its probe
//      path, payloads valid, keys_ is the number of full buckets.
//  v4_blocks_, v6_blocks_ (IpRanges::ForEachContaining: binary search of starts_, within
//    directory_[d] .. directory_[d + 1] when there is a directory, then the chain
//    chains_[chains_of_[range]] of block indices into blocks_)
//    - blocks sorted by (start, prefix) without repeats, prefix <= the address's bits, no
//      host bits, payloads valid;
//    - starts_, chains_of_, chains_ and directory_ are exactly what the builder makes from
//      those blocks (built again here and compared): so starts_ is sorted, the directory
//      is non-decreasing and ends at the last range, every chain reference is a chain's
//      start, every block index is below the blocks' number.
//  pattern_indicator_ (Snapshot::PatternIndicator)
//    - one per pattern, each below the number of indicators (the patterns themselves are
//      compiled again from their text, which checks them; their version byte is checked
//      where they are read).
// Scalars that no lookup indexes with (string_slots_, has_suffixes_, pattern_type_mask_,
// stats and report counts) only decide what is probed, so any value is safe.
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/observable.h"
#include "kizuna/detect/snapshot_file.h"

namespace kizuna::detect {
namespace {

// Longest run of full buckets accepted. At the builder's load (<= 0.8) the longest run in a
// table of a million keys is a few hundred buckets; a run this long is a forged table whose
// lookups would each scan it.
constexpr size_t kMaxRun = size_t{1} << 16;

absl::Status Invalid(std::string_view table, std::string_view why) {
  return absl::DataLossError(StrCat(table, ": ", why));
}

// Checks payloads against the indicators and the lists.
class PayloadCheck {
 public:
  PayloadCheck(size_t indicators, const std::vector<uint32_t>& lists)
      : indicators_(indicators), list_start_(lists.size(), false) {}

  absl::Status Lists(const std::vector<uint32_t>& data) {
    for (size_t at = 0; at < data.size();) {
      const uint32_t n = data[at];
      if (n < 2) {
        return Invalid("indicator lists",
                       StrCat("the list at entry ", at, " holds ", n, " indicators (at least 2)"));
      }
      if (n > data.size() - at - 1) {
        return Invalid("indicator lists",
                       StrCat("the list at entry ", at, " of ", n, " indicators runs past the ",
                              data.size(), " entries"));
      }
      for (size_t k = at + 1; k <= at + n; ++k) {
        if (data[k] >= indicators_) {
          return Invalid("indicator lists",
                         StrCat("entry ", k, " names indicator ", data[k], " of ", indicators_));
        }
      }
      list_start_[at] = true;
      at += 1 + size_t{n};
    }
    return absl::OkStatus();
  }

  absl::Status Check(std::string_view table, std::string_view where, size_t at, Payload p) const {
    if ((p & kListBit) == 0) {
      if (p < indicators_) return absl::OkStatus();
      return Invalid(table, StrCat(where, " ", at, " names indicator ", p, " of ", indicators_));
    }
    const uint32_t list = p & ~kListBit;
    if (list < list_start_.size() && list_start_[list]) return absl::OkStatus();
    return Invalid(table, StrCat(where, " ", at, " names indicator list entry ", list,
                                 ", not the start of a list (", list_start_.size(), " entries)"));
  }

 private:
  size_t indicators_;
  std::vector<bool> list_start_;
};

absl::Status CheckShape(std::string_view table, size_t buckets, size_t mask) {
  if (buckets == 0) return absl::OkStatus();
  if (buckets < 16 || !std::has_single_bit(buckets)) {
    return Invalid(table, StrCat(buckets, " buckets, not a power of two of at least 16"));
  }
  if (mask != buckets - 1) {
    return Invalid(table, StrCat("mask ", mask, " does not fit its ", buckets, " buckets"));
  }
  return absl::OkStatus();
}

// What `home` returns for a bucket whose tag is not its key's.
constexpr size_t kBadTag = ~size_t{0};

// Checks the load of an open-addressing table and that each full bucket lies on the probe
// path of its home bucket: `home(b)` for full buckets (kBadTag when the bucket's tag is not its
// key's), `full(b)`. One pass from a free bucket; each key hashed once.
template <typename Full, typename Home>
absl::Status CheckProbing(std::string_view table, size_t buckets, const Full& full,
                          const Home& home) {
  if (buckets == 0) return absl::OkStatus();
  size_t used = 0, free_at = buckets;
  for (size_t b = 0; b < buckets; ++b) {
    if (full(b)) {
      ++used;
    } else if (free_at == buckets) {
      free_at = b;
    }
  }
  if (used + used / 4 > buckets) {
    return Invalid(table, StrCat(used, " of ", buckets, " buckets full, more than a table holds"));
  }
  const size_t mask = buckets - 1;
  size_t run_start = (free_at + 1) & mask;
  for (size_t step = 1; step <= buckets; ++step) {
    const size_t b = (free_at + step) & mask;
    if (!full(b)) {
      run_start = (b + 1) & mask;
      continue;
    }
    const size_t run = ((b - run_start) & mask) + 1;
    if (run > kMaxRun) {
      return Invalid(table, StrCat("a run of ", run, " full buckets ends at bucket ", b));
    }
    const size_t at = home(b);
    if (at == kBadTag) {
      return Invalid(table, StrCat("bucket ", b, " has a tag that is not its key's"));
    }
    if (((b - at) & mask) >= run) {
      return Invalid(table, StrCat("bucket ", b, " holds a key its lookup never reaches"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// The checks of each table (a friend of each, through SnapshotFile).
class SnapshotFile::Validator {
 public:
  static absl::Status CheckStrings(const StringTable& t, const PayloadCheck& payloads) {
    constexpr std::string_view kTable = "string table";
    KZ_RETURN_IF_ERROR(CheckShape(kTable, t.slots_.size(), t.mask_));
    const size_t size = t.records_.size();
    if (t.slots_.empty() && (size != 0 || t.keys_ != 0)) {
      return Invalid(kTable, StrCat(size, " bytes of records but no buckets"));
    }
    // Per byte of records_: 1 at a record's start, 2 once a slot names it.
    std::vector<uint8_t> start(size, 0);
    size_t records = 0;
    for (size_t at = 0; at < size;) {
      if (size - at < 8) {
        return Invalid(kTable, StrCat("the record at offset ", at, " is cut short (", size,
                                      " bytes of records)"));
      }
      uint32_t payload, meta;
      std::memcpy(&payload, t.records_.data() + at, 4);
      std::memcpy(&meta, t.records_.data() + at + 4, 4);
      const size_t key = meta >> 8, slot = (meta >> 3) & 31, flags = meta & 7;
      if (key > kMaxKeyBytes || key > size - at - 8) {
        return Invalid(kTable, StrCat("the record at offset ", at, " has a key of ", key,
                                      " bytes, past the records' ", size, " bytes"));
      }
      if (slot >= static_cast<size_t>(kSlotCount)) {
        return Invalid(kTable, StrCat("the record at offset ", at, " has slot ", slot,
                                      " (slots are below ", kSlotCount, ")"));
      }
      if ((flags & (kExact | kSuffix)) == 0 ||
          ((flags & kSuffix) != 0 && slot != static_cast<size_t>(Slot::kDomain))) {
        return Invalid(
            kTable, StrCat("the record at offset ", at, " has flags ", flags, " for slot ", slot));
      }
      KZ_RETURN_IF_ERROR(payloads.Check(kTable, "the record at offset", at, payload));
      start[at] = 1;
      ++records;
      at += 8 + key;
    }
    if (t.keys_ > records || (t.keys_ == 0) != (records == 0)) {
      return Invalid(kTable, StrCat(t.keys_, " keys in ", records, " records"));
    }
    // Each full bucket: the record it names, and the home bucket of that record's hash (its
    // tag checked), read with the records a few buckets ahead already fetched: the records
    // are read in bucket order, at random offsets.
    if (t.slots_.size() >= (size_t{1} << 32)) {
      return Invalid(kTable, StrCat(t.slots_.size(), " buckets, more than a table holds"));
    }
    constexpr uint32_t kNoHome = ~uint32_t{0};
    constexpr size_t kAhead = 16;
    std::vector<uint32_t> homes(t.slots_.size(), kNoHome);
    size_t named = 0;
    for (size_t b = 0; b < t.slots_.size(); ++b) {
      if (b + kAhead < t.slots_.size()) {
        const uint64_t next = (t.slots_[b + kAhead] & StringTable::kOffsetMask) - 1;
        if (next < size) {
          __builtin_prefetch(t.records_.data() + next);
          __builtin_prefetch(start.data() + next);
        }
      }
      const uint64_t s = t.slots_[b];
      if (s == 0) continue;
      const uint64_t offset = (s & StringTable::kOffsetMask) - 1;  // wraps when 0
      if (offset < size && start[offset] == 2) {
        return Invalid(kTable, StrCat("bucket ", b, " names the record at offset ", offset,
                                      ", which another bucket names"));
      }
      if (offset >= size || start[offset] != 1) {
        return Invalid(kTable, StrCat("bucket ", b, " names offset ", offset,
                                      ", not a record's start (", size, " bytes of records)"));
      }
      start[offset] = 2;
      ++named;
      uint32_t meta;
      std::memcpy(&meta, t.records_.data() + offset + 4, 4);
      const uint64_t hash = t.Hash(static_cast<uint8_t>((meta >> 3) & 31),
                                   std::string_view(t.records_.data() + offset + 8, meta >> 8));
      if ((hash >> 40) == (s >> 40)) homes[b] = static_cast<uint32_t>(t.Bucket(hash));
    }
    if (named != records) {
      return Invalid(kTable, StrCat(records, " records but ", named, " full buckets"));
    }
    return CheckProbing(
        kTable, t.slots_.size(), [&t](size_t b) { return t.slots_[b] != 0; },
        [&homes](size_t b) { return homes[b] == kNoHome ? kBadTag : size_t{homes[b]}; });
  }

  template <typename Key>
  static absl::Status CheckIntTable(std::string_view table, const IntTable<Key>& t,
                                    const PayloadCheck& payloads) {
    KZ_RETURN_IF_ERROR(CheckShape(table, t.buckets_.size(), t.mask_));
    size_t used = 0;
    for (size_t b = 0; b < t.buckets_.size(); ++b) {
      if (t.buckets_[b].payload == IntTable<Key>::kEmpty) continue;
      ++used;
      KZ_RETURN_IF_ERROR(payloads.Check(table, "bucket", b, t.buckets_[b].payload));
    }
    if (used != t.keys_) return Invalid(table, StrCat(t.keys_, " keys in ", used, " full buckets"));
    return CheckProbing(
        table, t.buckets_.size(),
        [&t](size_t b) { return t.buckets_[b].payload != IntTable<Key>::kEmpty; },
        [&t](size_t b) { return t.Index(t.Hash(t.buckets_[b].key)); });
  }

  template <typename Key>
  static absl::Status CheckRanges(std::string_view table, const IpRanges<Key>& r,
                                  const PayloadCheck& payloads) {
    using Ranges = IpRanges<Key>;
    for (size_t i = 0; i < r.blocks_.size(); ++i) {
      const typename Ranges::Block& b = r.blocks_[i];
      if (b.prefix > Ranges::kBits) {
        return Invalid(
            table, StrCat("block ", i, " has prefix ", b.prefix, " (at most ", Ranges::kBits, ")"));
      }
      if (b.prefix < Ranges::kBits && (b.start & (~Key{0} >> b.prefix)) != 0) {
        return Invalid(table, StrCat("block ", i, " has host bits set past its prefix"));
      }
      if (i > 0 && !(r.blocks_[i - 1].start < b.start ||
                     (r.blocks_[i - 1].start == b.start && r.blocks_[i - 1].prefix < b.prefix))) {
        return Invalid(table, StrCat("block ", i, " is out of order"));
      }
      KZ_RETURN_IF_ERROR(payloads.Check(table, "block", i, b.payload));
    }
    // The ranges, chains and directory follow from the blocks: make them again and compare.
    Ranges again;
    again.blocks_ = r.blocks_;
    again.Sweep();  // an empty table too has its one range
    again.BuildDirectory();
    const auto differ = [&table](std::string_view what, const auto& got, const auto& want) {
      if (got.size() != want.size()) {
        return Invalid(table,
                       StrCat(got.size(), " ", what, " where its blocks make ", want.size()));
      }
      for (size_t i = 0; i < got.size(); ++i) {
        if (!(got[i] == want[i])) {
          return Invalid(table, StrCat(what, " entry ", i, " is not what its blocks make"));
        }
      }
      return absl::OkStatus();
    };
    KZ_RETURN_IF_ERROR(differ("range starts", r.starts_, again.starts_));
    KZ_RETURN_IF_ERROR(differ("range chain references", r.chains_of_, again.chains_of_));
    KZ_RETURN_IF_ERROR(differ("chain entries", r.chains_, again.chains_));
    return differ("directory entries", r.directory_, again.directory_);
  }
};

absl::Status SnapshotFile::Validate(const Snapshot& s) {
  const size_t indicators = s.ids_.size();
  if (indicators > kMaxIndicators) {
    return Invalid("indicator ids", StrCat(indicators, " indicators, more than ", kMaxIndicators));
  }
  if (s.stats_.indicators != indicators) {
    return Invalid("stats",
                   StrCat(s.stats_.indicators, " indicators where the ids are ", indicators));
  }
  PayloadCheck payloads(indicators, s.lists_.data_);
  KZ_RETURN_IF_ERROR(payloads.Lists(s.lists_.data_));
  KZ_RETURN_IF_ERROR(Validator::CheckStrings(s.strings_, payloads));
  KZ_RETURN_IF_ERROR(Validator::CheckIntTable("IPv4 address table", s.ipv4_, payloads));
  KZ_RETURN_IF_ERROR(
      Validator::CheckIntTable("IPv4 address-and-port table", s.netdst_v4_, payloads));
  KZ_RETURN_IF_ERROR(Validator::CheckRanges("IPv4 block table", s.v4_blocks_, payloads));
  KZ_RETURN_IF_ERROR(Validator::CheckRanges("IPv6 block table", s.v6_blocks_, payloads));
  for (size_t i = 0; i < s.pattern_indicator_.size(); ++i) {
    if (s.pattern_indicator_[i] >= indicators) {
      return Invalid("patterns", StrCat("pattern ", i, " names indicator ", s.pattern_indicator_[i],
                                        " of ", indicators));
    }
  }
  return absl::OkStatus();
}

}  // namespace kizuna::detect
