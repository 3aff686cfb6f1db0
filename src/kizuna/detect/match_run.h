// Kizuna. Matching telemetry inputs against the live snapshot, on several threads.
#pragma once

// MatchRun reads every input (files; directories are expanded by the caller with
// ExpandInputs), matches each block of lines against the snapshot current when the block was
// cut (live_snapshot.h), and produces alerts (alerts.h, handed to a sink), sightings
// (sightings.h) and a summary. Nothing in the input is fatal: malformed lines, unreadable
// files and truncated gzip streams are counted and listed (the first max_problems, as
// "file:line: reason").
//
// A sighting carries the event time of the records it counts, never the time of matching:
// a record without a usable event time (no time field, or one such as "-" or a masked value
// that is no time) that matches an indicator still gets its alert (without "time"), but
// makes no sighting and takes part in no correlation; it is counted as malformed and listed
// with why (`file:line: event time "-" is not a time: no sighting made`).
//
// Threads: each of `threads` workers takes an input nobody reads yet; when none is left, it
// joins an input still being read. Workers on one input take turns cutting its next block
// of lines (reader.h: decompressing and finding line ends, under the input's lock) and
// parse and match their blocks in parallel, so one large input keeps every thread busy.
// Alerts of different blocks may come out in any order; the set of alerts, the summary and
// the sightings do not depend on the number of threads.
//
// Patterns needing several observations are evaluated over windows of the events of one
// input (correlator.h): events of different inputs are never combined. Each input has one
// Correlator, fed block by block in the order the blocks were cut (a block matched early
// waits for those before it), so correlations see each input's events in line order
// whatever the number of threads.
//
//   MatchRun run(live, options, [&](std::string_view lines) { alerts_file.Write(lines); });
//   run.Run(files);
//   run.summary() ... run.sightings().Entries() ...
//
// With MatchOptions::resume_lines and resume_pending (`kizuna match --resume`), an input is
// read on from where an earlier run stopped, its correlator holding the events that run left
// pending: k runs over a growing input give the alerts and sightings of one run over it.
//
// Inputs may also be text in memory (a batch received from a message bus): RunTexts reads
// each as the file it names (OpenTelemetryText), through the same workers.
//
// Thread-safety: Run() from one thread; it calls the alert sink and on_progress from one
// thread at a time.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "kizuna/detect/correlator.h"
#include "kizuna/detect/indicator_details.h"
#include "kizuna/detect/live_snapshot.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/detect/sightings.h"

namespace kizuna::detect {

struct MatchOptions {
  TelemetryFormat format = TelemetryFormat::kAuto;
  ReaderOptions reader;
  // Worker threads; several may read one input.
  int threads = 2;
  int64_t sighting_window_us = kDefaultSightingWindowUs;
  // Time and count bounds of the events kept for multi-observation patterns (correlator.h).
  CorrelationOptions correlation;
  // Problems listed in the summary (all are counted).
  size_t max_problems = 100;
  // Where alerts get the indicators' names, labels, TLP... (null: ids only). Must outlive
  // the run.
  IndicatorDetails* details = nullptr;
  // Indicators listed in MatchSummary::top_indicators.
  size_t top_indicators = 10;
  // Per input path, the number of its lines an earlier run read (`kizuna match --resume`):
  // their data lines are not matched again (TelemetryReader::SkipThrough). Null: none.
  // Must outlive the run.
  const absl::flat_hash_map<std::string, uint64_t>* resume_lines = nullptr;
  // Per input path, the events its correlator held when an earlier run ended
  // (MatchRun::pending()): put back before the input's first block, so patterns needing
  // several observations complete across runs. Null: none. Must outlive the run.
  const absl::flat_hash_map<std::string, std::vector<PendingEvents>>* resume_pending = nullptr;
};

// How far an input was read: its last line's number and the bytes read.
struct InputProgress {
  uint64_t lines = 0;
  uint64_t bytes = 0;
};

// An input held in memory, read as if it were the file `name` (its log type; problems name
// it). The text must outlive the run.
struct TextInput {
  std::string name;
  std::string_view text;
};

// An indicator and the matches it made (records, and correlations).
struct IndicatorHits {
  Uuid indicator{};
  uint64_t hits = 0;
};

struct MatchSummary {
  uint64_t inputs = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  // Lines that could not be read, and records that matched without a usable event time.
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
  // The indicators with the most hits, most first (ties: by id); at most
  // MatchOptions::top_indicators. Set when Run() returns.
  std::vector<IndicatorHits> top_indicators;
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
  // The same for inputs in memory.
  void RunTexts(const std::vector<TextInput>& inputs);

  const MatchSummary& summary() const { return summary_; }
  const SightingAggregator& sightings() const { return sightings_; }
  // Per input path opened, how far it was read (set when Run() returns).
  const absl::flat_hash_map<std::string, InputProgress>& progress() const { return progress_; }
  // Per input path opened, the events its correlator still held at the end (set when Run()
  // returns; inputs with none are left out).
  const absl::flat_hash_map<std::string, std::vector<PendingEvents>>& pending() const {
    return pending_;
  }

 private:
  struct Input;   // an input being read, shared by its workers
  struct Worker;  // one worker's buffers
  // An input to open: a path, or text in memory.
  struct Source {
    std::string path;
    std::optional<std::string_view> text;
  };

  void RunSources(std::vector<Source> inputs);
  void Work();
  // Returns an input for a worker (opening the next one, else joining one being read), or
  // null when every input has been read.
  std::shared_ptr<Input> Acquire();
  void Release(const std::shared_ptr<Input>& input);
  void MatchInput(Input& input, Worker& w);
  void MatchBlock(Input& input, std::shared_ptr<const Snapshot> snapshot, Worker& w);
  // Runs w's correlation candidates of block `sequence` through the input's correlator once
  // every earlier block has been; returns the hits made (alerts and sightings go to w).
  uint64_t Correlate(Input& input, uint64_t sequence, std::shared_ptr<const Snapshot> snapshot,
                     Worker& w, absl::Status& error);
  void Problem(std::string text);

  const LiveSnapshot& live_;
  MatchOptions options_;
  AlertSink sink_;
  std::vector<Source> inputs_;
  std::mutex mutex_;  // guards everything below, inputs being read, and calls of sink_
  size_t next_input_ = 0;
  int opening_ = 0;  // inputs taken and not yet opened
  std::condition_variable opened_;  // opening_ went down
  absl::flat_hash_map<std::string, InputProgress> progress_;
  absl::flat_hash_map<std::string, std::vector<PendingEvents>> pending_;
  std::vector<std::shared_ptr<Input>> open_;
  MatchSummary summary_;
  SightingAggregator sightings_;
  absl::flat_hash_map<Uuid, uint64_t> hits_;  // per indicator, merged from the workers
};

}  // namespace kizuna::detect
