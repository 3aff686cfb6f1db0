// Kizuna. SHOULD-level findings about a valid STIX object: what the standard recommends and
// the object does not do (`kizuna validate --warnings`).
#pragma once

// ValidateObject (validate.h) enforces what STIX 2.1 says an object MUST be; FindWarnings
// reports what it SHOULD be, as the OASIS validator's best-practice checks do. A warning never
// rejects an object: no ingest path computes them (import, TAXII and pulls pay nothing); only
// `kizuna validate --warnings` / `--strict` asks. The kinds, each with the section of the
// standard that recommends it (docs/validation.md lists them with examples):
//
//   sco-id-not-uuidv5         §2.9   an SCO's id SHOULD be a UUIDv5 (deterministic)
//   sco-id-not-deterministic  §2.9   ... the UUIDv5 of its ID contributing properties
//   id-not-uuidv4             §2.9   other objects' ids SHOULD be UUIDv4
//   vocabulary                §10    an open-vocabulary value SHOULD come from the vocabulary
//   kill-chain-name           §2.11  kill_chain_name and phase_name SHOULD be lower case
//                                    with hyphens
//   external-reference-hashes §2.5   hashes SHOULD be given when url is
//   indicator-name            §4.7   an indicator SHOULD have a name and a description
//   custom-property-name      §11.1  custom property names SHOULD start with "x_"
//   custom-object-type        §11.2  a type the standard does not define (and its name
//                                    SHOULD start with "x-"), unless an extension
//                                    definition declares it (§7.3)
//   deprecated-property       §4.14  observed-data's `objects` is deprecated (object_refs)
//
//   for (const stix::Warning& w : stix::FindWarnings(object, index)) ...
//
// Cost: one walk over the object's members; allocates only for the warnings it returns.
// Thread-safety: stateless.

#include <string>
#include <string_view>
#include <vector>

#include "kizuna/stix/object.h"
#include "simdjson.h"

namespace kizuna::stix {

struct Warning {
  std::string_view kind;  // one of the kinds above (static text)
  std::string path;       // property path, e.g. "kill_chain_phases[0].phase_name"; "(object)"
  std::string message;    // what the object does and what the standard recommends, with §
};

// Returns the warnings of `object`, in member order; empty when it follows every
// recommendation checked. REQUIRES: ValidateObject(object, index) is OK.
std::vector<Warning> FindWarnings(simdjson::dom::object object, const ObjectIndex& index);

}  // namespace kizuna::stix
