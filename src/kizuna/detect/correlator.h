// Kizuna. Multi-observation patterns evaluated over windows of events of one stream.
#pragma once

// A Correlator holds, for each multi-observation pattern of the snapshot (correlation_set.h),
// a bounded buffer of the events that could take part in a match: those satisfying at least
// one of the pattern's observation expressions alone. Adding an event puts it in the buffer
// of every pattern it concerns and evaluates each of those patterns with Pattern::Match over
// its buffer, which honours the pattern's own WITHIN, START/STOP, FOLLOWEDBY order and
// REPEATS on the events' times (pattern/README.md). A match gives one CorrelationHit naming
// the events the binding used, and empties that pattern's buffer, so the same set is not
// reported again for every further event (a later match needs new events).
//
//   Correlator correlator(options);              // one per input stream
//   std::vector<CorrelationHit> hits;
//   KZ_RETURN_IF_ERROR(correlator.Add(snapshot, event, concerned, hits));
//
// Bounds of a pattern's buffer:
//   time    the WITHIN that qualifies the whole pattern, else options.window_us: an event
//           older than the newest event of the buffer by more than that is dropped;
//   count   options.max_events: beyond it the oldest event is dropped and counted.
//
// Events must come in time order. Moderate disorder is harmless (the evaluator looks at
// times, not at the order of arrival); an event older than its buffer's time bound is
// dropped on arrival and counted as late. Records without an event time never become events
// (BatchMatcher::FindCorrelationEvents).
//
// When the snapshot changes (an indicator reload), buffers carry over to the new snapshot
// for indicators whose pattern text is unchanged; the others are dropped. Pending() and
// Restore() do the same across processes: `kizuna match --resume` keeps each input's pending
// events (correlation_state.h) so a periodic match completes a pattern whose observations
// fall in different runs exactly as one run over the whole input would.
//
// Thread-safety: one thread at a time (match_run.h feeds each input's events in order).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "kizuna/detect/snapshot.h"
#include "kizuna/pattern/observation.h"

namespace kizuna::detect {

// Events kept per pattern. At least pattern::PatternLimits::max_repeats (1,000), so any
// REPEATS the pattern language allows fits; memory is this many observations and records
// per pattern at worst, and evaluating a full buffer costs about a millisecond.
inline constexpr size_t kMaxCorrelationEvents = 1024;

// Default time bound of a pattern without a WITHIN over the whole of it: one hour.
inline constexpr int64_t kDefaultCorrelationWindowUs = 3600LL * 1000000;

struct CorrelationOptions {
  // Time bound of patterns without a WITHIN over the whole pattern. Longer finds
  // correlations further apart, and keeps (and evaluates) more events.
  int64_t window_us = kDefaultCorrelationWindowUs;
  // Events kept per pattern (see kMaxCorrelationEvents).
  size_t max_events = kMaxCorrelationEvents;
};

// One event that may take part in a correlation: the observation the evaluator sees and
// copies of what an alert reports.
struct CorrelationEvent {
  pattern::Observation observation;  // first/last observed: the event time
  int64_t time_us = 0;  // the record's event time (records without one are no events)
  uint64_t line = 0;
  std::string log_type;
  std::string raw;
  bool json = false;  // raw is a JSON object
};

struct CorrelationHit {
  uint32_t indicator = 0;  // in the snapshot given to Add
  // The events the match used, in time order (then arrival); the last added among them is
  // the one that completed the match.
  std::vector<std::shared_ptr<const CorrelationEvent>> events;
  std::shared_ptr<const CorrelationEvent> trigger;
};

// The events of one pattern's buffer, named by the pattern's indicator and text rather than
// by its index in a snapshot, so they can be put back under another snapshot.
struct PendingEvents {
  Uuid indicator{};
  std::string pattern;                                          // the pattern's text
  int64_t newest_us = 0;                                        // the buffer's newest event time
  std::vector<std::shared_ptr<const CorrelationEvent>> events;  // arrival order
};

class Correlator {
 public:
  explicit Correlator(const CorrelationOptions& options) : options_(options) {}
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  // Adds `event` to the buffers of `patterns` (indexes in snapshot->patterns(), as
  // CorrelationSet::Find gives them) and appends a hit for each pattern that now matches.
  // Errors: the first evaluator error (a pattern hitting its limits: that buffer is kept);
  // the other patterns are still evaluated. REQUIRES: snapshot is not null.
  absl::Status Add(const std::shared_ptr<const Snapshot>& snapshot,
                   std::shared_ptr<const CorrelationEvent> event,
                   std::span<const uint32_t> patterns, std::vector<CorrelationHit>& hits);

  // The events waiting in the buffers of the current snapshot's patterns (empty buffers left
  // out), ordered by indicator. An event several patterns wait on is shared, not copied.
  std::vector<PendingEvents> Pending() const;
  // Makes `snapshot` current, with the buffers of its patterns whose indicator and pattern
  // text equal an entry of `pending` holding that entry's events; the other entries are
  // dropped. Returns the number of entries put back. REQUIRES: snapshot is not null.
  size_t Restore(const std::shared_ptr<const Snapshot>& snapshot,
                 std::vector<PendingEvents> pending);

  // Events dropped because a buffer was full, and because they were older than their
  // buffer's time bound on arrival.
  uint64_t dropped() const { return dropped_; }
  uint64_t late() const { return late_; }

 private:
  struct Buffer {
    std::deque<std::shared_ptr<const CorrelationEvent>> events;  // arrival order
    int64_t newest_us = 0;
  };

  void SwitchTo(const std::shared_ptr<const Snapshot>& snapshot);
  absl::Status AddTo(uint32_t pattern, const std::shared_ptr<const CorrelationEvent>& event,
                     std::vector<CorrelationHit>& hits);

  CorrelationOptions options_;
  std::shared_ptr<const Snapshot> snapshot_;
  absl::flat_hash_map<uint32_t, Buffer> buffers_;  // by pattern index in snapshot_
  std::vector<const pattern::Observation*> scratch_;
  uint64_t dropped_ = 0;
  uint64_t late_ = 0;
};

}  // namespace kizuna::detect
