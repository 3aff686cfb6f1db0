// Kizuna. Coalition lift: what the partners' shared indicators add to a team's detection.
#pragma once

// MeasureLift matches each blue team's generated telemetry (DIR/<team>/, as `kizuna exercise
// generate` wrote it) twice with the detection engine (detect/match_run.h), offline:
//
//   alone    the indicators implied by the team's own steps;
//   shared   those, and the indicators of every step a sharing objective tells a partner to
//            share with the team;
//
// scores both against the ground truth (score.h) and returns, per blue team, recall and mean
// time to detect in each, the recall lift (shared − alone), the steps detected only with
// the partners' indicators, and the time gained (mean over the steps detected in both of TTD
// alone − TTD shared; telemetry seconds). docs/exercise.md defines them.
//
//   KZ_ASSIGN_OR_RETURN(std::vector<TeamLift> lift, MeasureLift(scenario, truth, dir, 1, 2));
//
// Thread-safety: stateless; uses `threads` threads while matching.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/scenario.h"
#include "kizuna/exercise/score.h"

namespace kizuna::exercise {

// A team without a folder in `telemetry_dir` has no telemetry. Errors: NotFound naming
// `telemetry_dir` when it is no folder; the compiler's.
absl::StatusOr<std::vector<TeamLift>> MeasureLift(const Scenario& scenario,
                                                  const GroundTruth& truth,
                                                  const std::string& telemetry_dir,
                                                  double time_scale, int threads);

}  // namespace kizuna::exercise
