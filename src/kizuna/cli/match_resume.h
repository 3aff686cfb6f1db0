// Kizuna. `kizuna match --resume FILE`: where a periodic match over growing telemetry stopped.
#pragma once

// The file (JSON, written atomically at the end of each run) holds, per input path, the
// number of lines and bytes read, the events its multi-observation patterns still wait on
// (detect/correlation_state.h), and the sighting entries counted so far:
//
//   {"kizuna_match_resume": 2, "window_s": 3600, "correlation_window_s": 3600,
//    "inputs": {"/sensor/dns.log": {"lines": 1520, "bytes": 301022}},
//    "correlations": {"/sensor/dns.log": {"events": [...], "patterns": [...]}},
//    "sightings": [{"indicator": "indicator--...", "window_start_us": ..., "first_us": ...,
//                   "last_us": ..., "count": 3}]}
//
// The next run matches only the lines after those (an input now shorter than the bytes read
// was replaced, and is read from its start, without its pending events), puts each input's
// pending events back in its correlator, and adds its sightings to those counted before, so
// the alerts and sightings of k runs over a growing input are those of one run over the
// whole of it, patterns needing several observations (AND, FOLLOWEDBY, REPEATS, WITHIN)
// included. The pending events are bounded as the correlator's buffers are (at most 1,024
// per pattern and input, within the pattern's time bound); the file is read up to
// kMaxResumeBytes, and written without the pending events (said on stderr) should they make
// it larger. A file of version 1 (without pending events) is read as one with none.
//
// Thread-safety: functions without shared state.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/detect/match_run.h"
#include "kizuna/detect/sightings.h"

namespace kizuna::cli {

// Largest resume file read.
inline constexpr uint64_t kMaxResumeBytes = uint64_t{256} << 20;

struct MatchResume {
  int64_t window_s = 0;
  int64_t correlation_window_s = 0;
  absl::flat_hash_map<std::string, detect::InputProgress> inputs;
  absl::flat_hash_map<std::string, std::vector<detect::PendingEvents>> pending;  // per input
  std::vector<detect::SightingAggregator::Entry> sightings;
};

// Reads `path`; an empty state when it does not exist. InvalidArgument naming the file (and
// the member at fault) for one that is not a resume file, or was written with another
// sighting window than `window_s` or correlation window than `correlation_window_s`.
absl::StatusOr<MatchResume> ReadMatchResume(const std::string& path, int64_t window_s,
                                            int64_t correlation_window_s);

// The lines of each input to skip: those read before, for inputs at least as long as then.
absl::flat_hash_map<std::string, uint64_t> ResumeLines(const MatchResume& resume,
                                                       const std::vector<std::string>& inputs);

// The pending events to put back: those of the inputs `lines` (ResumeLines) reads on.
absl::flat_hash_map<std::string, std::vector<detect::PendingEvents>> ResumePending(
    const MatchResume& resume, const absl::flat_hash_map<std::string, uint64_t>& lines);

// Records in `resume` how far `run` read each input and what its correlators left pending.
void UpdateMatchResume(MatchResume& resume, const detect::MatchRun& run);

// Writes `resume` to `path` atomically. Errors name the file. Should the file outgrow
// kMaxResumeBytes (which the next run would refuse), the pending events are left out and
// `left_out` (if not null) says so.
absl::Status WriteMatchResume(const std::string& path, const MatchResume& resume,
                              std::string* left_out = nullptr);

}  // namespace kizuna::cli
