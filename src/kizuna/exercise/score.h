// Kizuna. Exercise metrics: detections scored against the ground truth (docs/exercise.md).
#pragma once

// A Scorer takes the scenario, the ground truth of its telemetry (ground_truth.h) and what
// the teams detected: the alert lines `kizuna match` writes (detect/alerts.h: each names its
// input file and line, so the ground truth says which step, look-alike or background record
// it was), and STIX sightings (a team node's sightings collection exported or read over
// TAXII: a sighting of an indicator the scenario implies counts as a detection of its step at
// `first_seen`). Finish computes, per step and per team:
//
//   detected, time to detect   first detection time minus the step's first record time, in
//                              telemetry seconds and in scenario seconds (x time scale);
//                              deadline met when the latter is within detection.deadline
//   detection level            the ATT&CK Evaluations ladder: technique when an indicator
//                              of the step itself matched, general for any other indicator,
//                              none when undetected (weights 1, 0.5, 0)
//   recall                     detected steps / steps, and over covered steps only (steps
//                              whose artefacts imply at least one indicator)
//   precision                  alerts on step records / all alerts on the team's records
//   false positives            alerts on look-alike records and on background records
//   time to share              (with partners' manifests) the partner node's date_added of a
//                              step's indicator minus the sharing team's first detection
//
// The scoreboard is a pure function of its inputs: the same files give the same bytes.
//
// Thread-safety: one thread per Scorer.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/scenario.h"
#include "simdjson.h"

namespace kizuna::exercise {

// Longest alert line read, in bytes.
inline constexpr size_t kMaxAlertLineBytes = size_t{16} << 20;

struct StepScore {
  std::string id;
  std::string team;
  std::string technique;
  bool covered = false;
  uint64_t records = 0;
  uint64_t alerts = 0;
  bool detected = false;
  std::string level = "none";
  int64_t start_us = 0;  // first record of the step
  std::optional<int64_t> detected_us;
  std::optional<double> ttd_s;           // telemetry seconds
  std::optional<double> ttd_scenario_s;  // scenario seconds
  bool deadline_met = false;
};

struct ShareScore {
  std::string objective;
  std::string from, to, step;
  std::optional<double> time_to_share_s;
  bool met = false;
};

struct TeamScore {
  std::string team;
  std::string nation;
  uint64_t steps = 0, covered = 0, detected = 0, detected_covered = 0, deadlines_met = 0;
  uint64_t alerts = 0, step_alerts = 0, lookalike_alerts = 0, background_alerts = 0;
  std::optional<double> recall, recall_covered, precision, mean_ttd_s;
  double detection_quality = 0;  // mean ladder weight over the team's steps
  double score = 0;              // weighted (scoring.weights)
};

struct Scoreboard {
  std::string exercise;
  std::vector<TeamScore> teams;
  std::vector<StepScore> steps;
  std::vector<ShareScore> shares;
  uint64_t alerts = 0, unlabelled_alerts = 0, sightings = 0;

  std::string ToJson() const;
  std::string ToTable() const;
};

class Scorer {
 public:
  // `time_scale`: the generator's (scenario seconds per telemetry second).
  Scorer(const Scenario& scenario, const GroundTruth& truth, double time_scale);

  // Reads alert lines (JSON lines, detect/alerts.h) from `origin`. InvalidArgument
  // "origin:line: what" for a line that is not an alert.
  absl::Status AddAlerts(std::string_view text, std::string_view origin);
  // Reads the sightings of a STIX bundle or TAXII envelope made by team `team`'s node.
  absl::Status AddSightings(std::string_view text, std::string_view team, std::string_view origin);
  // Reads a TAXII manifest (or envelope with date_added) of team `team`'s node: when it
  // holds a step's indicator, that step was shared to `team` at its date_added.
  absl::Status AddShared(std::string_view text, std::string_view team, std::string_view origin);

  Scoreboard Finish() const;

 private:
  struct Hit {
    int64_t time_us = INT64_MAX;
    uint64_t alerts = 0;
    bool own_indicator = false;
  };
  // The objects list of `text` from team `team`'s node (InvalidArgument: no such team, no list).
  absl::StatusOr<simdjson::dom::array> TeamObjects(simdjson::dom::parser& parser,
                                                   std::string_view text, std::string_view team,
                                                   std::string_view origin) const;
  void Detect(const std::string& team, const std::string& step, int64_t time_us,
              bool own_indicator);

  const Scenario& scenario_;
  const GroundTruth& truth_;
  double time_scale_;
  std::vector<std::string> file_team_;  // truth file index -> team
  std::vector<int> label_step_;         // truth label index -> step index, -1
  std::vector<char> label_lookalike_;   // truth label index -> is a look-alike
  std::vector<const Step*> steps_;
  absl::flat_hash_map<std::string, int> indicator_step_;     // implied indicator id -> step index
  std::map<std::pair<std::string, std::string>, Hit> hits_;  // (team, step id)
  std::map<std::string, TeamScore> counts_;                  // alert counts per team
  std::map<std::pair<std::string, std::string>, int64_t> shared_;  // (to team, step) -> date_added
  uint64_t alerts_ = 0, unlabelled_ = 0, sightings_ = 0;
};

}  // namespace kizuna::exercise
