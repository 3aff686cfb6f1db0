// Kizuna. The exercise marking: the fixed marking definition that tells exercise data from
// real intelligence, and the test every layer below the exercise uses to enforce it.
#pragma once

// One statement marking definition with a fixed id (docs/exercise.md): the UUIDv5 of
// "urn:kizuna:marking:exercise" in the URL namespace. An object carrying it, as an object
// marking or as a granular marking, is exercise data, and so is the definition itself. The store refuses such objects in any
// collection that is not an exercise collection, sync never carries them outside the
// exercise, and `kizuna match` never compiles them against production telemetry
// (docs/security.md, rule 6). exercise/marking.h builds the definition's JSON on this id.
//
// Thread-safety: constants and stateless functions.

#include <string_view>

#include "kizuna/stix/object.h"

namespace kizuna::stix {

inline constexpr std::string_view kExerciseMarkingId =
    "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618";

// Returns true when the object is exercise data: it carries the exercise marking, in
// object_marking_refs or in a granular marking, or it is the exercise marking definition.
bool IsExerciseObject(const ObjectIndex& index);

// Returns true when `markings` (marking-definition ids, space- or comma-separated, or a JSON
// array's text, as the store keeps them in StoredObject::markings) holds the exercise marking.
bool HasExerciseMarking(std::string_view markings);

}  // namespace kizuna::stix
