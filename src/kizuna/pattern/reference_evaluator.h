// Kizuna. The reference evaluator: the plainest correct evaluation of a pattern.
#pragma once

// ReferenceMatch() evaluates a compiled Pattern from its syntax tree, with none of the fast
// evaluator's machinery, in the OASIS stix2-matcher's style: every observed-data is expanded
// into number_observed instances, each observation expression yields the list of all its
// bindings (tuples of distinct instances), AND / FOLLOWEDBY join lists pairwise, REPEATS
// takes combinations, qualifiers filter. Object paths are followed by plain recursion.
// It exists to differential-test the fast evaluator (tests/pattern/differential_test.cc)
// and as the executable statement of the semantics; it is exponential and only for small
// inputs.
//
// Limits: at most kMaxReferenceInstances instances in total; bindings built and
// combinations examined count against PatternLimits::max_binding_steps, values visited per
// path against max_path_visits; past any, ResourceExhausted.
// Thread-safety: stateless.

#include <span>

#include "absl/status/statusor.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::pattern {

inline constexpr size_t kMaxReferenceInstances = 10000;

// Returns whether `pattern` matches `observations` and, if so, the observations of the first
// binding found (which may differ from Pattern::Match's when several bindings exist).
absl::StatusOr<MatchResult> ReferenceMatch(const Pattern& pattern,
                                           std::span<const Observation* const> observations);

}  // namespace kizuna::pattern
