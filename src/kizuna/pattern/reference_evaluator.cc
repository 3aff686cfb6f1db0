// Kizuna.
#include "kizuna/pattern/reference_evaluator.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/cidr.h"
#include "kizuna/pattern/internal/compare.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/internal/regex.h"
#include "kizuna/pattern/internal/utf8.h"
#include "kizuna/pattern/text.h"

namespace kizuna::pattern {
namespace {

using pattern_internal::Constant;
using pattern_internal::Nanos;
using pattern_internal::Order;
using pattern_internal::ToNanos;
using Binding = std::vector<size_t>;  // instance numbers
using NodeId = Observation::NodeId;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Prepared {  // a comparison's constants, decoded once per call
  std::vector<Constant> constants;
  std::unique_ptr<pattern_internal::Regex> regex;
  std::unique_ptr<LikeMatcher> like;
  IpBlock block;
};

class Reference {
 public:
  Reference(const Pattern& pattern, std::span<const Observation* const> observations)
      : pattern_(pattern), limits_(pattern.options().limits), obs_(observations) {}

  absl::StatusOr<MatchResult> Run() {
    uint64_t instances = 0;
    for (const Observation* o : obs_) instances += o->count();
    if (instances > kMaxReferenceInstances) {
      return absl::ResourceExhaustedError(
          StrCat("reference evaluator: ", instances, " observation instances, over ",
                 kMaxReferenceInstances));
    }
    for (size_t i = 0; i < obs_.size(); ++i) {
      for (uint32_t c = 0; c < obs_[i]->count(); ++c) instance_obs_.push_back(i);
    }
    KZ_ASSIGN_OR_RETURN(std::vector<Binding> bindings, Eval(pattern_.ast().root()));
    MatchResult result;
    if (bindings.empty()) return result;
    result.matched = true;
    for (size_t instance : bindings.front()) result.bound.push_back(instance_obs_[instance]);
    std::sort(result.bound.begin(), result.bound.end());
    result.bound.erase(std::unique(result.bound.begin(), result.bound.end()), result.bound.end());
    return result;
  }

 private:
  Nanos First(size_t instance) const { return ToNanos(obs_[instance_obs_[instance]]->first_observed()); }
  Nanos Last(size_t instance) const { return ToNanos(obs_[instance_obs_[instance]]->last_observed()); }

  absl::Status Count(uint64_t n = 1) {
    built_ += n;
    if (built_ > limits_.max_binding_steps) {
      return absl::ResourceExhaustedError("reference evaluator: max_binding_steps exceeded");
    }
    return absl::OkStatus();
  }

  static bool Disjoint(const Binding& a, const Binding& b) {
    for (size_t x : a) {
      if (std::find(b.begin(), b.end(), x) != b.end()) return false;
    }
    return true;
  }

  static Binding Join(const Binding& a, const Binding& b) {
    Binding out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
  }

