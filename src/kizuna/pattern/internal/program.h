// Kizuna. A compiled pattern: the evaluator's program, built once from a validated AST.
#pragma once

// The compiler (compiler.cc) flattens the AST into vectors and decodes everything that does
// not depend on the observation: constants (hex, base64, timestamps, Latin-1 forms), regexes
// and LIKE matchers, CIDR blocks, string sets for IN, object paths split into steps with
// their dereferencing marked, type hashes, and START/STOP windows pushed down to the
// observation expressions they restrict. A Program is immutable after compilation;
// evaluation keeps its state on the evaluating thread (evaluator.cc).
// Thread-safety: immutable; safe to share.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "kizuna/pattern/ast.h"
#include "kizuna/pattern/cidr.h"
#include "kizuna/pattern/internal/compare.h"
#include "kizuna/pattern/internal/regex.h"
#include "kizuna/pattern/text.h"
#include "kizuna/pattern/limits.h"

namespace kizuna::pattern_internal {

// Instants and durations in nanoseconds; 128 bits cover every STIX timestamp exactly.
using Nanos = __int128;
inline Nanos ToNanos(const stix::Timestamp& t) {
  return static_cast<Nanos>(t.seconds) * 1000000000 + t.nanos;
}

struct Step {
  enum class Kind : uint8_t { kKey, kIndex, kStar };
  enum class Deref : uint8_t { kNone, kOne, kList };  // key ends in _ref / _refs
  Kind kind = Kind::kKey;
  Deref deref = Deref::kNone;
  std::string key;
  uint64_t index = 0;
};

struct Path {
  std::string object_type;
  uint64_t type_hash = 0;
  std::vector<Step> steps;
  bool simple = false;  // keys only, nothing dereferenced: at most one value
};

// How the fast evaluator tests one value; kGeneric goes through CompareValue.
enum class FastTest : uint8_t { kGeneric, kStringEquality, kStringSet };

struct Test {
  Path path;
  uint32_t type_id = 0;  // path.object_type in Program::types
  pattern::CompareOp op = pattern::CompareOp::kEq;
  bool negated = false;
  std::vector<Constant> constants;            // one; the IN set; none for EXISTS
  absl::flat_hash_set<std::string> strings;   // kStringSet: the IN strings
  std::unique_ptr<Regex> regex;               // MATCHES
  std::unique_ptr<pattern::LikeMatcher> like;          // LIKE
  pattern::IpBlock block;                              // ISSUBSET / ISSUPERSET
  FastTest fast = FastTest::kGeneric;
};

struct CmpNode {
  enum class Kind : uint8_t { kTest, kAnd, kOr };
  Kind kind = Kind::kTest;
  uint32_t test = 0;
  std::vector<uint32_t> children;
};

struct Window {
  Nanos start = 0;
  Nanos stop = 0;
};

struct ObsNode {
  enum class Kind : uint8_t { kLeaf, kAnd, kOr, kFollowedBy, kWithin, kRepeats, kStartStop };
  Kind kind = Kind::kLeaf;
  std::vector<uint32_t> children;
  // kLeaf:
  uint32_t cmp_root = 0;
  std::vector<uint32_t> root_type_ids;     // types a match of the leaf can start from
  std::vector<uint64_t> root_type_hashes;  // Observation::TypeHash of each
  uint64_t type_mask = 0;                  // Observation::TypeBit of each, or-ed
  std::vector<Window> windows;             // every enclosing START/STOP
  // kRepeats:
  int64_t times = 1;
  // kWithin:
  Nanos within = 0;
  // kStartStop:
  Window window;
};

struct Program {
  std::vector<Test> tests;
  std::vector<CmpNode> cmp_nodes;
  std::vector<ObsNode> obs_nodes;
  std::vector<uint32_t> leaves;  // obs_nodes indexes of the kLeaf nodes, in pattern order
  std::vector<std::string> types;  // every object type named, once; ids index this
  uint64_t type_mask = 0;          // every leaf's type_mask, or-ed
  bool has_windows = false;        // some leaf is under START/STOP
  uint32_t root = 0;
  // True when every binding holds exactly one observation (only OR, START/STOP, WITHIN and
  // REPEATS 1 above the brackets), so a match is one observation matching one leaf.
  bool single_observation = false;
  pattern::PatternLimits limits;
};

// Compiles a validated AST. Returns InvalidArgument only for what Validate() rejects (so,
// in practice, never after it).
absl::StatusOr<std::unique_ptr<Program>> CompileProgram(const pattern::Ast& ast,
                                                        const pattern::PatternLimits& limits);

// Returns true if the window admits an observation seen over [first, last]: the two
// intervals overlap, touching at START counts, touching at STOP does not (as the OASIS
// matcher), and nothing fits when start >= stop.
inline bool WindowAdmits(const Window& w, Nanos first, Nanos last) {
  return w.start < w.stop && w.start <= last && first < w.stop;
}

}  // namespace kizuna::pattern_internal
