// Kizuna.
#include "kizuna/pattern/internal/leaf_evaluator.h"

#include "kizuna/base/strings.h"

namespace kizuna::pattern_internal {

using pattern::CompareOp;
using pattern::Observation;
using pattern::ValueKind;

bool LeafEvaluator::Matches(const ObsNode& leaf, const Observation& obs) {
  if ((obs.type_mask() & leaf.type_mask) == 0) return false;
  for (size_t i = 0; i < obs.sco_count(); ++i) {
    const uint64_t hash = obs.sco_type_hash(i);
    for (size_t t = 0; t < leaf.root_type_hashes.size(); ++t) {
      const uint32_t type_id = leaf.root_type_ids[t];
      if (leaf.root_type_hashes[t] != hash ||
          !Observation::SameBytes(program_.types[type_id], obs.sco_type(i))) {
        continue;
      }
      if (EvalCmp(leaf.cmp_root, obs, i, type_id)) return true;
      if (!status_.ok()) return false;
      break;
    }
  }
  return false;
}

bool LeafEvaluator::EvalCmp(uint32_t index, const Observation& obs, size_t sco,
                            uint32_t type_id) {
  const CmpNode& node = program_.cmp_nodes[index];
  switch (node.kind) {
    case CmpNode::Kind::kTest: return EvalTest(program_.tests[node.test], obs, sco, type_id);
    case CmpNode::Kind::kAnd:
      for (uint32_t c : node.children) {
        if (!EvalCmp(c, obs, sco, type_id)) return false;
      }
      return true;
    case CmpNode::Kind::kOr:
      for (uint32_t c : node.children) {
        if (EvalCmp(c, obs, sco, type_id)) return true;
      }
      return false;
  }
  return false;
}

bool LeafEvaluator::EvalTest(const Test& test, const Observation& obs, size_t sco,
                             uint32_t type_id) {
  if (test.type_id != type_id) return false;
  const NodeId root = obs.sco_root(sco);
  if (test.path.simple) {
    NodeId n = root;
    for (const Step& step : test.path.steps) {
      n = obs.FindMember(n, step.key);
      if (n == Observation::kNoNode) break;
    }
    if (test.op == CompareOp::kExists) return (n != Observation::kNoNode) != test.negated;
    return n != Observation::kNoNode && TestValue(test, obs, n);
  }
  if (!Resolve(test.path, obs, root)) return false;
  if (test.op == CompareOp::kExists) return !frontier_.empty() != test.negated;
  for (const Entry& e : frontier_) {
    if (TestValue(test, obs, e.node)) return true;
  }
  return false;
}

void LeafEvaluator::Push(const Observation& obs, NodeId node, bool ref_list) {
  if (next_.size() < kScanLimit) {
    for (const Entry& e : next_) {
      if (e.node == node && e.ref_list == ref_list) return;
    }
    next_.push_back(Entry{node, ref_list});
    return;
  }
  if (next_.size() == kScanLimit) {  // switching to marks: mark what is already there
    if (seen_.size() < obs.node_count() * 2) seen_.resize(obs.node_count() * 2, 0);
    for (const Entry& e : next_) seen_[static_cast<size_t>(e.node) * 2 + e.ref_list] = epoch_;
  }
  const size_t slot = static_cast<size_t>(node) * 2 + (ref_list ? 1 : 0);
  if (seen_[slot] == epoch_) return;
  seen_[slot] = epoch_;
  next_.push_back(Entry{node, ref_list});
}

void LeafEvaluator::PushReference(const Observation& obs, NodeId ref) {
  if (obs.kind(ref) != ValueKind::kString) return;
  const int64_t sco = obs.FindSco(obs.string_value(ref));
  if (sco >= 0) Push(obs, obs.sco_root(static_cast<size_t>(sco)), false);
}

bool LeafEvaluator::Resolve(const Path& path, const Observation& obs, NodeId root) {
  frontier_.clear();
  frontier_.push_back(Entry{root, false});
  visits_ = 0;
  const uint64_t budget = program_.limits.max_path_visits;
  for (const Step& step : path.steps) {
    next_.clear();
    if (++epoch_ == 0) {  // wrapped: forget every mark
      std::fill(seen_.begin(), seen_.end(), 0);
      epoch_ = 1;
    }
    for (const Entry& e : frontier_) {
      if (++visits_ > budget) {
        status_ = absl::ResourceExhaustedError(
            StrCat("object path visits more than max_path_visits (", budget, ") values"));
        return false;
      }
      if (step.kind == Step::Kind::kKey) {
        if (e.ref_list) continue;  // a list has no keys
        const NodeId m = obs.FindMember(e.node, step.key);
        if (m == Observation::kNoNode) continue;
        if (step.deref == Step::Deref::kOne) {
          PushReference(obs, m);
        } else if (step.deref == Step::Deref::kList) {
          if (obs.kind(m) == ValueKind::kList) Push(obs, m, true);
        } else {
          Push(obs, m, false);
        }
        continue;
      }
      if (obs.kind(e.node) != ValueKind::kList) continue;
      if (step.kind == Step::Kind::kIndex) {
        const NodeId item = obs.ListElement(e.node, step.index);
        if (item == Observation::kNoNode) continue;
        if (e.ref_list) {
          PushReference(obs, item);
        } else {
          Push(obs, item, false);
        }
        continue;
      }
      for (NodeId item = obs.first_child(e.node); item != Observation::kNoNode;
           item = obs.next_sibling(item)) {
        if (++visits_ > budget) {
          status_ = absl::ResourceExhaustedError(
              StrCat("object path visits more than max_path_visits (", budget, ") values"));
          return false;
        }
        if (e.ref_list) {
          PushReference(obs, item);
        } else {
          Push(obs, item, false);
        }
      }
    }
    frontier_.swap(next_);
    if (frontier_.empty()) break;
  }
  return true;
}

bool LeafEvaluator::TestValue(const Test& test, const Observation& obs, NodeId value) {
  const ValueKind kind = obs.kind(value);
  switch (test.op) {
    case CompareOp::kEq:
    case CompareOp::kNe:
      if (test.fast == FastTest::kStringEquality && kind == ValueKind::kString) {
        const bool equal = Observation::SameBytes(obs.string_value(value), test.constants[0].bytes);
        return (equal == (test.op == CompareOp::kEq)) != test.negated;
      }
      [[fallthrough]];
    case CompareOp::kLt:
    case CompareOp::kLe:
    case CompareOp::kGt:
    case CompareOp::kGe:
      return ApplyOperator(test.op, test.negated, CompareValue(obs, value, test.constants[0]));
    case CompareOp::kIn: {
      bool found = false;
      if (test.fast == FastTest::kStringSet && kind == ValueKind::kString) {
        found = test.strings.contains(AbslView(obs.string_value(value)));
      } else {
        for (const Constant& c : test.constants) {
          if (CompareValue(obs, value, c) == Order::kEqual) {
            found = true;
            break;
          }
        }
      }
      return found != test.negated;
    }
    // A value these operators do not apply to makes the comparison false, and NOT, the
    // logical negation of the comparison (STIX 2.1 §9.6.1), true.
    case CompareOp::kLike:
      if (kind == ValueKind::kString) {
        return test.like->Matches(obs.string_value(value)) != test.negated;
      }
      if (kind == ValueKind::kBinary) {  // on the bytes, as MATCHES (text.h, §9.6.4)
        return test.like->MatchesBytes(obs.string_value(value), scratch_) != test.negated;
      }
      return test.negated;
    case CompareOp::kMatches:
      if (kind == ValueKind::kString) {
        return test.regex->SearchText(obs.string_value(value)) != test.negated;
      }
      if (kind == ValueKind::kBinary) {
        return test.regex->SearchBytes(obs.string_value(value)) != test.negated;
      }
      return test.negated;
    case CompareOp::kIsSubset:
    case CompareOp::kIsSuperset: {
      if (kind != ValueKind::kString) return test.negated;
      std::optional<pattern::IpBlock> block = pattern::ParseIpBlock(obs.string_value(value));
      if (!block.has_value()) return test.negated;
      const bool contained = test.op == CompareOp::kIsSubset ? pattern::BlockContains(test.block, *block)
                                                             : pattern::BlockContains(*block, test.block);
      return contained != test.negated;
    }
    case CompareOp::kExists:
      return true;
  }
  return false;
}

}  // namespace kizuna::pattern_internal