  absl::StatusOr<std::vector<Binding>> Eval(const ObsExpr& e) {
    std::vector<Binding> out;
    switch (e.kind) {
      case ObsExpr::Kind::kObservation:
        for (size_t i = 0; i < instance_obs_.size(); ++i) {
          KZ_ASSIGN_OR_RETURN(std::set<size_t> roots, Roots(*e.comparison, *obs_[instance_obs_[i]]));
          if (!roots.empty()) {
            KZ_RETURN_IF_ERROR(Count());
            out.push_back({i});
          }
        }
        return out;
      case ObsExpr::Kind::kGroup: return Eval(*e.operands[0]);
      case ObsExpr::Kind::kOr:
        for (const ObsExpr* op : e.operands) {
          KZ_ASSIGN_OR_RETURN(std::vector<Binding> part, Eval(*op));
          out.insert(out.end(), part.begin(), part.end());
        }
        return out;
      case ObsExpr::Kind::kAnd:
      case ObsExpr::Kind::kFollowedBy: {
        KZ_ASSIGN_OR_RETURN(out, Eval(*e.operands[0]));
        for (size_t k = 1; k < e.operands.size(); ++k) {
          KZ_ASSIGN_OR_RETURN(std::vector<Binding> right, Eval(*e.operands[k]));
          std::vector<Binding> joined;
          for (const Binding& l : out) {
            for (const Binding& r : right) {
              KZ_RETURN_IF_ERROR(Count());
              if (!Disjoint(l, r)) continue;
              if (e.kind == ObsExpr::Kind::kFollowedBy && !Precedes(l, r)) continue;
              joined.push_back(Join(l, r));
            }
          }
          out = std::move(joined);
        }
        return out;
      }
      case ObsExpr::Kind::kWithin: {
        KZ_ASSIGN_OR_RETURN(std::vector<Binding> inner, Eval(*e.operands[0]));
        const long double seconds = e.first.kind == LiteralKind::kInt
                                        ? static_cast<long double>(e.first.int_value)
                                        : static_cast<long double>(e.first.float_value);
        const Nanos window = static_cast<Nanos>(std::roundl(seconds * 1e9L));
        for (Binding& b : inner) {
          Nanos max_first = First(b[0]), min_last = Last(b[0]);
          for (size_t i : b) {
            max_first = std::max(max_first, First(i));
            min_last = std::min(min_last, Last(i));
          }
          // Observations x seconds apart are not within x seconds (§9.5.1).
          if (max_first - min_last < window) out.push_back(std::move(b));
        }
        return out;
      }
      case ObsExpr::Kind::kStartStop: {
        KZ_ASSIGN_OR_RETURN(std::vector<Binding> inner, Eval(*e.operands[0]));
        KZ_ASSIGN_OR_RETURN(stix::Timestamp start, stix::ParseTimestamp(e.first.text));
        KZ_ASSIGN_OR_RETURN(stix::Timestamp stop, stix::ParseTimestamp(e.second.text));
        const pattern_internal::Window w{ToNanos(start), ToNanos(stop)};
        for (Binding& b : inner) {
          bool all = true;
          for (size_t i : b) all = all && pattern_internal::WindowAdmits(w, First(i), Last(i));
          if (all) out.push_back(std::move(b));
        }
        return out;
      }
      case ObsExpr::Kind::kRepeats: {
        KZ_ASSIGN_OR_RETURN(std::vector<Binding> inner, Eval(*e.operands[0]));
        std::vector<size_t> chosen;
        KZ_RETURN_IF_ERROR(Combine(inner, static_cast<size_t>(e.first.int_value), 0, chosen, out));
        return out;
      }
    }
    return out;
  }

  // FOLLOWEDBY as the OASIS matcher tests it: the latest first_observed on the left is no
  // later than the earliest last_observed on the right.
  bool Precedes(const Binding& l, const Binding& r) const {
    Nanos latest_first = First(l[0]), earliest_last = Last(r[0]);
    for (size_t i : l) latest_first = std::max(latest_first, First(i));
    for (size_t i : r) earliest_last = std::min(earliest_last, Last(i));
    return latest_first <= earliest_last;
  }

  // All combinations of `n` pairwise-disjoint bindings from `items` (increasing indexes).
  absl::Status Combine(const std::vector<Binding>& items, size_t n, size_t from,
                       std::vector<size_t>& chosen, std::vector<Binding>& out) {
    if (chosen.size() == n) {
      Binding b;
      for (size_t c : chosen) b.insert(b.end(), items[c].begin(), items[c].end());
      out.push_back(std::move(b));
      return absl::OkStatus();
    }
    for (size_t i = from; i < items.size(); ++i) {
      KZ_RETURN_IF_ERROR(Count());
      bool disjoint = true;
      for (size_t c : chosen) disjoint = disjoint && Disjoint(items[c], items[i]);
      if (!disjoint) continue;
      chosen.push_back(i);
      KZ_RETURN_IF_ERROR(Combine(items, n, i + 1, chosen, out));
      chosen.pop_back();
    }
    return absl::OkStatus();
  }

