// Kizuna. `kizuna match --resume FILE`: where a periodic match over growing telemetry stopped.
#pragma once

// The file (JSON, written atomically at the end of each run) holds, per input path, the
// number of lines and bytes read, and the sighting entries counted so far:
//
//   {"kizuna_match_resume": 1, "window_s": 3600,
//    "inputs": {"/sensor/dns.log": {"lines": 1520, "bytes": 301022}},
//    "sightings": [{"indicator": "indicator--...", "window_start_us": ..., "first_us": ...,
//                   "last_us": ..., "count": 3}]}
//
// The next run matches only the lines after those (an input now shorter than the bytes read
// was replaced, and is read from its start), and adds its sightings to those counted before,
// so each sighting is the one a single run over the whole telemetry would make. Events of
// earlier runs take no part in patterns needing several observations.
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
  absl::flat_hash_map<std::string, detect::InputProgress> inputs;
  std::vector<detect::SightingAggregator::Entry> sightings;
};

// Reads `path`; an empty state when it does not exist. InvalidArgument naming the file for
// one that is not a resume file, or was written with another sighting window than `window_s`.
absl::StatusOr<MatchResume> ReadMatchResume(const std::string& path, int64_t window_s);

// The lines of each input to skip: those read before, for inputs at least as long as then.
absl::flat_hash_map<std::string, uint64_t> ResumeLines(const MatchResume& resume,
                                                       const std::vector<std::string>& inputs);

// Writes `resume` to `path` atomically. Errors name the file.
absl::Status WriteMatchResume(const std::string& path, const MatchResume& resume);

}  // namespace kizuna::cli
