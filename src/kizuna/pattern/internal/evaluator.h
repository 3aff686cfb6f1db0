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
// Thread-safety: all state lives in the call (or in one Candidates, used by one thread).

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/pattern/internal/leaf_evaluator.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::pattern_internal {

absl::StatusOr<pattern::MatchResult> FastMatch(
    const Program& program, std::span<const pattern::Observation* const> observations);

absl::StatusOr<bool> FastMatchOne(const Program& program, const pattern::Observation& obs);

// The two stages apart, for callers that see observations one at a time and do not keep
// them (pattern/stream_match.h): Add() runs the first stage on one observation and keeps
// only what the search needs of a candidate (its index, times and number_observed); Match()
// runs the search over the candidates kept. The result is FastMatch's over the observations
// added, placed at their indexes, whatever order they were added in. Memory is proportional
// to the candidates, not to the observations.
// REQUIRES: the program is not single_observation (FastMatch answers those without a
// search; StreamMatch evaluates them one at a time).
class Candidates {
 public:
  explicit Candidates(const Program& program);

  // Tests every leaf against `obs`, observation `index` (each index given once). Returns
  // true when it is a candidate of some leaf: the search may bind it, so the caller keeps
  // what it needs to name it. A limit hit is kept as the result (the hit of the lowest
  // index wins, as FastMatch meets observations in index order); observations after it are
  // then not evaluated.
  bool Add(size_t index, const pattern::Observation& obs);

  // Forgets the observations of indexes >= `from`, as if they were never added (a reader
  // starting its input again gives them anew).
  void Forget(size_t from);

  // OK, or the error Match() will return.
  const absl::Status& status() const { return error_; }

  // The search over the candidates added: FastMatch's result (bound holds the indexes
  // given to Add), or the first stage's error, or ResourceExhausted when the search
  // exceeds max_binding_steps.
  absl::StatusOr<pattern::MatchResult> Match() const;

  // What the search needs of a candidate observation.
  struct Member {
    size_t index;
    Nanos first, last;
    uint32_t count;  // number_observed
  };

 private:
  const Program& program_;
  std::optional<LeafEvaluator> leaves_;  // a fresh one after a limit hit
  size_t added_ = 0;
  size_t last_index_ = 0;
  bool in_order_ = true;  // every index added so far exceeds the one before
  std::vector<Member> members_;
  std::vector<std::vector<size_t>> per_leaf_;  // per obs node (leaves only): indexes
  absl::Status error_;
  size_t error_index_ = 0;
};

}  // namespace kizuna::pattern_internal
