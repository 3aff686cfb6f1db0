// Kizuna. Deterministic identifiers of STIX Cyber-observable Objects (STIX 2.1 §2.9).
#pragma once

// An SCO's UUIDv5 is computed in namespace kScoNamespace over the JCS text of a JSON object
// holding the SCO's ID-contributing properties that are present (the list per type is in
// sco_id.cc, following §6 of the standard). When `hashes` contributes, one entry is kept:
// MD5, else SHA-1, else SHA-256, else SHA-512, else the first key in the object.
// Thread-safety: stateless.

#include <optional>
#include <string>
#include <string_view>

#include "simdjson.h"

namespace kizuna::stix {

// Returns `type--uuidv5` for SCO `object` of `type`, or nullopt when the type has no
// contributing properties or none is present (the standard then asks for UUIDv4).
std::optional<std::string> DeterministicScoId(std::string_view type,
                                              simdjson::dom::object object);

// Returns whether `value` is the only ID contributing property of SCO type `type`
// (domain-name, email-addr, ipv4-addr, ipv6-addr, mac-addr, url).
bool IdIsOfValue(std::string_view type);

// Returns `type--uuidv5` for an SCO of a type for which IdIsOfValue holds: the common case,
// without parsing JSON.
std::string ScoIdFromValue(std::string_view type, std::string_view value);

}  // namespace kizuna::stix
