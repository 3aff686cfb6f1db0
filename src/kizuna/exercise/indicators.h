// Kizuna. The STIX indicators a scenario's steps imply, as an exercise-marked bundle, and
// the white cell's message injects as STIX notes.
#pragma once

// A step's artefacts imply patterns (with `imply_indicators`, the default):
//   DNS query, TLS SNI, HTTP host       -> [domain-name:value = '...']
//   connection, HTTP or TLS destination
//   and DNS answers outside every team
//   network (the adversary's servers)    -> [ipv4-addr:value = '...']
//   file SHA-256                         -> [file:hashes.'SHA-256' = '...']
// plus the patterns the step lists under `indicators`. A step is *covered* when it has at
// least one pattern. Each indicator's id is a UUIDv5 of the scenario id, the step id and the
// pattern, so the same scenario gives the same bundle every time; indicators carry the
// exercise marking and the TLP marking of the scenario, `valid_from` = t0, the step's id in
// `x_kizuna_exercise_step` and its ATT&CK technique in `x_kizuna_attack_technique`.
//
// Thread-safety: stateless.

#include <string>
#include <vector>

#include "kizuna/exercise/scenario.h"

namespace kizuna::exercise {

// The patterns step `step` implies and lists, deduplicated, in a fixed order.
std::vector<std::string> StepPatterns(const Scenario& scenario, const Step& step);

// A STIX 2.1 bundle: the exercise marking, the white cell's identity, and one indicator per
// pattern of each step of `steps` (all steps when empty). `t0_us`: the indicators' valid_from
// and created (the scenario's t0 when 0).
std::string IndicatorBundle(const Scenario& scenario, const std::vector<std::string>& steps,
                            int64_t t0_us);

// The id of the white cell's identity, the creator of the implied indicators: an
// organisation of this id on a team's node may POST them (docs/security.md, rule 3).
std::string WhiteCellIdentity(const Scenario& scenario);

// A message inject (channel: message) as a STIX 2.1 bundle: the exercise marking, the white
// cell's identity and one `note` by it: `abstract` "EXERCISE <exercise>: inject <id>",
// `content` the message, `object_refs` the white cell's identity (the note is its word),
// `created` t0 + the inject's `at`, the exercise and the TLP markings, and
// `x_kizuna_exercise`, `x_kizuna_exercise_inject`, `x_kizuna_exercise_audience` (team ids),
// `x_kizuna_expected_action`, `x_kizuna_deadline_s`. Its id (MessageNoteId) is a UUIDv5 of
// the scenario and inject ids: the same note on every audience node and in every run.
std::string MessageBundle(const Scenario& scenario, const Inject& inject);
std::string MessageNoteId(const Scenario& scenario, const Inject& inject);

// The indicator id of `pattern` implied by step `step_id` of scenario `scenario_id`.
std::string IndicatorId(std::string_view scenario_id, std::string_view step_id,
                        std::string_view pattern);

}  // namespace kizuna::exercise
