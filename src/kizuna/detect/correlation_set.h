// Kizuna. The observation expressions of multi-observation patterns, indexed for matching.
#pragma once

// A pattern such as `([a] FOLLOWEDBY [b]) WITHIN 60 SECONDS` cannot be decided on one event
// (pattern_set.h lists such patterns in multi_observation()). The correlator (correlator.h)
// keeps, per pattern, the recent events that could take part in a match; an event can take
// part when it satisfies at least one of the pattern's observation expressions `[...]` on
// its own. A CorrelationSet compiles every such bracket as a pattern of its own (brackets
// shared by several patterns once) into a PatternSet, so one MatchOne per event says which
// multi-observation patterns the event concerns.
//
//   std::unique_ptr<const CorrelationSet> set = CorrelationSet::Build(patterns);
//   CorrelationSet::Scratch scratch;             // one per thread
//   std::vector<uint32_t> concerned;
//   KZ_RETURN_IF_ERROR(set->Find(observation, scratch, concerned));
//
// It also records the time bound of each pattern as a whole: the seconds of a WITHIN that
// qualifies the whole pattern (`(...) WITHIN x SECONDS`, `[a] REPEATS 3 TIMES WITHIN x
// SECONDS`). A WITHIN on one operand (`[a] FOLLOWEDBY [b] WITHIN 60 SECONDS` qualifies `[b]`
// only, pattern/README.md) does not bound the pattern.
//
// Thread-safety: immutable after Build; each thread passes its own Scratch.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "kizuna/pattern/pattern_set.h"

namespace kizuna::detect {

class CorrelationSet {
 public:
  struct Scratch {
    pattern::PatternSet::Scratch set;
    std::vector<size_t> brackets;
  };

  // Indexes the brackets of every pattern in `patterns.multi_observation()`. A pattern one
  // of whose brackets does not compile alone (not expected: the bracket is part of a valid
  // pattern) is left out and counted in skipped(). Returns null when no pattern remains.
  static std::unique_ptr<const CorrelationSet> Build(const pattern::PatternSet& patterns,
                                                     size_t* skipped = nullptr);

  // Union of Observation::TypeBit over the brackets' root types: an event whose SCO types
  // miss it concerns no pattern.
  uint64_t type_mask() const { return type_mask_; }

  // Appends to `patterns`, ascending and unique, the indexes (in the PatternSet given to
  // Build) of the patterns one of whose brackets `observation` satisfies. Errors: the first
  // evaluator error (a bracket hitting its limits); the other brackets are still tried.
  absl::Status Find(const pattern::Observation& observation, Scratch& scratch,
                    std::vector<uint32_t>& patterns) const;

  // The WITHIN bounding pattern `pattern` as a whole, in microseconds (rounded up), or 0.
  int64_t WithinUs(uint32_t pattern) const;

  // Patterns covered.
  size_t size() const { return within_us_.size(); }

  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  explicit CorrelationSet(PrivateTag) {}

 private:
  std::unique_ptr<const pattern::PatternSet> brackets_;
  std::vector<std::vector<uint32_t>> parents_;        // per bracket: the patterns holding it
  absl::flat_hash_map<uint32_t, int64_t> within_us_;  // per pattern covered
  uint64_t type_mask_ = 0;
};

}  // namespace kizuna::detect
