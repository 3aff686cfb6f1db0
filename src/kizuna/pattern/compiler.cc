// Kizuna. The pattern compiler: validated AST in, Program (internal/program.h) out.
#include <algorithm>
#include <cmath>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/observation.h"

namespace kizuna::pattern_internal {
namespace {

using pattern::CmpExpr;
using pattern::CompareOp;
using pattern::LiteralKind;
using pattern::ObsExpr;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class Compiler {
 public:
  Compiler(Program& program, const pattern::PatternLimits& limits)
      : program_(program), limits_(limits) {}

  absl::StatusOr<uint32_t> Obs(const ObsExpr& e) {
    switch (e.kind) {
      case ObsExpr::Kind::kGroup: return Obs(*e.operands[0]);
      case ObsExpr::Kind::kObservation: return Leaf(e);
      case ObsExpr::Kind::kStartStop: {
        KZ_ASSIGN_OR_RETURN(Constant start, MakeConstant(e.first));
        KZ_ASSIGN_OR_RETURN(Constant stop, MakeConstant(e.second));
        if (e.first.kind == LiteralKind::kString) {  // STIX 2.0 plain-string times
          KZ_ASSIGN_OR_RETURN(start.time, stix::ParseTimestamp(e.first.text));
          KZ_ASSIGN_OR_RETURN(stop.time, stix::ParseTimestamp(e.second.text));
        }
        const Window window{ToNanos(start.time), ToNanos(stop.time)};
        windows_.push_back(window);
        KZ_ASSIGN_OR_RETURN(uint32_t child, Obs(*e.operands[0]));
        windows_.pop_back();
        ObsNode node;
        node.kind = ObsNode::Kind::kStartStop;
        node.children = {child};
        node.window = window;
        return Add(std::move(node));
      }
      case ObsExpr::Kind::kWithin: {
        KZ_ASSIGN_OR_RETURN(uint32_t child, Obs(*e.operands[0]));
        ObsNode node;
        node.kind = ObsNode::Kind::kWithin;
        node.children = {child};
        const long double seconds = e.first.kind == LiteralKind::kInt
                                        ? static_cast<long double>(e.first.int_value)
                                        : static_cast<long double>(e.first.float_value);
        node.within = static_cast<Nanos>(std::roundl(seconds * 1e9L));
        return Add(std::move(node));
      }
      case ObsExpr::Kind::kRepeats: {
        KZ_ASSIGN_OR_RETURN(uint32_t child, Obs(*e.operands[0]));
        ObsNode node;
        node.kind = ObsNode::Kind::kRepeats;
        node.children = {child};
        node.times = e.first.int_value;
        return Add(std::move(node));
      }
      case ObsExpr::Kind::kAnd:
      case ObsExpr::Kind::kOr:
      case ObsExpr::Kind::kFollowedBy: {
        ObsNode node;
        node.kind = e.kind == ObsExpr::Kind::kAnd  ? ObsNode::Kind::kAnd
                    : e.kind == ObsExpr::Kind::kOr ? ObsNode::Kind::kOr
                                                   : ObsNode::Kind::kFollowedBy;
        for (const ObsExpr* op : e.operands) {
          KZ_ASSIGN_OR_RETURN(uint32_t child, Obs(*op));
          node.children.push_back(child);
        }
        return Add(std::move(node));
      }
    }
    return absl::InternalError("unknown observation expression");
  }

 private:
  uint32_t Add(ObsNode node) {
    program_.obs_nodes.push_back(std::move(node));
    return static_cast<uint32_t>(program_.obs_nodes.size() - 1);
  }

  uint32_t TypeId(std::string_view type) {
    for (size_t i = 0; i < program_.types.size(); ++i) {
      if (program_.types[i] == type) return static_cast<uint32_t>(i);
    }
    program_.types.emplace_back(type);
    return static_cast<uint32_t>(program_.types.size() - 1);
  }

  absl::StatusOr<uint32_t> Leaf(const ObsExpr& e) {
    ObsNode node;
    node.kind = ObsNode::Kind::kLeaf;
    std::vector<std::string> root_types;
    KZ_ASSIGN_OR_RETURN(node.cmp_root, Cmp(*e.comparison, root_types));
    for (const std::string& type : root_types) {
      const uint64_t hash = pattern::Observation::TypeHash(type);
      node.root_type_ids.push_back(TypeId(type));
      node.root_type_hashes.push_back(hash);
      node.type_mask |= pattern::Observation::TypeBit(hash);
    }
    program_.type_mask |= node.type_mask;
    program_.has_windows = program_.has_windows || !windows_.empty();
    node.windows = windows_;
    const uint32_t index = Add(std::move(node));
    program_.leaves.push_back(index);
    return index;
  }

  // Compiles `e` and sets `types` to the object types its matches can start from.
  absl::StatusOr<uint32_t> Cmp(const CmpExpr& e, std::vector<std::string>& types) {
    types.clear();
    if (e.kind == CmpExpr::Kind::kGroup) return Cmp(*e.operands[0], types);
    CmpNode node;
    if (e.kind == CmpExpr::Kind::kCompare) {
      node.kind = CmpNode::Kind::kTest;
      KZ_ASSIGN_OR_RETURN(node.test, MakeTest(e));
      types.emplace_back(e.path.object_type);
    } else {
      node.kind = e.kind == CmpExpr::Kind::kAnd ? CmpNode::Kind::kAnd : CmpNode::Kind::kOr;
      std::vector<std::string> sub;
      for (size_t i = 0; i < e.operands.size(); ++i) {
        KZ_ASSIGN_OR_RETURN(uint32_t child, Cmp(*e.operands[i], sub));
        node.children.push_back(child);
        if (node.kind == CmpNode::Kind::kOr) {
          for (std::string& t : sub) {
            if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
          }
        } else if (i == 0) {
          types = sub;
        } else {
          std::erase_if(types, [&](const std::string& t) {
            return std::find(sub.begin(), sub.end(), t) == sub.end();
          });
        }
      }
    }
    program_.cmp_nodes.push_back(std::move(node));
    return static_cast<uint32_t>(program_.cmp_nodes.size() - 1);
  }

  absl::StatusOr<uint32_t> MakeTest(const CmpExpr& e) {
    Test test;
    test.op = e.op;
    test.negated = e.negated;
    test.path.object_type.assign(e.path.object_type);
    test.path.type_hash = pattern::Observation::TypeHash(test.path.object_type);
    test.type_id = TypeId(test.path.object_type);
    test.path.simple = true;
    for (const pattern::PathStep& s : e.path.steps) {
      Step step;
      step.kind = s.kind == pattern::PathStep::Kind::kKey     ? Step::Kind::kKey
                  : s.kind == pattern::PathStep::Kind::kIndex ? Step::Kind::kIndex
                                                              : Step::Kind::kStar;
      step.key.assign(s.key);
      step.index = static_cast<uint64_t>(std::max<int64_t>(0, s.index));
      if (step.kind == Step::Kind::kKey) {
        if (EndsWith(s.key, "_ref")) step.deref = Step::Deref::kOne;
        if (EndsWith(s.key, "_refs")) step.deref = Step::Deref::kList;
      }
      if (step.kind != Step::Kind::kKey || step.deref != Step::Deref::kNone) {
        test.path.simple = false;
      }
      test.path.steps.push_back(std::move(step));
    }
    for (const pattern::Literal& l : e.values) {
      KZ_ASSIGN_OR_RETURN(Constant c, MakeConstant(l));
      test.constants.push_back(std::move(c));
    }
    switch (e.op) {
      case CompareOp::kMatches: {
        KZ_ASSIGN_OR_RETURN(test.regex, Regex::Compile(e.values[0].text, limits_.max_regex_memory));
        break;
      }
      case CompareOp::kLike:
        test.like = std::make_unique<pattern::LikeMatcher>(e.values[0].text, limits_.max_regex_memory);
        if (!test.like->ok()) return absl::InvalidArgumentError("LIKE pattern too large");
        break;
      case CompareOp::kIsSubset:
      case CompareOp::kIsSuperset: {
        std::optional<pattern::IpBlock> block = pattern::ParseIpBlock(e.values[0].text);
        if (!block.has_value()) return absl::InvalidArgumentError("bad CIDR block");
        test.block = *block;
        break;
      }
      case CompareOp::kEq:
      case CompareOp::kNe:
        if (test.constants[0].kind == LiteralKind::kString) test.fast = FastTest::kStringEquality;
        break;
      case CompareOp::kIn:
        if (!test.constants.empty() &&
            std::all_of(test.constants.begin(), test.constants.end(),
                        [](const Constant& c) { return c.kind == LiteralKind::kString; })) {
          test.fast = FastTest::kStringSet;
          for (const Constant& c : test.constants) test.strings.insert(c.bytes);
        }
        break;
      default:
        break;
    }
    program_.tests.push_back(std::move(test));
    return static_cast<uint32_t>(program_.tests.size() - 1);
  }

  Program& program_;
  const pattern::PatternLimits& limits_;
  std::vector<Window> windows_;  // enclosing START/STOP qualifiers
};

// Observations one binding of node `n` holds (OR takes the largest branch).
uint64_t BindingSize(const Program& p, uint32_t n) {
  const ObsNode& node = p.obs_nodes[n];
  switch (node.kind) {
    case ObsNode::Kind::kLeaf: return 1;
    case ObsNode::Kind::kOr: {
      uint64_t most = 0;
      for (uint32_t c : node.children) most = std::max(most, BindingSize(p, c));
      return most;
    }
    case ObsNode::Kind::kAnd:
    case ObsNode::Kind::kFollowedBy: {
      uint64_t sum = 0;
      for (uint32_t c : node.children) sum += BindingSize(p, c);
      return sum;
    }
    case ObsNode::Kind::kRepeats:
      return static_cast<uint64_t>(node.times) * BindingSize(p, node.children[0]);
    default: return BindingSize(p, node.children[0]);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Program>> CompileProgram(const pattern::Ast& ast,
                                                        const pattern::PatternLimits& limits) {
  auto program = std::make_unique<Program>();
  program->limits = limits;
  Compiler compiler(*program, limits);
  KZ_ASSIGN_OR_RETURN(program->root, compiler.Obs(ast.root()));
  program->single_observation = BindingSize(*program, program->root) == 1;
  return program;
}

}  // namespace kizuna::pattern_internal
