// Kizuna. Many compiled patterns evaluated together against one observation at a time.
#pragma once

// Evaluating N patterns against an event by calling each Pattern::Matches costs N
// evaluations. A PatternSet indexes the patterns instead (STYLE 37): most indicators hold a
// necessary equality on a simple object path (`[ipv4-addr:value = '198.51.100.7']`, `IN
// (...)` lists, and comparisons ANDed with such a test), so the set keeps, per object type
// and path, a hash table from the constant to the patterns that need it. For an observation
// it reads each indexed path of each SCO once, looks the values up, and fully evaluates only
// the patterns found plus those with no such guard (LIKE, MATCHES, ISSUBSET, ranges...) whose
// root types the observation has. The answer is exactly that of calling Matches() on every
// pattern: a guard is only ever a condition the pattern cannot match without.
//
//   PatternSet::Builder builder;
//   for (...) builder.Add(std::move(compiled_pattern));
//   std::shared_ptr<const PatternSet> set = std::move(builder).Build();
//   PatternSet::Scratch scratch;                 // one per thread
//   std::vector<size_t> matched;
//   KZ_RETURN_IF_ERROR(set->MatchOne(observation, scratch, matched));
//
// Patterns that need several observations (AND, FOLLOWEDBY, REPEATS n > 1 between
// observation expressions) cannot be decided on one event; MatchOne skips them and
// multi_observation() lists them for the caller to run with Pattern::Match over its windows.
//
// Thread-safety: a built PatternSet is immutable and may be shared; each thread passes its
// own Scratch.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::pattern {

class PatternSet {
 public:
  class Builder {
   public:
    // Adds `pattern` and returns its index in the set (0, 1, 2... in order of addition).
    size_t Add(std::shared_ptr<const Pattern> pattern);
    // Builds the index. The builder is spent afterwards.
    std::unique_ptr<const PatternSet> Build() &&;

   private:
    std::vector<std::shared_ptr<const Pattern>> patterns_;
  };

  // Per-thread working memory for MatchOne and MatchBatch; reuse it across calls.
  struct Scratch {
    std::vector<uint32_t> seen;  // per pattern: epoch it was last queued in
    uint32_t epoch = 0;
    std::vector<uint32_t> candidates;
    std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (pattern, observation)
    std::string text;
  };

  struct Hit {
    size_t observation;  // index in the batch
    size_t pattern;      // index in the set
    friend bool operator==(const Hit&, const Hit&) = default;
  };

  struct Stats {
    size_t guarded = 0;        // single-observation patterns reached through the index
    size_t unguarded = 0;      // single-observation patterns tried for every matching type
    size_t multi = 0;          // patterns needing several observations
    size_t guard_values = 0;   // constants in the index
    size_t guard_paths = 0;    // (type, path) pairs read per SCO
  };

  size_t size() const { return patterns_.size(); }
  const Pattern& pattern(size_t i) const { return *patterns_[i]; }
  const std::vector<size_t>& multi_observation() const { return multi_; }
  const Stats& stats() const { return stats_; }

  // Appends to `matched`, in ascending order, the index of every single-observation pattern
  // that matches `observation` alone. If evaluating a pattern fails (a limit), the others are
  // still evaluated and the first error is returned.
  absl::Status MatchOne(const Observation& observation, Scratch& scratch,
                        std::vector<size_t>& matched) const;

  // The same for a batch of observations: appends a Hit for every (observation, single-
  // observation pattern) that matches, ordered by observation then pattern; exactly the
  // answers of MatchOne on each. Faster for batches of hundreds of events, because each
  // pattern's compiled form is read once per batch instead of once per event. Errors as in
  // MatchOne.
  absl::Status MatchBatch(std::span<const Observation* const> batch, Scratch& scratch,
                          std::vector<Hit>& hits) const;

 private:
  struct GuardPath {
    std::vector<std::string> keys;  // a simple path: keys only, nothing dereferenced
    absl::flat_hash_map<std::string, std::vector<uint32_t>> patterns_by_value;
  };
  struct TypeEntry {
    std::vector<GuardPath> paths;
    std::vector<uint32_t> unguarded;
  };

  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  explicit PatternSet(PrivateTag) {}

 private:
  void Queue(uint32_t pattern, Scratch& scratch) const;
  // Queues the guarded patterns whose constants `obs` holds (deduplicated via scratch.seen).
  void QueueGuarded(const Observation& obs, Scratch& scratch) const;

  std::vector<std::shared_ptr<const Pattern>> patterns_;
  absl::flat_hash_map<std::string, TypeEntry> types_;
  std::vector<size_t> multi_;
  std::vector<std::pair<uint32_t, uint64_t>> unguarded_;  // pattern, its type mask
  Stats stats_;
};

}  // namespace kizuna::pattern
