// Kizuna. The fast evaluator's binding search (see evaluator.h).
#include "kizuna/pattern/internal/evaluator.h"

#include <algorithm>

#include "kizuna/base/strings.h"

namespace kizuna::pattern_internal {
namespace {

using pattern::MatchResult;
using pattern::Observation;

bool InWindows(const ObsNode& leaf, Nanos first, Nanos last) {
  for (const Window& w : leaf.windows) {
    if (!WindowAdmits(w, first, last)) return false;
  }
  return true;
}

// A continuation: what to do once the current node is bound.
struct Cont {
  enum class Kind : uint8_t { kDone, kAnd, kFollowedBy, kFollowedByEnd, kWithinEnd, kRepeat };
  Kind kind = Kind::kDone;
  const Cont* next = nullptr;
  uint32_t node = 0;
  uint32_t operand = 0;     // kAnd, kFollowedBy(End): next operand; kRepeat: copies bound
  size_t start = 0;         // kFollowedBy(End): first slot of the node; kRepeat: this copy's
  size_t previous = 0;      // kRepeat: first slot of the previous copy
  size_t constraint = 0;    // kFollowedByEnd, kWithinEnd: index in its stack
};

// The binding search over candidate observations (Candidates).
class Search {
 public:
  // `per_leaf`: the indexes of each leaf's candidates; `in_order`: members and those lists
  // are in index order already.
  Search(const Program& program, std::vector<Candidates::Member> members,
         const std::vector<std::vector<size_t>>& per_leaf, bool in_order)
      : program_(program) {
    // The observations that are candidates somewhere, renumbered densely in index order, so
    // the search's state is proportional to them, not to the whole input.
    if (!in_order) {
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.index < b.index; });
    }
    members_.resize(members.size());
    first_.resize(members.size());
    last_.resize(members.size());
    count_.resize(members.size());
    for (size_t d = 0; d < members.size(); ++d) {
      members_[d] = members[d].index;
      first_[d] = members[d].first;
      last_[d] = members[d].last;
      count_[d] = members[d].count;
    }
    candidates_.resize(program_.obs_nodes.size());
    for (uint32_t leaf : program_.leaves) {
      std::vector<size_t> indexes = per_leaf[leaf];
      if (!in_order) std::sort(indexes.begin(), indexes.end());
      std::vector<uint32_t>& dense = candidates_[leaf];
      dense.reserve(indexes.size());
      for (size_t index : indexes) {
        dense.push_back(static_cast<uint32_t>(
            std::lower_bound(members_.begin(), members_.end(), index) - members_.begin()));
      }
      std::stable_sort(dense.begin(), dense.end(),
                       [&](uint32_t a, uint32_t b) { return first_[a] < first_[b]; });
    }
  }

  absl::StatusOr<MatchResult> Run() {
    MatchResult result;
    if (MaxCopies(program_.root) < 1) return result;
    used_.assign(members_.size(), 0);
    const Cont done;
    Solve(program_.root, &done);
    if (aborted_) {
      return absl::ResourceExhaustedError(
          StrCat("pattern evaluation stopped after max_binding_steps (",
                 program_.limits.max_binding_steps,
                 ") binding steps; the pattern's bindings explode over these observations"));
    }
    if (!found_.empty()) {
      result.matched = true;
      result.bound = std::move(found_);
    }
    return result;
  }

 private:
  struct Slot {
    uint32_t leaf;     // obs node index of the leaf
    uint32_t ordinal;  // position in the leaf's candidates
    uint32_t obs;      // dense index (members_)
  };
  struct Bound {  // FOLLOWEDBY: later operands' observations must end no earlier than this
    Nanos min_last;
    bool active;
  };
  struct Scope {  // WITHIN: observations bound since `start` fit in `within`
    size_t start;
    Nanos within;
    bool active;
  };
  struct MinKey {
    bool set = false;
    uint32_t leaf = 0;
    uint32_t ordinal = 0;
  };

