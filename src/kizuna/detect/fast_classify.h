// Kizuna. The compiler's fast path: the common simple pattern shapes, read without parsing.
#pragma once

// Nearly every shared indicator has one of a few shapes:
//   [type:path = 'v']     [type:path IN ('a', 'b')]     [ipv4-addr:value ISSUBSET 'a.b.c.d/n']
//   [domain-name:value LIKE '%.suffix']   (a feed's domain: `= 'x' OR LIKE '%.x'`)
// and ORs of them, inside one bracket or between brackets. FastClassify reads exactly these
// (STIX 2.1, single spaces or none between tokens, values of printable ASCII without quotes
// or backslashes, keys bare or quoted) with a small scanner, checks what the validator
// would check for them (hash digits, in-list size, the pattern length limit), and returns
// the keys Classify would return for the parsed pattern. For everything else, including
// every pattern that would be invalid or not simple, it returns nullopt and the caller
// takes the full path (parse, validate, classify). tests/detect/fast_classify_test.cc checks
// the two agree on the pattern test cases and on random patterns.
//
// Thread-safety: stateless.

#include <optional>
#include <string_view>
#include <vector>

#include "kizuna/detect/classify.h"
#include "kizuna/pattern/limits.h"

namespace kizuna::detect {

// Returns the keys of `text` (a STIX 2.1 pattern) when it has one of the shapes above and
// is valid under `limits`; nullopt means "not decided here", never "invalid".
std::optional<std::vector<SimpleKey>> FastClassify(std::string_view text,
                                                   const pattern::PatternLimits& limits);

}  // namespace kizuna::detect
