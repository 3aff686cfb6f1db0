// Kizuna.
#include "kizuna/http/client_key.h"

#include <gtest/gtest.h>

namespace kizuna::http {
namespace {

// Finding 4 of issue 16: limits were keyed by address and port, so every new connection
// started afresh.
TEST(ClientKeyTest, IgnoresThePort) {
  EXPECT_EQ(ClientKey("198.51.100.7:52114"), "198.51.100.7");
  EXPECT_EQ(ClientKey("198.51.100.7:1"), ClientKey("198.51.100.7:65535"));
  EXPECT_EQ(ClientKey("198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(ClientKey("[2001:db8::1]:443"), ClientKey("[2001:db8::1]:444"));
}

TEST(ClientKeyTest, IPv6CountsPerSlash64) {
  EXPECT_EQ(ClientKey("[2001:db8:1:2:3:4:5:6]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientKey("[2001:db8:1:2:ffff::1]:443"), "2001:db8:1:2::/64");
  EXPECT_NE(ClientKey("[2001:db8:1:3::1]:443"), ClientKey("[2001:db8:1:2::1]:443"));
  EXPECT_EQ(ClientKey("2001:db8:1:2::7"), "2001:db8:1:2::/64");  // bare
  EXPECT_EQ(ClientKey("[::1]:8443"), "::/64");
}

TEST(ClientKeyTest, IPv4MappedAddressesAreIPv4) {
  EXPECT_EQ(ClientKey("[::ffff:192.0.2.1]:443"), "192.0.2.1");
}

TEST(ClientKeyTest, OtherTextIsKeptAsItIs) {
  EXPECT_EQ(ClientKey("unknown"), "unknown");
  EXPECT_EQ(ClientKey(""), "");
  EXPECT_EQ(ClientKey("[2001:db8::1"), "[2001:db8::1");
  EXPECT_EQ(ClientKey(std::string(200, '1')), std::string(200, '1'));
}

}  // namespace
}  // namespace kizuna::http