  // An upper bound on how many disjoint bindings node `n` has.
  uint64_t MaxCopies(uint32_t n) const {
    constexpr uint64_t kCap = uint64_t{1} << 40;
    const ObsNode& node = program_.obs_nodes[n];
    switch (node.kind) {
      case ObsNode::Kind::kLeaf: {
        uint64_t sum = 0;
        for (uint32_t o : candidates_[n]) sum = std::min(kCap, sum + count_[o]);
        return sum;
      }
      case ObsNode::Kind::kOr: {
        uint64_t sum = 0;
        for (uint32_t c : node.children) sum = std::min(kCap, sum + MaxCopies(c));
        return sum;
      }
      case ObsNode::Kind::kAnd:
      case ObsNode::Kind::kFollowedBy: {
        uint64_t least = kCap;
        for (uint32_t c : node.children) least = std::min(least, MaxCopies(c));
        return least;
      }
      case ObsNode::Kind::kRepeats:
        return MaxCopies(node.children[0]) / static_cast<uint64_t>(node.times);
      default: return MaxCopies(node.children[0]);
    }
  }

  bool Solve(uint32_t n, const Cont* k) {
    const ObsNode& node = program_.obs_nodes[n];
    switch (node.kind) {
      case ObsNode::Kind::kLeaf: return SolveLeaf(n, k);
      case ObsNode::Kind::kOr:
        for (uint32_t c : node.children) {
          if (Solve(c, k)) return true;
        }
        return false;
      case ObsNode::Kind::kAnd: {
        const Cont next{Cont::Kind::kAnd, k, n, 1};
        return Solve(node.children[0], &next);
      }
      case ObsNode::Kind::kFollowedBy: {
        const Cont next{Cont::Kind::kFollowedBy, k, n, 1, slots_.size()};
        return Solve(node.children[0], &next);
      }
      case ObsNode::Kind::kStartStop:  // applied to the leaves' candidates already
        return Solve(node.children[0], k);
      case ObsNode::Kind::kWithin: {
        scopes_.push_back(Scope{slots_.size(), node.within, true});
        const Cont next{Cont::Kind::kWithinEnd, k, n, 0, 0, 0, scopes_.size() - 1};
        const bool found = Solve(node.children[0], &next);
        scopes_.pop_back();
        return found;
      }
      case ObsNode::Kind::kRepeats: {
        const Cont next{Cont::Kind::kRepeat, k, n, 1, slots_.size()};
        return Solve(node.children[0], &next);
      }
    }
    return false;
  }

  bool Resume(const Cont* k) {
    switch (k->kind) {
      case Cont::Kind::kDone: {
        for (const Slot& s : slots_) found_.push_back(members_[s.obs]);
        std::sort(found_.begin(), found_.end());
        found_.erase(std::unique(found_.begin(), found_.end()), found_.end());
        return true;
      }
      case Cont::Kind::kAnd: {
        const ObsNode& node = program_.obs_nodes[k->node];
        if (k->operand == node.children.size()) return Resume(k->next);
        const Cont next{Cont::Kind::kAnd, k->next, k->node, k->operand + 1};
        return Solve(node.children[k->operand], &next);
      }
      case Cont::Kind::kFollowedBy: return FollowedBy(k->next, k->node, k->operand, k->start);
      case Cont::Kind::kFollowedByEnd: {
        bounds_[k->constraint].active = false;
        const bool found = FollowedBy(k->next, k->node, k->operand + 1, k->start);
        bounds_[k->constraint].active = true;
        return found;
      }
      case Cont::Kind::kWithinEnd: {
        scopes_[k->constraint].active = false;
        const bool found = Resume(k->next);
        scopes_[k->constraint].active = true;
        return found;
      }
      case Cont::Kind::kRepeat: return Repeat(k);
    }
    return false;
  }

  // Operands before `operand` are bound (from slot `start`); bind the next one so that it
  // ends no earlier than every bound one began (the OASIS matcher's test).
  bool FollowedBy(const Cont* next, uint32_t n, uint32_t operand, size_t start) {
    const ObsNode& node = program_.obs_nodes[n];
    if (operand == node.children.size()) return Resume(next);
    Nanos latest_first = first_[slots_[start].obs];
    for (size_t i = start; i < slots_.size(); ++i) {
      latest_first = std::max(latest_first, first_[slots_[i].obs]);
    }
    bounds_.push_back(Bound{latest_first, true});
    const Cont end{Cont::Kind::kFollowedByEnd, next, n, operand, start, 0, bounds_.size() - 1};
    const bool found = Solve(node.children[operand], &end);
    bounds_.pop_back();
    return found;
  }

