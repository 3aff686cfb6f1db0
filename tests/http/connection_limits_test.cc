// Kizuna.
#include "kizuna/http/connection_limits.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"

namespace kizuna::http {
namespace {

// Finding 6 of issue 16: one client's idle connections took every slot, /healthz included.
TEST(ConnectionLimitsTest, OneClientCannotTakeEveryConnection) {
  ConnectionLimits limits({10, 4, 2});
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limits.Admit("198.51.100.7"));
  EXPECT_FALSE(limits.Admit("198.51.100.7"));
  EXPECT_EQ(limits.OpenFrom("198.51.100.7"), 4u);
  EXPECT_TRUE(limits.Admit("203.0.113.9"));
  limits.Release("198.51.100.7");
  EXPECT_TRUE(limits.Admit("198.51.100.7"));
  EXPECT_EQ(limits.open(), 5u);
}

TEST(ConnectionLimitsTest, TheReserveGoesToClientsWithNoConnection) {
  ConnectionLimits limits({10, 4, 2});
  for (int c = 0; c < 2; ++c) {
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(limits.Admit(StrCat("10.0.0.", c)));
  }
  // 8 open, 2 free: the reserve. Clients with connections get none of it...
  EXPECT_FALSE(limits.Admit("10.0.0.0"));
  EXPECT_TRUE(limits.Admit("10.0.0.2"));  // ...newcomers do,
  EXPECT_FALSE(limits.Admit("10.0.0.2"));  // once.
  EXPECT_TRUE(limits.Admit("10.0.0.3"));
  EXPECT_FALSE(limits.Admit("10.0.0.4"));  // full
  EXPECT_EQ(limits.open(), 10u);
  limits.Release("10.0.0.3");
  limits.Release("10.0.0.2");
  EXPECT_EQ(limits.OpenFrom("10.0.0.2"), 0u);
  EXPECT_TRUE(limits.Admit("10.0.0.4"));
}

}  // namespace
}  // namespace kizuna::http
