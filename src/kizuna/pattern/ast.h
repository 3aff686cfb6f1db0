// Kizuna. The STIX pattern syntax tree: nodes, canonical printing, equality and copying.
#pragma once

// A parsed pattern is a tree of ObsExpr (observation expressions: brackets, AND / OR /
// FOLLOWEDBY, qualifiers, parenthesised groups) whose leaves hold a CmpExpr tree (comparison
// expressions inside one bracket). All nodes live in the Ast's arena and are immutable once
// parsed; they reference each other with plain const pointers and spans into the arena.
//
// AND, OR and FOLLOWEDBY chains are n-ary (`a OR b OR c` is one node with three operands),
// so long chains do not make the tree deep; parentheses are kept as kGroup nodes, so
// printing a tree reproduces its grouping. ToString() prints the canonical form: single
// spaces, `=` for `==`, `!=` for `<>`, keys quoted only when they must be, and
// Parse(ToString(t)) yields a tree Equals() to t.
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<Ast> ast, Parse("[file:name == 'a']", {}));
//   ToString(ast->root()) == "[file:name = 'a']"
//
// Thread-safety: an Ast is immutable after parsing; concurrent reads are safe.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kizuna/base/arena.h"
#include "kizuna/pattern/version.h"

namespace kizuna::pattern {

enum class LiteralKind : uint8_t { kString, kInt, kFloat, kBool, kHex, kBinary, kTimestamp };

struct Literal {
  LiteralKind kind = LiteralKind::kString;
  uint32_t offset = 0;      // byte offset in the pattern (not compared by Equals)
  // kString: the value, unescaped. kHex, kBinary, kTimestamp: the text between the quotes,
  // as written (the validator checks it; the compiler decodes it).
  std::string_view text;
  int64_t int_value = 0;    // kInt
  double float_value = 0;   // kFloat
  bool bool_value = false;  // kBool
};

struct PathStep {
  enum class Kind : uint8_t { kKey, kIndex, kStar };
  Kind kind = Kind::kKey;
  uint32_t offset = 0;
  std::string_view key;  // kKey: the property name (unquoted value)
  int64_t index = 0;     // kIndex
};

struct ObjectPath {
  uint32_t offset = 0;
  std::string_view object_type;     // e.g. "file", "network-traffic", "x-usb-device"
  std::span<const PathStep> steps;  // at least one; steps[0] is a key
};

enum class CompareOp : uint8_t {
  kEq, kNe, kLt, kLe, kGt, kGe, kIn, kLike, kMatches, kIsSubset, kIsSuperset, kExists
};

struct CmpExpr {
  enum class Kind : uint8_t { kCompare, kAnd, kOr, kGroup };
  Kind kind = Kind::kCompare;
  uint32_t offset = 0;
  uint32_t depth = 1;  // height of this subtree, counted by the parser against the limit
  // kAnd, kOr: two or more operands; kGroup: exactly one (the parenthesised expression).
  std::span<const CmpExpr* const> operands;
  // kCompare:
  ObjectPath path;
  CompareOp op = CompareOp::kEq;
  bool negated = false;               // NOT before the operator (or before EXISTS)
  std::span<const Literal> values;    // one value; the set for kIn; none for kExists
};

struct ObsExpr {
  enum class Kind : uint8_t {
    kObservation, kAnd, kOr, kFollowedBy, kGroup, kWithin, kRepeats, kStartStop
  };
  Kind kind = Kind::kObservation;
  uint32_t offset = 0;
  uint32_t depth = 1;
  const CmpExpr* comparison = nullptr;  // kObservation: the expression inside [ ]
  // kAnd, kOr, kFollowedBy: two or more operands; kGroup and qualifiers: exactly one.
  std::span<const ObsExpr* const> operands;
  // kWithin: first = seconds (kInt or kFloat). kRepeats: first = count (kInt).
  // kStartStop: first = START, second = STOP (kTimestamp; kString in STIX 2.0 patterns).
  Literal first;
  Literal second;
};

// A parsed pattern: its tree, the arena holding it, and a copy of the text it came from.
class Ast {
 public:
  Ast(std::string_view text, StixVersion version)
      : text_(text), version_(version) {}
  Ast(const Ast&) = delete;
  Ast& operator=(const Ast&) = delete;

  const ObsExpr& root() const { return *root_; }
  // The pattern text as given to Parse (offsets in nodes index into it).
  std::string_view text() const { return text_; }
  StixVersion version() const { return version_; }

  // For the parser: the arena nodes are allocated in, and the root once built.
  Arena& arena() { return arena_; }
  void set_root(const ObsExpr* root) { root_ = root; }

 private:
  Arena arena_;
  std::string text_;
  StixVersion version_;
  const ObsExpr* root_ = nullptr;
};

// Canonical text of a node (see above). Recursion is bounded by the parser's depth limit.
std::string ToString(const ObsExpr& expr);
std::string ToString(const CmpExpr& expr);
std::string ToString(const ObjectPath& path);
std::string ToString(const Literal& literal);

// Returns the tree as JSON, for `kizuna pattern check --json`: every node an object with
// a "node" member naming its kind.
std::string ToJson(const ObsExpr& expr);

// Structural equality: same shapes, operators and values; offsets are ignored. Floats
// compare by bit pattern (so -0.0 differs from 0.0, as their texts do).
bool Equals(const ObsExpr& a, const ObsExpr& b);
bool Equals(const CmpExpr& a, const CmpExpr& b);

// Returns a deep copy of `expr` allocated in `arena`; strings are copied too.
const ObsExpr* Copy(const ObsExpr& expr, Arena& arena);

// Returns the canonical text of a float: plain decimal digits (the grammar has no exponent)
// with at least one digit after the point, the shortest that reads back as the same double.
std::string FormatFloatLiteral(double value);

// Returns "=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET",
// "ISSUPERSET" or "EXISTS".
std::string_view CompareOpName(CompareOp op);

}  // namespace kizuna::pattern
