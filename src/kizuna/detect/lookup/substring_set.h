// Kizuna. A set of substrings searched in one pass over a text (Aho-Corasick).
#pragma once

// SubstringSet answers "which of these needles occur in this text, and which has the
// smallest value" in time linear in the text, whatever the number of needles. Allowlists use
// it for MISP "substring" warninglists, where thousands of needles were each searched with
// string_view::find before (the value is the list's index, so the smallest is the first
// list that allows the text).
//
// Layout: a trie of the needles with failure links computed breadth-first; each node keeps
// the smallest value of the needles ending at it or at any node its failure chain reaches,
// so a search reads one number per byte and never walks output chains. Transitions live in
// one hash map keyed by (node, byte): memory is proportional to the needles' total length.
//
//   SubstringSet::Builder b;
//   b.Add("tracker", 3);
//   b.Add("ads.", 1);
//   SubstringSet set = std::move(b).Build();
//   set.Smallest("x.ads.tracker.example") == 1;
//
// Matching is byte for byte (case-sensitive): callers lower both sides when they want
// case-insensitive matches.
//
// Thread-safety: a built set is immutable; concurrent searches are safe.

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace kizuna::detect {

class SubstringSet {
 public:
  // Smallest() when no needle occurs.
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  class Builder {
   public:
    Builder();
    // Adds `needle` with `value`. An empty needle is ignored. REQUIRES: value < kNone.
    void Add(std::string_view needle, uint32_t value);
    bool empty() const { return needles_ == 0; }
    // Computes the failure links. The builder is spent afterwards.
    SubstringSet Build() &&;

   private:
    friend class SubstringSet;
    std::vector<uint32_t> best_;  // per node: smallest value ending exactly there
    absl::flat_hash_map<uint64_t, uint32_t> next_;
    size_t needles_ = 0;
  };

  SubstringSet() = default;

  // Returns the smallest value of the needles that occur in `text`, or kNone.
  uint32_t Smallest(std::string_view text) const;

  bool empty() const { return fail_.empty(); }
  size_t node_count() const { return fail_.size(); }

 private:
  uint32_t Step(uint32_t node, unsigned char byte) const;

  std::vector<uint32_t> fail_;  // per node; the root (0) fails to itself
  std::vector<uint32_t> best_;  // per node: smallest value over its failure chain
  absl::flat_hash_map<uint64_t, uint32_t> next_;
};

}  // namespace kizuna::detect
