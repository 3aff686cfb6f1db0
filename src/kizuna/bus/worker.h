// Kizuna. `kizuna match --from nats://...`: a matcher worker fed by the KIZUNA_TELEMETRY
// stream, matching against the node's indicator set and sending sightings back.
#pragma once

// Workers that name the same durable consumer share the stream: each batch goes to one of
// them. For each batch the worker matches its records in memory (detect::MatchRun, the
// engine of `kizuna match`, reading the batch as a file of the input's name, so the log type
// comes from the name as it does for files), publishes one SightingReport (messages.h), and
// acknowledges the batch once the stream stored the report, not before. A worker that dies
// (SIGKILL included) before that leaves the batch unacknowledged: the server hands it to
// another worker after `ack_wait_ms`. The waits overlap the matching: the next batches are
// fetched ahead (prefetcher.h) and the stream's answers to reports come back while the
// worker matches (Bus::PublishAsync; at most a few reports in flight).
// The report's message id is derived from the batch's, so the stream keeps one report per
// batch even when two workers matched it.
//
// The indicator set comes from the node (KIZUNA_INDICATORS: a head, then chunks of indicator
// JSON lines); the worker checks the head every `set_check_ms` and, when its version
// changed, compiles the new set and matches every later batch against it (a set being
// replaced while it is read is read again at the next check). Until a first set is read,
// nothing is fetched.
//
// Multi-observation patterns correlate within one batch only (each batch is an input).
//
// Thread-safety: Run() on one thread; `stop` may be set from another (or a signal handler).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "kizuna/bus/jetstream.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/live_snapshot.h"
#include "kizuna/detect/match_run.h"

namespace kizuna::bus {

struct WorkerOptions {
  std::string durable;          // the shared consumer's name
  int64_t ack_wait_ms = 30000;  // redelivery of a batch whose worker went silent
  int fetch_batches = 4;        // batches asked for at a time
  int64_t set_check_ms = 1000;
  int64_t exit_when_idle_ms = 0;   // > 0: return after this long without a batch
  detect::CompileOptions compile;  // now_us is set at each compilation
  detect::MatchOptions match;      // threads, window (from the set), reader options
  const std::atomic<bool>* stop = nullptr;
};

struct WorkerSummary {
  int64_t batches = 0;
  int64_t redelivered = 0;  // batches delivered before (to a worker that did not finish)
  int64_t records = 0;
  int64_t bytes = 0;
  int64_t alerts = 0;
  int64_t malformed = 0;
  int64_t entries = 0;  // sighting entries sent
  int64_t sets = 0;     // indicator sets compiled
  uint64_t set_version = 0;
  int64_t indicators = 0;             // active in the current set
  double seconds = 0;                 // from the first batch to the last
  std::vector<std::string> problems;  // first few "input:line: reason"
};

class Worker {
 public:
  Worker(Bus& bus, WorkerOptions options, detect::MatchRun::AlertSink sink);

  // Runs until `stop` (or idle for exit_when_idle_ms); every report sent is answered before
  // it returns. Errors: the bus's (connection, consumer, a report not stored), a set that
  // cannot be compiled.
  absl::Status Run();

  std::function<void(const WorkerSummary&)> on_progress;  // after each batch
  // Called when waiting for the node's first set, and when a set is compiled.
  std::function<void(const std::string& line)> on_event;

  const WorkerSummary& summary() const { return summary_; }

 private:
  // Reads the head; compiles and publishes a new set when its version changed.
  absl::Status CheckSet();
  absl::Status Loop(PullConsumer& consumer);
  // Matches the batch, sends its report; the batch is acknowledged when the report is stored.
  absl::Status MatchOne(Message msg);
  // The first error of a report or an acknowledgement sent asynchronously, else OK.
  absl::Status Failed();

  // Written by the bus's callbacks, which may outlive a Run() cut short.
  struct Failure {
    std::mutex mutex;
    absl::Status status ABSL_GUARDED_BY(mutex);
  };

  Bus& bus_;
  WorkerOptions options_;
  detect::MatchRun::AlertSink sink_;
  std::unique_ptr<detect::LiveSnapshot> live_;
  uint64_t version_ = 0;
  int64_t window_s_ = 0;
  WorkerSummary summary_;
  std::shared_ptr<Failure> failure_ = std::make_shared<Failure>();
};

}  // namespace kizuna::bus
