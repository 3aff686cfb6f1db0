// Kizuna. Named limits on STIX patterns and on their evaluation, with their defaults.
#pragma once

// Patterns arrive from partners, so nothing a pattern or an observation contains may crash,
// hang or take time out of proportion to its size. Every limit below is checked before the
// memory it protects is allocated, and breaking one is an error naming the limit, never a
// truncation. The defaults are far above anything seen in real indicators (the largest
// ATT&CK or MISP-exported patterns are a few kilobytes with tens of comparisons).
// Thread-safety: plain values.

#include <cstddef>
#include <cstdint>

namespace kizuna::pattern {

struct PatternLimits {
  // Longest pattern text, in bytes. Checked before lexing. Real patterns are < 10 KB;
  // a larger limit only lets hostile input cost more parse time (parsing is linear).
  size_t max_pattern_bytes = 256 * 1024;

  // Deepest nesting of brackets, parentheses, operators and qualifiers. Bounds the parser's
  // recursion (and the printer's and evaluators'), so the stack cannot overflow.
  size_t max_nesting_depth = 128;

  // Most values in one IN (...) list.
  size_t max_in_list_size = 10000;

  // Largest n in REPEATS n TIMES.
  int64_t max_repeats = 1000;

  // Most observations one binding of the whole pattern may need (leaf observation
  // expressions, multiplied out through REPEATS). Bounds the evaluators' search depth.
  size_t max_bound_observations = 1000;

  // Binding search budget per Match(): candidate observations tried by the fast evaluator,
  // bindings built by the reference evaluator. A pattern whose search would explode (large
  // REPEATS, AND/FOLLOWEDBY over many matching observations that never fit the qualifiers)
  // stops with ResourceExhausted instead of running on. About 20 ns per step here.
  uint64_t max_binding_steps = 10'000'000;

  // Values visited while following one object path through `[*]` and `_ref(s)`, per
  // comparison and root object. Paths that fan out through reference lists are otherwise
  // exponential in their length.
  uint64_t max_path_visits = 1'000'000;

  // Memory RE2 may use for one compiled MATCHES or LIKE regex. A regex needing more is
  // rejected by the validator.
  int64_t max_regex_memory = 8 * 1024 * 1024;

  // Largest WITHIN duration, in seconds (about 317 years: any two STIX timestamps that can
  // matter fit).
  double max_within_seconds = 1e10;
};

}  // namespace kizuna::pattern
