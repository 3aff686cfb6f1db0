// Kizuna. Validation of STIX 2.1 (and 2.0) objects against the standard's rules.
#pragma once

// ValidateObject checks one parsed object against the rules of its type: required
// properties, property value types, identifier references and the types they may point to,
// timestamp rules (`modified >= created`, `valid_until > valid_from`, millisecond precision
// where required), non-empty lists, vocabularies where the standard makes them closed
// (enums), integer ranges, and the type-specific constraints of STIX 2.1 §4-§8. Custom
// object types, custom properties (`x_...` and any other valid property name) and extensions
// are accepted and left alone. STIX 2.0 objects are checked against the 2.0 rules where
// they differ.
//
// Every error names the object id, the property path (e.g. `kill_chain_phases[0].phase_name`,
// `external_references[2]`), and what was expected.
//
// Thread-safety: stateless; the type tables are immutable.

#include "absl/status/status.h"
#include "kizuna/stix/object.h"
#include "simdjson.h"

namespace kizuna::stix {

// Returns OK if `object` (whose common properties are `index`, from IndexObject) is a valid
// STIX object of its spec version; otherwise InvalidArgument whose message is
// "<id>: <property path>: <what was wrong and what was expected>".
absl::Status ValidateObject(simdjson::dom::object object, const ObjectIndex& index);

}  // namespace kizuna::stix