  // The SCOs of `obs` a match of `e` can be rooted at.
  absl::StatusOr<std::set<size_t>> Roots(const CmpExpr& e, const Observation& obs) {
    std::set<size_t> roots;
    switch (e.kind) {
      case CmpExpr::Kind::kGroup: return Roots(*e.operands[0], obs);
      case CmpExpr::Kind::kOr:
        for (const CmpExpr* op : e.operands) {
          KZ_ASSIGN_OR_RETURN(std::set<size_t> part, Roots(*op, obs));
          roots.insert(part.begin(), part.end());
        }
        return roots;
      case CmpExpr::Kind::kAnd:
        for (size_t k = 0; k < e.operands.size(); ++k) {
          KZ_ASSIGN_OR_RETURN(std::set<size_t> part, Roots(*e.operands[k], obs));
          if (k == 0) {
            roots = std::move(part);
            continue;
          }
          std::set<size_t> both;
          for (size_t r : roots) {
            if (part.count(r)) both.insert(r);
          }
          roots = std::move(both);
        }
        return roots;
      case CmpExpr::Kind::kCompare:
        break;
    }
    KZ_ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(e));
    for (size_t s = 0; s < obs.sco_count(); ++s) {
      if (obs.sco_type(s) != e.path.object_type) continue;
      std::vector<NodeId> values;
      uint64_t visits = 0;
      KZ_RETURN_IF_ERROR(Walk(e.path, 0, obs, obs.sco_root(s), false, visits, values));
      bool holds = false;
      if (e.op == CompareOp::kExists) {
        holds = values.empty() == e.negated;
      } else {
        for (NodeId v : values) holds = holds || Holds(e, *prepared, obs, v);
      }
      if (holds) roots.insert(s);
    }
    return roots;
  }

  absl::StatusOr<const Prepared*> Prepare(const CmpExpr& e) {
    auto it = prepared_.find(&e);
    if (it != prepared_.end()) return it->second.get();
    auto p = std::make_unique<Prepared>();
    for (const Literal& l : e.values) {
      KZ_ASSIGN_OR_RETURN(Constant c, pattern_internal::MakeConstant(l));
      p->constants.push_back(std::move(c));
    }
    if (e.op == CompareOp::kMatches) {
      KZ_ASSIGN_OR_RETURN(p->regex, pattern_internal::Regex::Compile(e.values[0].text,
                                                                     limits_.max_regex_memory));
    } else if (e.op == CompareOp::kLike) {
      p->like = std::make_unique<LikeMatcher>(e.values[0].text,
                                                                limits_.max_regex_memory);
    } else if (e.op == CompareOp::kIsSubset || e.op == CompareOp::kIsSuperset) {
      p->block = ParseIpBlock(e.values[0].text).value_or(p->block);
    }
    const Prepared* raw = p.get();
    prepared_.emplace(&e, std::move(p));
    return raw;
  }