  // Copy number k->operand of a REPEATS body is bound from slot k->start.
  bool Repeat(const Cont* k) {
    const ObsNode& node = program_.obs_nodes[k->node];
    const size_t copy = k->start;
    if (k->operand > 1 && !NotBefore(copy, k->previous)) return false;
    if (k->operand == static_cast<uint64_t>(node.times)) return Resume(k->next);
    const MinKey saved = min_key_;
    min_key_ = MinKey{true, slots_[copy].leaf, slots_[copy].ordinal};
    const Cont next{Cont::Kind::kRepeat, k->next, k->node, k->operand + 1, slots_.size(), copy};
    const bool found = Solve(node.children[0], &next);
    min_key_ = saved;
    return found;
  }

  // True if the copy starting at slot `b` is, slot by slot, not before the copy at `a`
  // (copies are bound in non-decreasing order, so no set of copies is tried twice).
  bool NotBefore(size_t b, size_t a) const {
    const size_t a_end = b;  // copy a ends where copy b starts
    for (size_t i = a, j = b; i < a_end && j < slots_.size(); ++i, ++j) {
      const Slot& x = slots_[i];
      const Slot& y = slots_[j];
      if (x.leaf != y.leaf) return y.leaf > x.leaf;
      if (x.ordinal != y.ordinal) return y.ordinal > x.ordinal;
    }
    return true;
  }

  bool SolveLeaf(uint32_t n, const Cont* k) {
    const std::vector<uint32_t>& candidates = candidates_[n];
    size_t begin = 0;
    const MinKey saved = min_key_;
    if (min_key_.set) {
      if (n < min_key_.leaf) return false;
      if (n == min_key_.leaf) begin = min_key_.ordinal;
      min_key_.set = false;
    }
    bool found = false;
    for (size_t ordinal = begin; ordinal < candidates.size(); ++ordinal) {
      if (++steps_ > program_.limits.max_binding_steps) {
        aborted_ = true;
        found = true;  // unwind at once; Run() reports the error
        break;
      }
      const uint32_t o = candidates[ordinal];
      if (used_[o] >= count_[o]) continue;
      const Fit fit = Fits(o);
      if (fit == Fit::kNoneLater) break;
      if (fit == Fit::kNo) continue;
      ++used_[o];
      slots_.push_back(Slot{n, static_cast<uint32_t>(ordinal), o});
      found = Resume(k);
      slots_.pop_back();
      --used_[o];
      if (found) break;
    }
    min_key_ = saved;
    return found;
  }

  enum class Fit { kYes, kNo, kNoneLater };

  // Whether observation `o` may be bound next under the active FOLLOWEDBY and WITHIN
  // constraints. kNoneLater: it and every later candidate (they begin no earlier) break a
  // WITHIN window.
  Fit Fits(uint32_t o) const {
    for (const Bound& b : bounds_) {
      if (b.active && last_[o] < b.min_last) return Fit::kNo;
    }
    for (const Scope& s : scopes_) {
      if (!s.active || s.start == slots_.size()) continue;
      Nanos max_first = first_[o], min_last_before = last_[slots_[s.start].obs];
      for (size_t i = s.start; i < slots_.size(); ++i) {
        max_first = std::max(max_first, first_[slots_[i].obs]);
        min_last_before = std::min(min_last_before, last_[slots_[i].obs]);
      }
      // WITHIN x SECONDS excludes its boundary (§9.5.1): x apart is too far.
      if (first_[o] - min_last_before >= s.within) return Fit::kNoneLater;
      if (max_first - std::min(min_last_before, last_[o]) >= s.within) return Fit::kNo;
    }
    return Fit::kYes;
  }

  const Program& program_;
  std::vector<size_t> members_;  // observation index of each dense index
  std::vector<Nanos> first_, last_;  // per dense index
  std::vector<uint32_t> count_;      // per dense index: number_observed
  std::vector<std::vector<uint32_t>> candidates_;  // per obs node (leaves only), dense
  std::vector<uint32_t> used_;                     // instances of each observation bound
  std::vector<Slot> slots_;
  std::vector<Bound> bounds_;
  std::vector<Scope> scopes_;
  MinKey min_key_;
  uint64_t steps_ = 0;
  bool aborted_ = false;
  std::vector<size_t> found_;
};

