// Kizuna.
#include "kizuna/pattern/ast.h"

#include <cstring>
#include <vector>

namespace kizuna::pattern {
namespace {

bool Equals(const Literal& a, const Literal& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case LiteralKind::kInt: return a.int_value == b.int_value;
    case LiteralKind::kFloat:
      return std::memcmp(&a.float_value, &b.float_value, sizeof(double)) == 0;
    case LiteralKind::kBool: return a.bool_value == b.bool_value;
    default: return a.text == b.text;
  }
}

bool Equals(const PathStep& a, const PathStep& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == PathStep::Kind::kKey) return a.key == b.key;
  if (a.kind == PathStep::Kind::kIndex) return a.index == b.index;
  return true;
}

bool Equals(const ObjectPath& a, const ObjectPath& b) {
  if (a.object_type != b.object_type || a.steps.size() != b.steps.size()) return false;
  for (size_t i = 0; i < a.steps.size(); ++i) {
    if (!Equals(a.steps[i], b.steps[i])) return false;
  }
  return true;
}

Literal CopyLiteral(const Literal& l, Arena& arena) {
  Literal out = l;
  out.text = arena.CopyString(l.text);
  return out;
}

const CmpExpr* Copy(const CmpExpr& e, Arena& arena) {
  CmpExpr out = e;
  if (e.kind == CmpExpr::Kind::kCompare) {
    out.path.object_type = arena.CopyString(e.path.object_type);
    std::span<PathStep> steps = arena.NewArray<PathStep>(e.path.steps.size());
    for (size_t i = 0; i < steps.size(); ++i) {
      steps[i] = e.path.steps[i];
      steps[i].key = arena.CopyString(e.path.steps[i].key);
    }
    out.path.steps = steps;
    std::span<Literal> values = arena.NewArray<Literal>(e.values.size());
    for (size_t i = 0; i < values.size(); ++i) values[i] = CopyLiteral(e.values[i], arena);
    out.values = values;
  } else {
    std::span<const CmpExpr*> ops = arena.NewArray<const CmpExpr*>(e.operands.size());
    for (size_t i = 0; i < ops.size(); ++i) ops[i] = Copy(*e.operands[i], arena);
    out.operands = ops;
  }
  return arena.New<CmpExpr>(out);
}

}  // namespace

std::string_view VersionName(StixVersion version) {
  return version == StixVersion::k20 ? "2.0" : "2.1";
}

std::optional<StixVersion> ParseVersion(std::string_view text) {
  if (text == "2.0") return StixVersion::k20;
  if (text == "2.1") return StixVersion::k21;
  return std::nullopt;
}

bool Equals(const CmpExpr& a, const CmpExpr& b) {
  if (a.kind != b.kind) return false;
  if (a.kind != CmpExpr::Kind::kCompare) {
    if (a.operands.size() != b.operands.size()) return false;
    for (size_t i = 0; i < a.operands.size(); ++i) {
      if (!Equals(*a.operands[i], *b.operands[i])) return false;
    }
    return true;
  }
  if (a.op != b.op || a.negated != b.negated || !Equals(a.path, b.path) ||
      a.values.size() != b.values.size()) {
    return false;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (!Equals(a.values[i], b.values[i])) return false;
  }
  return true;
}

bool Equals(const ObsExpr& a, const ObsExpr& b) {
  if (a.kind != b.kind || a.operands.size() != b.operands.size()) return false;
  switch (a.kind) {
    case ObsExpr::Kind::kObservation: return Equals(*a.comparison, *b.comparison);
    case ObsExpr::Kind::kWithin:
    case ObsExpr::Kind::kRepeats:
      if (!Equals(a.first, b.first)) return false;
      break;
    case ObsExpr::Kind::kStartStop:
      if (!Equals(a.first, b.first) || !Equals(a.second, b.second)) return false;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a.operands.size(); ++i) {
    if (!Equals(*a.operands[i], *b.operands[i])) return false;
  }
  return true;
}

const ObsExpr* Copy(const ObsExpr& expr, Arena& arena) {
  ObsExpr out = expr;
  out.first = CopyLiteral(expr.first, arena);
  out.second = CopyLiteral(expr.second, arena);
  if (expr.comparison != nullptr) out.comparison = Copy(*expr.comparison, arena);
  std::span<const ObsExpr*> ops = arena.NewArray<const ObsExpr*>(expr.operands.size());
  for (size_t i = 0; i < ops.size(); ++i) ops[i] = Copy(*expr.operands[i], arena);
  out.operands = ops;
  return arena.New<ObsExpr>(out);
}

}  // namespace kizuna::pattern
