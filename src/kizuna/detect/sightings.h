// Kizuna. STIX Sightings from matches: one per indicator, sensor and time window.
#pragma once

// SightingAggregator counts matches per (indicator, window), where windows are fixed
// intervals of event time (default one hour, aligned to the epoch), keeping the first and
// last event time seen. SightingJson turns an entry into a STIX 2.1 `sighting`:
//
//   sighting_of_ref     the indicator
//   where_sighted_refs  [the sensor's organisation identity]; created_by_ref the same
//   first_seen, last_seen, count
//   id                  sighting--UUIDv5(indicator | identity | window start): the same
//                       sighting for the same window on every run
//   created             the window's start; modified: last_seen (so re-running the same
//                       telemetry yields the same version, and more hits a newer one)
//
// Only records with an event time are added: a sighting never gets the time of matching
// (MatchRun counts records without one as malformed).
//
// Thread-safety: one aggregator per thread; Merge them at the end.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "kizuna/detect/snapshot.h"

namespace kizuna::detect {

// STIX caps `count` at 999,999,999.
inline constexpr int64_t kMaxSightingCount = 999999999;

// Default sighting window: one hour.
inline constexpr int64_t kDefaultSightingWindowUs = 3600LL * 1000000;

class SightingAggregator {
 public:
  struct Entry {
    Uuid indicator{};
    int64_t window_start_us = 0;
    int64_t first_us = 0;
    int64_t last_us = 0;
    int64_t count = 0;
  };

  // REQUIRES: window_us > 0.
  explicit SightingAggregator(int64_t window_us = kDefaultSightingWindowUs);

  void Add(const Uuid& indicator, int64_t time_us);
  void Merge(const SightingAggregator& other);
  // Adds an entry counted elsewhere (by an earlier run, `kizuna match --resume`), merged with
  // the one of its indicator and window. REQUIRES: its window_start_us is on this
  // aggregator's windows.
  void AddEntry(const Entry& entry);
  // The entries, ordered by indicator then window.
  std::vector<Entry> Entries() const;
  // Distinct indicators with at least one entry.
  size_t IndicatorCount() const;

 private:
  struct Key {
    Uuid indicator;
    int64_t window;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.indicator, k.window);
    }
    friend bool operator==(const Key&, const Key&) = default;
  };
  int64_t window_us_;
  absl::flat_hash_map<Key, Entry> entries_;
};

// Returns the sighting of `entry` as one line of JSON (see above). `identity` is the
// sensor's organisation ("identity--..."). `marking`, when not empty, is a marking-definition
// id put in object_marking_refs (the exercise marking, for sightings of exercise telemetry).
// `modified_us` >= 0 replaces the version (`modified`, by default last_seen): the node's
// side of the telemetry bus (bus/node_link.h) makes each count its own version.
std::string SightingJson(const SightingAggregator::Entry& entry, std::string_view identity,
                         std::string_view marking = {}, int64_t modified_us = -1);

}  // namespace kizuna::detect
