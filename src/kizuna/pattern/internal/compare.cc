// Kizuna.
#include "kizuna/pattern/internal/compare.h"

#include <cmath>
#include <compare>

#include "kizuna/base/digest.h"
#include "kizuna/pattern/internal/utf8.h"

namespace kizuna::pattern_internal {
namespace {

using pattern::LiteralKind;
using pattern::Observation;
using pattern::ValueKind;

template <typename T>
Order Three(const T& a, const T& b) {
  if (a < b) return Order::kLess;
  if (b < a) return Order::kGreater;
  return Order::kEqual;
}

Order Bytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);  // char_traits<char> compares as unsigned char
  return c < 0 ? Order::kLess : c > 0 ? Order::kGreater : Order::kEqual;
}

Order Flip(Order o) {
  return o == Order::kLess ? Order::kGreater : o == Order::kGreater ? Order::kLess : o;
}

Order CompareNumber(const Observation& obs, Observation::NodeId n, const Constant& c) {
  const bool value_int = obs.kind(n) == ValueKind::kInt;
  if (c.kind == LiteralKind::kInt) {
    if (value_int) return Three(obs.int_value(n), c.int_value);
    return Flip(CompareIntDouble(c.int_value, obs.float_value(n)));
  }
  if (value_int) return CompareIntDouble(obs.int_value(n), c.float_value);
  const double a = obs.float_value(n), b = c.float_value;
  if (std::isnan(a) || std::isnan(b)) return Order::kIncompatible;
  return Three(a, b);
}

}  // namespace

Order CompareIntDouble(int64_t a, double b) {
  if (std::isnan(b)) return Order::kIncompatible;
  if (b >= 9223372036854775808.0) return Order::kLess;
  if (b < -9223372036854775808.0) return Order::kGreater;
  const double whole = std::trunc(b);
  const int64_t w = static_cast<int64_t>(whole);
  if (a != w) return a < w ? Order::kLess : Order::kGreater;
  const double fraction = b - whole;
  return fraction > 0 ? Order::kLess : fraction < 0 ? Order::kGreater : Order::kEqual;
}

absl::StatusOr<Constant> MakeConstant(const pattern::Literal& literal) {
  Constant c;
  c.kind = literal.kind;
  switch (literal.kind) {
    case LiteralKind::kString:
      c.bytes.assign(literal.text);
      c.has_latin1 = Utf8ToLatin1(c.bytes, c.latin1);
      break;
    case LiteralKind::kInt: c.int_value = literal.int_value; break;
    case LiteralKind::kFloat: c.float_value = literal.float_value; break;
    case LiteralKind::kBool: c.bool_value = literal.bool_value; break;
    case LiteralKind::kHex: {
      std::optional<std::string> bytes = HexDecode(literal.text);
      if (!bytes.has_value()) return absl::InvalidArgumentError("invalid hex literal");
      c.bytes = std::move(*bytes);
      break;
    }
    case LiteralKind::kBinary: {
      std::optional<std::string> bytes = Base64Decode(literal.text);
      if (!bytes.has_value() || literal.text.empty()) {
        return absl::InvalidArgumentError("invalid base64 literal");
      }
      c.bytes = std::move(*bytes);
      break;
    }
    case LiteralKind::kTimestamp: {
      auto time = stix::ParseTimestamp(literal.text);
      if (!time.ok()) return time.status();
      c.time = *time;
      break;
    }
  }
  return c;
}

Order CompareValue(const Observation& obs, Observation::NodeId n, const Constant& c) {
  const ValueKind kind = obs.kind(n);
  switch (c.kind) {
    case LiteralKind::kInt:
    case LiteralKind::kFloat:
      if (kind != ValueKind::kInt && kind != ValueKind::kFloat) return Order::kIncompatible;
      return CompareNumber(obs, n, c);
    case LiteralKind::kBool:
      if (kind != ValueKind::kBool) return Order::kIncompatible;
      return obs.bool_value(n) == c.bool_value ? Order::kEqual : Order::kUnequal;
    case LiteralKind::kString:
      if (kind == ValueKind::kString) return Bytes(obs.string_value(n), c.bytes);
      if (kind == ValueKind::kBinary && c.has_latin1) {
        return Bytes(obs.string_value(n), c.latin1);
      }
      return Order::kIncompatible;
    case LiteralKind::kHex:
    case LiteralKind::kBinary:
      if (kind == ValueKind::kBinary) return Bytes(obs.string_value(n), c.bytes);
      if (kind == ValueKind::kString) {
        std::string latin1;
        if (!Utf8ToLatin1(obs.string_value(n), latin1)) return Order::kIncompatible;
        return Bytes(latin1, c.bytes);
      }
      return Order::kIncompatible;
    case LiteralKind::kTimestamp: {
      if (kind != ValueKind::kString) return Order::kIncompatible;
      auto time = stix::ParseTimestamp(obs.string_value(n));
      if (!time.ok()) return Order::kIncompatible;
      return Three(*time, c.time);
    }
  }
  return Order::kIncompatible;
}

bool ApplyOperator(pattern::CompareOp op, bool negated, Order order) {
  using pattern::CompareOp;
  bool result;
  switch (op) {
    case CompareOp::kEq: result = order == Order::kEqual; break;
    case CompareOp::kNe: result = order != Order::kEqual; break;
    case CompareOp::kLt:
    case CompareOp::kLe:
    case CompareOp::kGt:
    case CompareOp::kGe:
      if (order == Order::kIncompatible || order == Order::kUnequal) {
        result = false;  // no order between the two; NOT below makes it true (§9.6.1)
        break;
      }
      result = op == CompareOp::kLt   ? order == Order::kLess
               : op == CompareOp::kLe ? order != Order::kGreater
               : op == CompareOp::kGt ? order == Order::kGreater
                                      : order != Order::kLess;
      break;
    default:
      return false;
  }
  return negated ? !result : result;
}

}  // namespace kizuna::pattern_internal
