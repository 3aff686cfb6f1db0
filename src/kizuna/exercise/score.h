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
//                              step's indicator, or of a sighting of one, minus the sharing
//                              team's first detection: the first arrival at or after that
//                              detection (an earlier one came from another team), else the
//                              earliest (negative)
//   share to use               a step whose first detection was made with an indicator of
//                              another team's step that the team's node had received
//                              (--shared) before the detection
//   releasability violations   a step's indicator received by a team no sharing objective
//                              of the step names, or with markings (TLP, releasable_to)
//                              less restrictive than the objective's
//
// Coalition lift (lift.h) scores the same telemetry twice, without and with the partners'
// indicators.
//
// The scoreboard is a pure function of its inputs: the same files give the same bytes.
//
// Thread-safety: one thread per Scorer.

#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/scenario.h"
#include "kizuna/policy/marking.h"
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
  int64_t end_us = 0;    // last record of the step
  std::optional<int64_t> detected_us;
  std::optional<double> ttd_s;           // telemetry seconds
  std::optional<double> ttd_scenario_s;  // scenario seconds
  bool deadline_met = false;
  // Share to use: the first detection was made with an indicator of `shared_step` (a step
  // of team `shared_from`) that the team's node had received before it.
  std::string shared_from, shared_step;
};

struct ShareScore {
  std::string objective;
  std::string from, to, step;
  std::optional<double> time_to_share_s;
  std::optional<int64_t> shared_us;  // the partner node's date_added
  bool met = false;
  // Share to use: `to` detected a step of its own first with the objective's indicator,
  // `time_to_use_s` after its node received it.
  bool used = false;
  std::optional<double> time_to_use_s;
};

// One releasability violation: team `from`'s indicator of `step` as team `to`'s node
// received it. `kind`: "outside-audience" (no sharing objective of the step names `to`),
// "tlp-below-objective" (its TLP, or none, is less restrictive than the objective's),
// "not-releasability-marked" (the objective names nations, the object no releasable_to),
// "releasable-beyond" (its releasable_to names `detail`, a nation the objective does not).
struct Violation {
  std::string from, to, step, indicator, objective, kind, detail;
};

struct TeamScore {
  std::string team;
  std::string nation;
  uint64_t steps = 0, covered = 0, detected = 0, detected_covered = 0, deadlines_met = 0;
  uint64_t alerts = 0, step_alerts = 0, lookalike_alerts = 0, background_alerts = 0;
  std::optional<double> recall, recall_covered, precision, mean_ttd_s;
  uint64_t share_to_use = 0;  // steps first detected with a partner's shared indicator
  uint64_t reports_received = 0;  // distinct STIX reports found on the team's node (AddShared)
  uint64_t violations = 0;    // releasability violations of what the team shared
  double detection_quality = 0;  // mean ladder weight over the team's steps
  double score = 0;              // weighted (scoring.weights)
};

// Coalition lift of one team (lift.h): the same telemetry matched with the team's own
// indicators alone, then with those the sharing objectives bring it from partners.
struct TeamLift {
  std::string team;
  std::optional<double> recall_alone, recall_shared, recall_lift;
  std::optional<double> mean_ttd_alone_s, mean_ttd_shared_s, ttd_gain_s;
  uint64_t steps_gained = 0;  // detected only with the partners' indicators
};

struct Scoreboard {
  std::string exercise;
  std::string title, tlp;  // the scenario's meta.title and meta.tlp
  int64_t t0_us = 0, duration_s = 0;
  std::vector<TeamScore> teams;
  std::vector<StepScore> steps;
  std::vector<ShareScore> shares;
  std::vector<Violation> violations;
  std::vector<TeamLift> lift;  // empty unless measured (lift.h)
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
  // holds a step's indicator, or a sighting of one (what a partner's node shares when it
  // detects the step), that step was shared to `team` at its date_added. Objects that
  // carry object_marking_refs (an envelope) are checked against the sharing objectives'
  // TLP and releasable_to, their markings resolved as predefined TLP ids or from the
  // marking definitions of the same input; a manifest is checked for its audience only. A
  // STIX report is counted (reports_received) and, when its object_refs name a step's
  // indicator, tells the team of that step at its date_added too.
  absl::Status AddShared(std::string_view text, std::string_view team, std::string_view origin);

  Scoreboard Finish() const;

 private:
  struct Hit {
    int64_t time_us = INT64_MAX;
    uint64_t alerts = 0;
    bool own_indicator = false;
    std::vector<int> first_indicators;  // steps of the implied indicators matched first
  };
  // A step's indicator as a team's node received it.
  struct Received {
    std::optional<std::vector<std::string>> markings;  // absent from a manifest
  };
  // The objects list of `text` from team `team`'s node (InvalidArgument: no such team, no list).
  absl::StatusOr<simdjson::dom::array> TeamObjects(simdjson::dom::parser& parser,
                                                   std::string_view text, std::string_view team,
                                                   std::string_view origin) const;
  void Detect(const std::string& team, const std::string& step, int64_t time_us,
              bool own_indicator, const std::vector<int>& indicators);
  // Step `step` reached team `team`'s node at `date_added_us`.
  void Shared(std::string_view team, const std::string& step, int64_t date_added_us);
  // Share to use of each step and objective (Finish).
  void ScoreShareToUse(Scoreboard& b) const;
  // Releasability violations of what was received (Finish).
  void ScoreViolations(Scoreboard& b) const;

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
  // (to team, step) -> every date_added of the step's indicators and sightings, sorted.
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> shared_;
  std::map<std::pair<std::string, std::string>, Received> received_;  // (to team, indicator)
  std::map<std::string, std::set<std::string>> reports_;               // to team -> report ids
  std::map<std::string, policy::MarkingFacts> marking_defs_;  // from the --shared inputs
  uint64_t alerts_ = 0, unlabelled_ = 0, sightings_ = 0;
};

}  // namespace kizuna::exercise