// A single-observation program: the first observation (index order) matching some leaf.
absl::StatusOr<MatchResult> MatchSingle(const Program& program,
                                        std::span<const Observation* const> obs) {
  MatchResult result;
  LeafEvaluator leaves(program);
  for (size_t i = 0; i < obs.size(); ++i) {
    const Nanos first = ToNanos(obs[i]->first_observed());
    const Nanos last = ToNanos(obs[i]->last_observed());
    for (uint32_t leaf : program.leaves) {
      const ObsNode& node = program.obs_nodes[leaf];
      if (!InWindows(node, first, last)) continue;
      const bool hit = leaves.Matches(node, *obs[i]);
      if (!leaves.status().ok()) return leaves.status();
      if (hit) {
        result.matched = true;
        result.bound = {i};
        return result;
      }
    }
  }
  return result;
}

}  // namespace

Candidates::Candidates(const Program& program)
    : program_(program), per_leaf_(program.obs_nodes.size()) {
  leaves_.emplace(program);
}

bool Candidates::Add(size_t index, const Observation& obs) {
  if (added_++ > 0 && index <= last_index_) in_order_ = false;
  last_index_ = index;
  if (!error_.ok() && index > error_index_) return false;  // the result is that error
  if ((obs.type_mask() & program_.type_mask) == 0) return false;
  const Nanos first = ToNanos(obs.first_observed());
  const Nanos last = ToNanos(obs.last_observed());
  bool candidate = false;
  for (uint32_t leaf : program_.leaves) {
    const ObsNode& node = program_.obs_nodes[leaf];
    if ((obs.type_mask() & node.type_mask) == 0) continue;
    if (!node.windows.empty() && !InWindows(node, first, last)) continue;
    if (leaves_->Matches(node, obs)) {
      per_leaf_[leaf].push_back(index);
      candidate = true;
    }
    if (!leaves_->status().ok()) {
      error_ = leaves_->status();
      error_index_ = index;
      leaves_.emplace(program_);  // for observations of lower indexes still to come
      return false;
    }
  }
  if (candidate) members_.push_back(Member{index, first, last, obs.count()});
  return candidate;
}

void Candidates::Forget(size_t from) {
  std::erase_if(members_, [from](const Member& m) { return m.index >= from; });
  for (std::vector<size_t>& list : per_leaf_) {
    std::erase_if(list, [from](size_t index) { return index >= from; });
  }
  // An error at a lower index would have replaced this one: there is none.
  if (!error_.ok() && error_index_ >= from) error_ = absl::OkStatus();
  in_order_ = false;  // the indexes come again
}

absl::StatusOr<MatchResult> Candidates::Match() const {
  if (!error_.ok()) return error_;
  return Search(program_, members_, per_leaf_, in_order_).Run();
}

absl::StatusOr<MatchResult> FastMatch(const Program& program,
                                      std::span<const Observation* const> observations) {
  if (observations.empty()) return MatchResult{};
  if (program.single_observation) return MatchSingle(program, observations);
  // Observation by observation, every leaf: each observation is read from memory once.
  Candidates candidates(program);
  for (size_t i = 0; i < observations.size(); ++i) {
    candidates.Add(i, *observations[i]);
    if (!candidates.status().ok()) return candidates.status();
  }
  return candidates.Match();
}

absl::StatusOr<bool> FastMatchOne(const Program& program, const Observation& obs) {
  // No SCO of any type the pattern starts from: nothing can match.
  if ((obs.type_mask() & program.type_mask) == 0) return false;
  const Observation* one = &obs;
  if (program.single_observation) {
    LeafEvaluator leaves(program);
    Nanos first = 0, last = 0;
    if (program.has_windows) {
      first = ToNanos(obs.first_observed());
      last = ToNanos(obs.last_observed());
    }
    for (uint32_t leaf : program.leaves) {
      const ObsNode& node = program.obs_nodes[leaf];
      if (program.has_windows && !InWindows(node, first, last)) continue;
      const bool hit = leaves.Matches(node, obs);
      if (!leaves.status().ok()) return leaves.status();
      if (hit) return true;
    }
    return false;
  }
  absl::StatusOr<MatchResult> result = FastMatch(program, std::span(&one, 1));
  if (!result.ok()) return result.status();
  return result->matched;
}

}  // namespace kizuna::pattern_internal
