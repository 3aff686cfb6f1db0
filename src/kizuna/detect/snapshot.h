// Kizuna. A compiled, immutable set of indicators: lookup tables plus evaluator patterns.
#pragma once

// A Snapshot is what the matcher reads. SnapshotBuilder (below) fills it from classified
// indicators (compiler.h does that from the store); once built nothing in it changes, so
// any number of threads may match against it while a newer one is being compiled, and it is
// published by swapping a shared_ptr (live_snapshot.h). Memory layout:
//
//   ids_          16 bytes per indicator: the UUID of "indicator--<uuid>"
//   strings_      exact string keys of every slot, and domain suffixes (string_table.h)
//   ipv4_         canonical IPv4 addresses (int_table.h)
//   netdst_v4_    (IPv4 address << 32 | port) for address-and-port indicators
//   v4_blocks_,   CIDR blocks (ip_ranges.h)
//   v6_blocks_
//   lists_        indicator lists of keys that more than one indicator produced
//   patterns_     everything else, as a pattern::PatternSet, with the indicator of each
//   correlations_ the brackets of the multi-observation patterns (correlation_set.h)
//
// Thread-safety: immutable after Build(); concurrent reads are safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/classify.h"
#include "kizuna/detect/correlation_set.h"
#include "kizuna/detect/lookup/indicator_lists.h"
#include "kizuna/detect/lookup/int_table.h"
#include "kizuna/detect/lookup/ip_ranges.h"
#include "kizuna/detect/lookup/string_table.h"
#include "kizuna/pattern/pattern.h"
#include "kizuna/pattern/pattern_set.h"

namespace kizuna::detect {

using Uuid = std::array<uint8_t, 16>;

class Snapshot {
 public:
  struct Stats {
    size_t indicators = 0;       // in the snapshot
    size_t simple = 0;           // answered by lookups
    size_t evaluated = 0;        // single-observation patterns run by the evaluator
    size_t multi = 0;            // patterns needing several observations (correlator.h)
    size_t uncorrelated = 0;     // of those, left out of correlation (correlation_set.h)
    size_t keys = 0;             // lookup keys (strings, addresses, blocks, pairs)
    size_t lookup_bytes = 0;     // tables, lists and ids of the simple indicators
  };

  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  explicit Snapshot(PrivateTag) {}
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  size_t indicator_count() const { return ids_.size(); }
  // Returns "indicator--<uuid>" of indicator `i`.
  std::string IndicatorId(uint32_t i) const;
  // Returns the UUID of indicator `i`.
  const Uuid& IndicatorUuid(uint32_t i) const { return ids_[i]; }
  const Stats& stats() const { return stats_; }

  // The tables (see above).
  const IndicatorLists& lists() const { return lists_; }
  const StringTable& strings() const { return strings_; }
  const IntTable<uint32_t>& ipv4() const { return ipv4_; }
  const IntTable<uint64_t>& netdst_v4() const { return netdst_v4_; }
  const IpRanges<uint32_t>& v4_blocks() const { return v4_blocks_; }
  const IpRanges<Ipv6>& v6_blocks() const { return v6_blocks_; }
  // Bit (1 << slot) set when strings() holds keys of that slot.
  uint32_t string_slots() const { return string_slots_; }
  bool has_suffixes() const { return has_suffixes_; }

  // The evaluator's patterns (null when there are none) and, per pattern index, its indicator.
  const pattern::PatternSet* patterns() const { return patterns_.get(); }
  uint32_t PatternIndicator(size_t pattern) const { return pattern_indicator_[pattern]; }
  // Union of Observation::TypeBit over the root types of the single-observation patterns:
  // a record whose SCO types miss it never needs the evaluator.
  uint64_t pattern_type_mask() const { return pattern_type_mask_; }
  // The brackets of the multi-observation patterns, for the correlator; null when none.
  const CorrelationSet* correlations() const { return correlations_.get(); }

  // The time the indicators were selected at, and the earliest later time at which that
  // selection changes (an indicator's valid_until passes or a valid_from arrives), or 0.
  int64_t selected_at_us() const { return selected_at_us_; }
  int64_t next_change_us() const { return next_change_us_; }

 private:
  friend class SnapshotBuilder;
  friend class SnapshotFile;  // snapshot_file.h: writes and reads the tables as they are

  std::vector<Uuid> ids_;
  IndicatorLists lists_;
  StringTable strings_;
  IntTable<uint32_t> ipv4_;
  IntTable<uint64_t> netdst_v4_;
  IpRanges<uint32_t> v4_blocks_;
  IpRanges<Ipv6> v6_blocks_;
  uint32_t string_slots_ = 0;
  bool has_suffixes_ = false;
  std::unique_ptr<const pattern::PatternSet> patterns_;
  std::vector<uint32_t> pattern_indicator_;
  uint64_t pattern_type_mask_ = 0;
  std::unique_ptr<const CorrelationSet> correlations_;
  int64_t selected_at_us_ = 0;
  int64_t next_change_us_ = 0;
  Stats stats_;
};

// Assembles a Snapshot. Add indicators with AddIndicator, then their keys (simple ones) or
// their compiled pattern (the rest), then Build.
// Thread-safety: one thread.
class SnapshotBuilder {
 public:
  // `seed` keys the hash tables.
  explicit SnapshotBuilder(uint64_t seed);

  // Adds indicator `id` ("indicator--<uuid>") and returns its index. InvalidArgument when
  // the id is not a STIX indicator id; ResourceExhausted past kMaxIndicators.
  absl::StatusOr<uint32_t> AddIndicator(std::string_view id);
  // As above, given the UUID of "indicator--<uuid>"; ResourceExhausted past kMaxIndicators.
  absl::StatusOr<uint32_t> AddIndicator(const Uuid& uuid);
  // Adds the lookup keys of simple indicator `indicator`.
  void AddKeys(uint32_t indicator, const std::vector<SimpleKey>& keys);
  // Adds the pattern of an indicator the evaluator decides.
  void AddPattern(uint32_t indicator, std::shared_ptr<const pattern::Pattern> pattern);
  void SetTimes(int64_t selected_at_us, int64_t next_change_us);

  std::unique_ptr<const Snapshot> Build() &&;

 private:
  uint64_t seed_;
  std::unique_ptr<Snapshot> snapshot_;
  StringTable::Builder strings_;
  IntTable<uint32_t>::Builder ipv4_;
  IntTable<uint64_t>::Builder netdst_v4_;
  IpRanges<uint32_t>::Builder v4_blocks_;
  IpRanges<Ipv6>::Builder v6_blocks_;
  pattern::PatternSet::Builder patterns_;
  std::string scratch_;
};

// Parses the UUID of "indicator--<uuid>" (lower or upper case hex); false if malformed.
bool ParseIndicatorUuid(std::string_view id, Uuid& out);
// Formats "indicator--<uuid>".
std::string FormatIndicatorId(const Uuid& uuid);

}  // namespace kizuna::detect
