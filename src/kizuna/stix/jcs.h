// Kizuna. JSON Canonicalization Scheme (RFC 8785) of a parsed JSON value.
#pragma once

// JCS writes JSON with members sorted by the UTF-16 code units of their names, no
// whitespace, minimal string escapes and ECMAScript number formatting. STIX 2.1 §2.9 hashes
// the JCS text of an SCO's ID-contributing properties into its UUIDv5; the store uses it to
// tell whether two serializations of one version carry the same content.
// Thread-safety: stateless.

#include <string>

#include "simdjson.h"

namespace kizuna::stix {

// Appends the canonical form of `value` to `out`.
void AppendCanonicalJson(simdjson::dom::element value, std::string& out);

// Returns the canonical form of `value`.
std::string CanonicalJson(simdjson::dom::element value);

// Appends `value` formatted as ECMAScript Number::toString does (RFC 8785 §3.2.2.3).
void AppendEcmaNumber(double value, std::string& out);

}  // namespace kizuna::stix
