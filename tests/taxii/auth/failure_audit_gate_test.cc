// Kizuna.
#include "kizuna/taxii/auth/failure_audit_gate.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr FailureAuditLimits kLimits = {60 * kSecond, 4};

TEST(FailureAuditGateTest, FirstFailureThenOneAMinuteWithTheCount) {
  FailureAuditGate gate(kLimits);
  const int64_t t = 1000 * kSecond;
  EXPECT_EQ(gate.Admit("198.51.100.7", t), 1);
  for (int i = 1; i <= 49; ++i) EXPECT_EQ(gate.Admit("198.51.100.7", t + i * kSecond / 10), 0) << i;
  EXPECT_EQ(gate.Admit("203.0.113.9", t + kSecond), 1) << "another client is not held back";
  EXPECT_EQ(gate.Admit("198.51.100.7", t + 59 * kSecond), 0);
  // A minute after the last recorded one: this failure and the 50 held back.
  EXPECT_EQ(gate.Admit("198.51.100.7", t + 60 * kSecond), 51);
  EXPECT_EQ(gate.Admit("198.51.100.7", t + 61 * kSecond), 0);
  EXPECT_EQ(gate.Admit("198.51.100.7", t + 10 * kSecond), 2)
      << "a clock stepped back holds nothing back";
}

TEST(FailureAuditGateTest, MemoryIsBoundedAndEvictedClientsStartAfresh) {
  FailureAuditGate gate(kLimits);
  const int64_t t = 1000 * kSecond;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(gate.Admit(StrCat("10.0.0.", i), t + i), 1);
  EXPECT_LE(gate.Size(), kLimits.max_keys);
  EXPECT_EQ(gate.Admit("10.0.0.99", t + 200), 0) << "the newest client is still tracked";
  EXPECT_EQ(gate.Admit("10.0.0.0", t + 300), 1)
      << "an evicted client's failure is a first one again";
  // Clients recorded over a minute ago make room before any recent one is dropped.
  EXPECT_EQ(gate.Admit("192.0.2.1", t + 120 * kSecond), 1);
  EXPECT_EQ(gate.Size(), 1u);
}

}  // namespace
}  // namespace kizuna::taxii
