// Kizuna. Comparing observation values with pattern constants (STIX 2.1 §9.6).
#pragma once

// The one place that decides how a value of one type compares with a constant of another:
//   * int and float compare numerically and exactly (1 = 1.5 is false);
//   * strings compare by code point (UTF-8 byte order), no normalisation;
//   * binary values (from _hex/_bin properties, or h''/b'' constants) compare as unsigned
//     bytes; a string compares with binary as the bytes of its code points when all are
//     below U+0100, otherwise the two are incompatible;
//   * a t'' constant compares with a string value read as a STIX timestamp; a string that
//     is not one is incompatible with it;
//   * booleans only compare for equality with booleans;
//   * lists, objects and null are incompatible with every constant.
// ApplyOperator then turns the outcome into true/false: incompatible types give false for
// =, true for !=, false for the ordering operators; NOT is the logical negation of the
// comparison (STIX 2.1 §9.6.1), so it negates every one of these, incompatible types
// included (the OASIS matcher leaves an ordering on incompatible types false under NOT).
// Thread-safety: stateless.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "kizuna/pattern/ast.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::pattern_internal {

// A pattern literal decoded for comparing.
struct Constant {
  pattern::LiteralKind kind = pattern::LiteralKind::kString;
  std::string bytes;         // kString: the text; kHex, kBinary: the decoded bytes
  bool has_latin1 = false;   // kString: all code points below U+0100
  std::string latin1;        // kString: those code points as bytes
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  stix::Timestamp time;      // kTimestamp
};

// Decodes `literal`. Returns InvalidArgument for odd or non-hex h'', invalid base64 b'' or an
// impossible t'' (the validator reports these first, with offsets).
absl::StatusOr<Constant> MakeConstant(const pattern::Literal& literal);

enum class Order : uint8_t { kLess, kEqual, kGreater, kUnequal, kIncompatible };

// Compares value node `n` of `obs` with `c`. kUnequal: comparable but only for equality
// (booleans), and different.
Order CompareValue(const pattern::Observation& obs, pattern::Observation::NodeId n,
                   const Constant& c);

// Applies =, !=, <, <=, >, >= (with NOT when `negated`) to an Order, as described above.
bool ApplyOperator(pattern::CompareOp op, bool negated, Order order);

// Exact comparison of an integer with a double.
Order CompareIntDouble(int64_t a, double b);

}  // namespace kizuna::pattern_internal
