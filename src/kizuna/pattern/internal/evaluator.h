// Kizuna. The fast evaluator: runs a compiled Program against observations.
#pragma once

// Two stages. First, each leaf `[...]` is tested against each observation: a 64-bit type
// mask rejects observations without a root type, then the comparison tree is evaluated per
// root SCO with precompiled constants, walking object paths directly (simple paths) or as a
// de-duplicated frontier (paths through `[*]` and references), so the cost stays linear in
// the observation. Second, when the pattern needs several observations, a depth-first
// search binds leaves to candidate observations: capacities (number_observed) enforce
// distinct observations, FOLLOWEDBY and WITHIN prune per bound observation, REPEATS copies
// are bound in non-decreasing order (no permutations), candidates are ordered by time so a
// WITHIN window ends the scan early, and the search stops at the first binding. Every step
// counts against PatternLimits::max_binding_steps.
// Thread-safety: all state lives in the call.

#include <span>

#include "absl/status/statusor.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::pattern_internal {

absl::StatusOr<pattern::MatchResult> FastMatch(
    const Program& program, std::span<const pattern::Observation* const> observations);

absl::StatusOr<bool> FastMatchOne(const Program& program, const pattern::Observation& obs);

}  // namespace kizuna::pattern_internal
