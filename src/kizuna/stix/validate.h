// Kizuna. Validation of STIX 2.1 (and 2.0) objects against the standard's rules.
#pragma once

// ValidateObject checks one parsed object against the rules of its type: required
// properties, property value types, identifier references and the types they may point to,
// timestamp rules (`modified >= created`, `valid_until > valid_from`, millisecond precision
// where required), non-empty lists and dictionaries, vocabularies where the standard makes
// them closed (enums), integer and float ranges, the predefined extensions' shapes, and the
// type-specific constraints of STIX 2.1 §4-§7. Duplicate member names anywhere in the object
// are an error (I-JSON): the raw JSON is served to clients that may read the last value while
// Kizuna indexed the first.
//
// Custom object types (e.g. `x-mitre-tactic`) are checked for the common properties only;
// custom properties (any valid property name the type does not define) and extensions are
// accepted and left as they are, their values only walked for duplicate names and nesting
// deeper than limits::kMaxJsonDepth. STIX 2.0 objects (no spec_version, see object.h) are
// checked with the 2.0 rules where they differ (e.g. indicators need labels, observed-data
// holds its observables in `objects`).
//
// The rules come from tables generated from kizuna/stix/schema/stix21.txt, which documents
// each choice. Not checked here: STIX patterns (kizuna/pattern), whether referenced objects
// exist, and versioning across objects (the store). Open-vocabulary values outside the
// suggested terms are accepted, as the standard allows.
//
//   KZ_ASSIGN_OR_RETURN(ObjectIndex index, IndexObject(object));
//   KZ_RETURN_IF_ERROR(ValidateObject(object, index));
//   // error: "indicator--8e2e...: kill_chain_phases[0].phase_name: required property is missing"
//
// Cost: one pass over the object's members with a hashed table lookup each; no allocation
// unless the object is invalid or has more than 32 custom members (about 1 us for a typical
// indicator, bench/validate_bench.cc).
//
// Thread-safety: stateless; the tables are immutable.

#include "absl/status/status.h"
#include "kizuna/stix/object.h"
#include "simdjson.h"

namespace kizuna::stix {

// Returns OK if `object` (whose common properties are `index`, from IndexObject) is a valid
// STIX object of its spec version; otherwise InvalidArgument for the first problem found, whose
// message is "<id>: <property path>: <what was wrong; what was expected>". The path is
// "(object)" for a rule about the object as a whole, and "a|b" for a rule about several
// properties (e.g. "payload_bin|url: 2 are present; expected exactly one ...").
// REQUIRES: `index` is IndexObject(object).
absl::Status ValidateObject(simdjson::dom::object object, const ObjectIndex& index);

}  // namespace kizuna::stix
