// Kizuna. Reads a scenario from its YAML text (docs/exercise.md is the format's reference).
#pragma once

// Every error names the file and line of the key or value that is wrong and what was expected:
//
//   pacific-shield.yaml:42: procedures[0].steps[1].window.end: must not be before start
//
// Checks made here: the shape (known keys only, types, ranges, required keys), unique ids,
// references between items (a step's team and actor, a look-alike's team, an objective's
// teams and step, an inject's audience), nations, TLP names and addresses. Technique and
// group ids are checked against ATT&CK by attack_catalog.h (CheckAttackIds), since that
// needs the ATT&CK data.
//
// Thread-safety: stateless.

#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/exercise/scenario.h"

namespace kizuna::exercise {

// Parses `text`, read from `file` (used in errors). Returns the scenario, or InvalidArgument
// "file:line: path: what" for the first problem found.
absl::StatusOr<Scenario> ParseScenario(std::string_view text, std::string_view file);

// Reads and parses the scenario file at `path` (at most kMaxScenarioBytes).
absl::StatusOr<Scenario> ReadScenario(std::string_view path);

// Parses a duration: an integer with an optional unit s, m, h or d ("90", "90s", "10m").
// Returns the seconds, or InvalidArgument naming the text.
absl::StatusOr<int64_t> ParseDuration(std::string_view text);

}  // namespace kizuna::exercise
