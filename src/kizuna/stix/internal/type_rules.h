// Kizuna. Hand-written validation rules: the constraints of STIX 2.1 that the property
// tables cannot express (one per `rule` line of schema/stix21.txt).
#pragma once

// Each rule runs after the validator's pass over one object (or nested structure) has
// checked every property by itself; it sees the properties the data file lists on its
// `rule` line through `captured`, already type-checked.
//
// Thread-safety: stateless.

#include "absl/status/status.h"
#include "kizuna/stix/internal/schema.h"
#include "kizuna/stix/internal/validator.h"

namespace kizuna::stix_internal {

// Returns OK, or the validator's error for the first violation of `rule`.
// REQUIRES: rule != Rule::kNone; `captured` is the pass over an object of `spec`.
absl::Status ApplyRule(Rule rule, const ObjectSpec& spec, const Captured& captured,
                       Validator& validator);

}  // namespace kizuna::stix_internal
