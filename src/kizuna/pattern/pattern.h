// Kizuna. Compiled STIX patterns: the entry point of the patterning engine.
#pragma once

// A Pattern is a STIX pattern (STIX 2.1 §9) parsed, validated and compiled once, then
// evaluated against any number of observation sets from any number of threads:
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<const Pattern> p,
//                       Pattern::Compile("[domain-name:value = 'evil.example']"));
//   std::shared_ptr<const Pattern> shared = std::move(p);     // hand to other threads
//   KZ_ASSIGN_OR_RETURN(std::vector<Observation> obs, ReadObservations(json, p->version()));
//   KZ_ASSIGN_OR_RETURN(MatchResult r, shared->Match(obs));
//   if (r.matched) ...  // r.bound: which observations the match used
//
// The pipeline is lexer -> parser -> validator -> compiler -> evaluator (README.md). The
// evaluator finds a binding the way §9.5 defines one: each observation expression `[...]`
// bound to an observation, operands of AND / FOLLOWEDBY / REPEATS bound to different
// observations (an observed-data with number_observed n counts as n), qualifiers checked on
// the observations' first/last observed times. Where the specification leaves a choice the
// OASIS stix2-matcher's behaviour is followed; README.md lists every such choice.
//
// Evaluation is bounded by PatternLimits: a search that would exceed max_binding_steps, or an
// object path that would visit more than max_path_visits values, stops with
// ResourceExhausted rather than running on.
//
// Thread-safety: a Pattern is immutable after Compile(); Match() and Matches() keep all their
// state on the calling thread, so one Pattern may be evaluated by many threads at once.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/pattern/ast.h"
#include "kizuna/pattern/limits.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/pattern/version.h"

namespace kizuna::pattern_internal {
struct Program;
}  // namespace kizuna::pattern_internal

namespace kizuna::pattern {

struct CompileOptions {
  // Which STIX version's grammar applies (version.h). Default 2.1.
  StixVersion version = StixVersion::k21;
  // Limits on the pattern and its evaluation (limits.h).
  PatternLimits limits;
};

struct MatchResult {
  bool matched = false;
  // For a match: indexes, into the observations given, of those the binding found uses,
  // ascending and each once. Several bindings may exist; this is the first found.
  std::vector<size_t> bound;
};

// What a pattern needs from observations, so callers can index many patterns and skip those
// that cannot concern an event.
struct Requirements {
  // Object types comparisons start from, sorted and unique. Observations none of whose SCOs
  // has one of these types can never take part in a match.
  std::vector<std::string> root_types;
  // Every object path compared, as canonical text ("file:hashes.'SHA-256'"), sorted, unique.
  std::vector<std::string> paths;
  // True when a single observation can satisfy the pattern on its own (no AND, FOLLOWEDBY or
  // REPEATS > 1 between observation expressions); then matching a set means matching one of
  // its observations, and events can be tested one at a time.
  bool single_observation = false;
};

class Pattern {
 public:
  // Parses, validates and compiles `text`. On failure returns the PatternError (errors.h) of
  // the first problem: its offset and named reason.
  static absl::StatusOr<std::unique_ptr<const Pattern>> Compile(
      std::string_view text, const CompileOptions& options = CompileOptions());

  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  explicit Pattern(PrivateTag);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  // The syntax tree; its text() is the pattern as given.
  const Ast& ast() const { return *ast_; }
  // The canonical text (ast.h).
  std::string ToString() const { return pattern::ToString(ast_->root()); }
  StixVersion version() const { return ast_->version(); }
  const CompileOptions& options() const { return options_; }
  const Requirements& requirements() const { return requirements_; }

  // Evaluates the pattern against `observations` taken together (their order does not
  // matter; their times do). Returns the result, or ResourceExhausted when a limit stops
  // the evaluation. REQUIRES: no null pointers.
  absl::StatusOr<MatchResult> Match(std::span<const Observation* const> observations) const;
  absl::StatusOr<MatchResult> Match(std::span<const Observation> observations) const;

  // Returns whether `observation` alone matches: the same answer as Match({&observation}),
  // without building a result. The per-event call of a detection engine.
  absl::StatusOr<bool> Matches(const Observation& observation) const;

  // For the evaluators: the compiled program.
  const pattern_internal::Program& program() const { return *program_; }

 private:
  CompileOptions options_;
  std::unique_ptr<Ast> ast_;
  std::unique_ptr<const pattern_internal::Program> program_;
  Requirements requirements_;
};

}  // namespace kizuna::pattern
