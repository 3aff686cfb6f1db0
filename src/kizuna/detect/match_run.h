// Kizuna. Matching telemetry inputs against the live snapshot, on several threads.
#pragma once

// MatchRun reads every input (files; directories are expanded by the caller with
// ExpandInputs), matches each batch against the snapshot current at that moment
// (live_snapshot.h), and produces alerts (alerts.h, handed to a sink), sightings
// (sightings.h) and a summary. Patterns needing several observations are evaluated over
// windows of the events of one input (correlator.h): events of different inputs are never
// combined, and each input's events are taken in the order of its lines. Inputs are shared out among `threads` workers one file at a
// time. Nothing in the input is fatal: malformed lines, unreadable files and truncated gzip
// streams are counted and listed (the first max_problems, as "file:line: reason").
//
//   MatchRun run(live, options, [&](std::string_view lines) { alerts_file.Write(lines); });
//   run.Run(files);
//   run.summary() ... run.sightings().Entries() ...
//
// Thread-safety: Run() from one thread; it calls the alert sink and on_progress from one
// thread at a time.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/base/clock.h"
#include "kizuna/detect/correlator.h"
#include "kizuna/detect/live_snapshot.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/detect/sightings.h"

namespace kizuna::detect {

struct MatchOptions {
  TelemetryFormat format = TelemetryFormat::kAuto;
  ReaderOptions reader;
  // Worker threads (at most one per input is busy).
  int threads = 2;
  int64_t sighting_window_us = kDefaultSightingWindowUs;
  // Time and count bounds of the events kept for multi-observation patterns (correlator.h).
  CorrelationOptions correlation;
  // Problems listed in the summary (all are counted).
  size_t max_problems = 100;
  // Time for records without one; null for the system clock.
  Clock* clock = nullptr;
};

struct MatchSummary {
  uint64_t inputs = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t malformed = 0;
  uint64_t alerts = 0;       // alert lines: records that matched, and correlations
  uint64_t matches = 0;      // (record, indicator) pairs, and correlations
  uint64_t correlations = 0;  // multi-observation patterns matched over several records
  uint64_t correlation_dropped = 0;  // events dropped from a full correlation buffer
  uint64_t correlation_late = 0;     // events older than their buffer's time bound
  uint64_t indicators_hit = 0;
  uint64_t input_errors = 0;  // inputs that could not be opened or ended early
  uint64_t evaluator_errors = 0;
  std::vector<std::string> problems;  // "file:line: reason", "file: reason"
  double seconds = 0;
};

class MatchRun {
 public:
  using AlertSink = std::function<void(std::string_view lines)>;

  // `sink` receives alert lines (several at a time); null to count only.
  MatchRun(const LiveSnapshot& live, MatchOptions options, AlertSink sink);

  // Called about every `progress_interval_ms` with the summary so far.
  std::function<void(const MatchSummary&)> on_progress;
  int progress_interval_ms = 250;

  // Matches every input. Returns OK; problems are in the summary.
  void Run(const std::vector<std::string>& inputs);

  const MatchSummary& summary() const { return summary_; }
  const SightingAggregator& sightings() const { return sightings_; }

 private:
  void Worker();
  void MatchInput(const std::string& path, SightingAggregator& sightings);
  void Problem(std::string text);

  const LiveSnapshot& live_;
  MatchOptions options_;
  AlertSink sink_;
  std::vector<std::string> inputs_;
  size_t next_input_ = 0;
  std::mutex mutex_;  // guards everything below, next_input_ and calls of sink_
  MatchSummary summary_;
  SightingAggregator sightings_;
};

}  // namespace kizuna::detect
