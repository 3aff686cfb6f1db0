// Kizuna.
#include "kizuna/pattern/cidr.h"

#include <gtest/gtest.h>

namespace kizuna::pattern {
namespace {

bool Contains(std::string_view outer, std::string_view inner) {
  auto a = ParseIpBlock(outer);
  auto b = ParseIpBlock(inner);
  EXPECT_TRUE(a.has_value()) << outer;
  EXPECT_TRUE(b.has_value()) << inner;
  return a && b && BlockContains(*a, *b);
}

TEST(CidrTest, Parses) {
  auto v4 = ParseIpBlock("198.51.100.7/24");
  ASSERT_TRUE(v4.has_value());
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->prefix, 24);
  EXPECT_EQ(v4->address[3], 7);
  auto host = ParseIpBlock("10.0.0.1");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->prefix, 32);
  auto v6 = ParseIpBlock("2001:db8::1");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->prefix, 128);
  EXPECT_EQ(v6->address[15], 1);
  for (std::string_view bad : {"", "1.2.3", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/a",
                               "01.2.3.4x", "::1/129", "1.2.3.4/024", "example.com", "1.2.3.4 ",
                               "2001:db8:::1", "1:2:3:4:5:6:7:8:9"}) {
    EXPECT_FALSE(ParseIpBlock(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseIpBlock(std::string(100, '1')).has_value());
}

TEST(CidrTest, Containment) {
  EXPECT_TRUE(Contains("10.0.0.0/8", "10.255.1.2"));
  EXPECT_TRUE(Contains("10.0.0.0/8", "10.1.0.0/16"));
  EXPECT_TRUE(Contains("10.0.0.0/8", "10.0.0.0/8"));
  EXPECT_FALSE(Contains("10.1.0.0/16", "10.0.0.0/8"));
  EXPECT_FALSE(Contains("10.0.0.0/8", "11.0.0.0"));
  EXPECT_TRUE(Contains("0.0.0.0/0", "255.255.255.255"));
  EXPECT_TRUE(Contains("192.168.1.128/25", "192.168.1.200"));
  EXPECT_FALSE(Contains("192.168.1.128/25", "192.168.1.127"));
  EXPECT_TRUE(Contains("192.168.1.7/29", "192.168.1.0"));  // host bits ignored
  EXPECT_TRUE(Contains("2001:db8::/32", "2001:db8:ffff::1"));
  EXPECT_FALSE(Contains("2001:db8::/32", "2001:db9::1"));
  EXPECT_TRUE(Contains("2001:db8:dead:beef::/63", "2001:db8:dead:beee::1"));
  EXPECT_FALSE(Contains("2001:db8:dead:beef::/64", "2001:db8:dead:beee::1"));
  EXPECT_TRUE(Contains("::/0", "::1"));
  EXPECT_FALSE(Contains("::/0", "1.2.3.4"));
  EXPECT_FALSE(Contains("0.0.0.0/0", "::ffff:1.2.3.4"));
}

}  // namespace
}  // namespace kizuna::pattern
