// Kizuna.
#include "kizuna/pattern/internal/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kizuna::pattern_internal {
namespace {

using pattern::CompareOp;
using pattern::Literal;
using pattern::LiteralKind;
using pattern::Observation;

TEST(CompareTest, IntAgainstDoubleIsExact) {
  EXPECT_EQ(CompareIntDouble(1, 1.0), Order::kEqual);
  EXPECT_EQ(CompareIntDouble(1, 1.5), Order::kLess);
  EXPECT_EQ(CompareIntDouble(2, 1.5), Order::kGreater);
  EXPECT_EQ(CompareIntDouble(-1, -1.5), Order::kGreater);
  EXPECT_EQ(CompareIntDouble(-2, -1.5), Order::kLess);
  // 2^53 + 1 is not representable as a double: it must still compare greater than 2^53.
  const int64_t big = (int64_t{1} << 53) + 1;
  EXPECT_EQ(CompareIntDouble(big, 9007199254740992.0), Order::kGreater);
  EXPECT_EQ(CompareIntDouble(INT64_MAX, 9223372036854775808.0), Order::kLess);
  EXPECT_EQ(CompareIntDouble(INT64_MIN, -9223372036854775808.0), Order::kEqual);
  EXPECT_EQ(CompareIntDouble(INT64_MIN, -1e300), Order::kGreater);
  EXPECT_EQ(CompareIntDouble(0, std::numeric_limits<double>::quiet_NaN()), Order::kIncompatible);
}

TEST(CompareTest, MakeConstantDecodes) {
  Literal hex;
  hex.kind = LiteralKind::kHex;
  hex.text = "00ff";
  auto c = MakeConstant(hex);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bytes, std::string("\x00\xff", 2));
  Literal str;
  str.kind = LiteralKind::kString;
  str.text = "é";
  c = MakeConstant(str);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->has_latin1);
  EXPECT_EQ(c->latin1, "\xe9");
  str.text = "日";
  EXPECT_FALSE(MakeConstant(str)->has_latin1);
  Literal bad;
  bad.kind = LiteralKind::kBinary;
  bad.text = "!!";
  EXPECT_FALSE(MakeConstant(bad).ok());
  bad.kind = LiteralKind::kTimestamp;
  bad.text = "2020-02-30T00:00:00Z";
  EXPECT_FALSE(MakeConstant(bad).ok());
}

TEST(CompareTest, OperatorsOnIncompatibleTypes) {
  // = false, != true, ordering false; NOT negates each of them (STIX 2.1 §9.6.1).
  EXPECT_FALSE(ApplyOperator(CompareOp::kEq, false, Order::kIncompatible));
  EXPECT_TRUE(ApplyOperator(CompareOp::kEq, true, Order::kIncompatible));
  EXPECT_TRUE(ApplyOperator(CompareOp::kNe, false, Order::kIncompatible));
  EXPECT_FALSE(ApplyOperator(CompareOp::kNe, true, Order::kIncompatible));
  for (CompareOp op : {CompareOp::kLt, CompareOp::kLe, CompareOp::kGt, CompareOp::kGe}) {
    EXPECT_FALSE(ApplyOperator(op, false, Order::kIncompatible));
    EXPECT_TRUE(ApplyOperator(op, true, Order::kIncompatible));
    EXPECT_FALSE(ApplyOperator(op, false, Order::kUnequal));
    EXPECT_TRUE(ApplyOperator(op, true, Order::kUnequal));
  }
  EXPECT_TRUE(ApplyOperator(CompareOp::kLe, false, Order::kEqual));
  EXPECT_FALSE(ApplyOperator(CompareOp::kLe, true, Order::kEqual));
  EXPECT_TRUE(ApplyOperator(CompareOp::kGt, true, Order::kLess));
}

TEST(CompareTest, ValuesAgainstConstants) {
  Observation obs;
  const auto root = obs.AddSco("x", "0");
  const auto big = obs.AddInt(root, "big", INT64_MAX);
  const auto bytes = obs.AddBinary(root, "b", std::string("\x80", 1));
  const auto ts = obs.AddString(root, "t", "2020-01-01T00:00:00.000000001Z");
  Literal l;
  l.kind = LiteralKind::kFloat;
  l.float_value = 9.2e18;
  EXPECT_EQ(CompareValue(obs, big, *MakeConstant(l)), Order::kGreater);
  l.kind = LiteralKind::kHex;
  l.text = "7f";
  EXPECT_EQ(CompareValue(obs, bytes, *MakeConstant(l)), Order::kGreater);  // unsigned bytes
  l.kind = LiteralKind::kTimestamp;
  l.text = "2020-01-01T00:00:00Z";
  EXPECT_EQ(CompareValue(obs, ts, *MakeConstant(l)), Order::kGreater);  // nanosecond precision
  EXPECT_EQ(CompareValue(obs, big, *MakeConstant(l)), Order::kIncompatible);
}

}  // namespace
}  // namespace kizuna::pattern_internal
