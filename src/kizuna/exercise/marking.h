// Kizuna. The exercise marking: what marks every object an exercise makes as exercise data.
#pragma once

// One marking definition with a fixed id (docs/exercise.md), a STIX 2.1 statement marking:
//
//   {"type": "marking-definition", "spec_version": "2.1",
//    "id": "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618",
//    "created": "2026-01-01T00:00:00.000Z", "definition_type": "statement",
//    "definition": {"statement": "KIZUNA EXERCISE: ..."}, "name": "Kizuna exercise"}
//
// The id is the UUIDv5 of "urn:kizuna:marking:exercise" in the URL namespace. Every object an
// exercise makes (the indicators its steps imply, injects, the white cell's identity) carries
// it in `object_marking_refs`, beside the scenario's TLP, so anything that reads STIX can tell
// exercise data from real intelligence.
//
// The id and the test live in the stix layer (stix/exercise_marking.h), since the store, sync
// and the detection engine enforce them below this layer; this header is their exercise-side
// name and the definition's text.
//
// Thread-safety: constants and stateless functions.

#include <string>
#include <string_view>

#include "kizuna/stix/exercise_marking.h"

namespace kizuna::exercise {

inline constexpr std::string_view kExerciseMarkingId = stix::kExerciseMarkingId;

// The marking definition's JSON text (one line, the same bytes every time).
std::string ExerciseMarkingJson();

// Returns true when `markings` (marking-definition ids, space- or comma-separated, or a JSON
// array's text) holds the exercise marking.
using stix::HasExerciseMarking;

}  // namespace kizuna::exercise
