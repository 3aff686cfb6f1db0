// Kizuna. The STIX pattern validator: what parses but the specification forbids.
#pragma once

// Validate() walks a parsed tree and rejects, with a named reason (README.md, "Errors"):
//   duplicate-qualifier   two qualifiers of one kind on one observation expression
//   within-not-positive   WITHIN 0 SECONDS (or less)        within-too-large
//   repeats-not-positive  REPEATS 0 TIMES                   repeats-too-large
//   bad-timestamp         t'' that is not a real instant (2016-02-30, 25:00...)
//   bad-hex               h'' with an odd number of digits or a non-hex character
//   bad-base64            b'' that is not padded standard base64
//   mixed-in-set          IN (...) mixing value types (ints and floats may mix)
//   and-mixed-types       AND inside one [ ] joining comparisons on different object types
//   negative-index        a list index below 0
//   bad-regex             a MATCHES regex RE2 cannot run (backreferences, lookaround...)
//   bad-like              a LIKE pattern too large to compile
//   bad-cidr              ISSUBSET / ISSUPERSET operand that is not an IP address or CIDR
//   bad-hash              hashes.MD5 / SHA-1 / SHA-256 / ... compared with a string that
//                         cannot be such a hash
//   too-many-observations a binding would need more than max_bound_observations
//
//   KZ_RETURN_IF_ERROR(Validate(*ast, limits));
//
// Thread-safety: stateless.

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/pattern/ast.h"
#include "kizuna/pattern/limits.h"

namespace kizuna::pattern {

// Returns OK if `ast` is a valid pattern, else the first problem found as a PatternError
// (errors.h) at the offending node's offset.
absl::Status Validate(const Ast& ast, const PatternLimits& limits);

// Returns the number of hex digits a hash of algorithm `name` has (MD5 32, 'SHA-256' 64,
// ...), or nullopt for a name the validator does not check; bad-hash uses it.
std::optional<size_t> HashDigits(std::string_view name);

}  // namespace kizuna::pattern