  // Appends every value `path` reaches from `node` (at step `i`) to `out`. `ref_list` marks a
  // `_refs` list whose elements must be dereferenced.
  absl::Status Walk(const ObjectPath& path, size_t i, const Observation& obs, NodeId node,
                    bool ref_list, uint64_t& visits, std::vector<NodeId>& out) {
    if (++visits > limits_.max_path_visits) {
      return absl::ResourceExhaustedError("reference evaluator: max_path_visits exceeded");
    }
    if (i == path.steps.size()) {
      out.push_back(node);
      return absl::OkStatus();
    }
    const PathStep& step = path.steps[i];
    const auto follow = [&](NodeId target) -> absl::Status {
      if (!ref_list) return Walk(path, i + 1, obs, target, false, visits, out);
      if (obs.kind(target) != ValueKind::kString) return absl::OkStatus();
      const int64_t sco = obs.FindSco(obs.string_value(target));
      if (sco < 0) return absl::OkStatus();
      return Walk(path, i + 1, obs, obs.sco_root(static_cast<size_t>(sco)), false, visits, out);
    };
    if (step.kind == PathStep::Kind::kKey) {
      if (ref_list || obs.kind(node) != ValueKind::kObject) return absl::OkStatus();
      const NodeId member = obs.FindMember(node, step.key);
      if (member == Observation::kNoNode) return absl::OkStatus();
      if (EndsWith(step.key, "_refs")) {
        if (obs.kind(member) != ValueKind::kList) return absl::OkStatus();
        return Walk(path, i + 1, obs, member, true, visits, out);
      }
      if (EndsWith(step.key, "_ref")) {
        if (obs.kind(member) != ValueKind::kString) return absl::OkStatus();
        const int64_t sco = obs.FindSco(obs.string_value(member));
        if (sco < 0) return absl::OkStatus();
        return Walk(path, i + 1, obs, obs.sco_root(static_cast<size_t>(sco)), false, visits, out);
      }
      return Walk(path, i + 1, obs, member, false, visits, out);
    }
    if (obs.kind(node) != ValueKind::kList) return absl::OkStatus();
    if (step.kind == PathStep::Kind::kIndex) {
      if (step.index < 0) return absl::OkStatus();
      const NodeId item = obs.ListElement(node, static_cast<uint64_t>(step.index));
      if (item == Observation::kNoNode) return absl::OkStatus();
      return follow(item);
    }
    for (NodeId item = obs.first_child(node); item != Observation::kNoNode;
         item = obs.next_sibling(item)) {
      KZ_RETURN_IF_ERROR(follow(item));
    }
    return absl::OkStatus();
  }

  // Whether value `v` satisfies comparison `e` (never called for EXISTS).
  bool Holds(const CmpExpr& e, const Prepared& p, const Observation& obs, NodeId v) const {
    const ValueKind kind = obs.kind(v);
    switch (e.op) {
      case CompareOp::kIn: {
        bool found = false;
        for (const Constant& c : p.constants) {
          found = found || pattern_internal::CompareValue(obs, v, c) == Order::kEqual;
        }
        return found != e.negated;
      }
      // NOT is the negation of the comparison (§9.6.1): of a false one too, whatever made it
      // false (a value of another type, a string that is no address).
      case CompareOp::kLike: {
        // A binary value is read as the text of the code points U+0000..U+00FF its bytes
        // stand for, so '_' is one byte (§9.6.4).
        std::string text;
        if (kind == ValueKind::kBinary) pattern_internal::Latin1ToUtf8(obs.string_value(v), text);
        const bool like =
            (kind == ValueKind::kString && p.like->MatchesWithRegex(obs.string_value(v))) ||
            (kind == ValueKind::kBinary && p.like->MatchesWithRegex(text));
        return like != e.negated;
      }
      case CompareOp::kMatches: {
        bool found = false;
        if (kind == ValueKind::kString) found = p.regex->SearchText(obs.string_value(v));
        if (kind == ValueKind::kBinary) found = p.regex->SearchBytes(obs.string_value(v));
        return found != e.negated;
      }
      case CompareOp::kIsSubset:
      case CompareOp::kIsSuperset: {
        std::optional<IpBlock> block;
        if (kind == ValueKind::kString) block = ParseIpBlock(obs.string_value(v));
        const bool in = block.has_value() && (e.op == CompareOp::kIsSubset
                                                  ? BlockContains(p.block, *block)
                                                  : BlockContains(*block, p.block));
        return in != e.negated;
      }
      default:
        return pattern_internal::ApplyOperator(
            e.op, e.negated, pattern_internal::CompareValue(obs, v, p.constants[0]));
    }
  }

  const Pattern& pattern_;
  const PatternLimits& limits_;
  std::span<const Observation* const> obs_;
  std::vector<size_t> instance_obs_;
  std::map<const CmpExpr*, std::unique_ptr<Prepared>> prepared_;
  uint64_t built_ = 0;
};

}  // namespace

absl::StatusOr<MatchResult> ReferenceMatch(const Pattern& pattern,
                                           std::span<const Observation* const> observations) {
  return Reference(pattern, observations).Run();
}

}  // namespace kizuna::pattern
