// Kizuna. Tests one observation expression `[...]` against one observation.
#pragma once

// Used by the fast evaluator (evaluator.cc). A match of a leaf is rooted at one SCO whose
// type is among the leaf's root types: the comparison tree is evaluated at each such SCO
// (AND of comparisons = all hold from that root, OR = any), which is the same as the
// OASIS matcher's intersection / union of root sets. Object paths with `[*]` or references
// are followed as a frontier of distinct values, so a path through reference cycles costs at
// most (steps x values in the observation), and every visited value counts against
// PatternLimits::max_path_visits.
// Thread-safety: one LeafEvaluator per thread; it keeps scratch buffers between calls.

#include <cstdint>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/observation.h"

namespace kizuna::pattern_internal {

class LeafEvaluator {
 public:
  explicit LeafEvaluator(const Program& program) : program_(program) {}

  // Returns true if `leaf` (a kLeaf node) matches `obs`. START/STOP windows are not checked
  // here. After a limit is hit returns false and status() holds the error.
  bool Matches(const ObsNode& leaf, const pattern::Observation& obs);

  // OK, or the ResourceExhausted error of the first limit hit.
  const absl::Status& status() const { return status_; }

 private:
  using NodeId = pattern::Observation::NodeId;
  struct Entry {
    NodeId node;
    bool ref_list;  // a `_refs` list whose elements are references still to follow
  };

  // Evaluate at SCO `sco`, whose type is Program::types[type_id].
  bool EvalCmp(uint32_t node, const pattern::Observation& obs, size_t sco, uint32_t type_id);
  bool EvalTest(const Test& test, const pattern::Observation& obs, size_t sco, uint32_t type_id);
  bool TestValue(const Test& test, const pattern::Observation& obs, NodeId value);
  // Fills frontier_ with the values `path` reaches from `root`; false if a limit was hit.
  bool Resolve(const Path& path, const pattern::Observation& obs, NodeId root);
  void Push(const pattern::Observation& obs, NodeId node, bool ref_list);
  void PushReference(const pattern::Observation& obs, NodeId ref);

  const Program& program_;
  absl::Status status_;
  // Small frontiers are de-duplicated by scanning them, large ones with `seen_`, so the
  // common case allocates nothing.
  static constexpr size_t kScanLimit = 16;
  absl::InlinedVector<Entry, kScanLimit> frontier_;
  absl::InlinedVector<Entry, kScanLimit> next_;
  std::vector<uint32_t> seen_;  // per (node, ref_list): the epoch it was last pushed in
  uint32_t epoch_ = 0;
  uint64_t visits_ = 0;
  std::string scratch_;  // LIKE on binary values: the bytes as text
};

}  // namespace kizuna::pattern_internal
