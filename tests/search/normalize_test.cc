// Kizuna. The index's one normal form of values.
#include "kizuna/search/normalize.h"

#include <gtest/gtest.h>

namespace kizuna::search {
namespace {

TEST(NormalizeTest, CaseAndTrailingDot) {
  EXPECT_EQ(NormalizeValue("  EVIL.Example. "), "evil.example");
  EXPECT_EQ(NormalizeValue("T1566"), "t1566");
  EXPECT_EQ(NormalizeValue("D41D8CD98F00B204E9800998ECF8427E"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(NormalizeValue("a sentence ends."), "a sentence ends.");
}

TEST(NormalizeTest, AddressesTakeTheirCanonicalText) {
  EXPECT_EQ(NormalizeValue("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(NormalizeValue("2001:db8::1/128"), "2001:db8::1");
  EXPECT_EQ(NormalizeValue("10.1.2.3/8"), "10.0.0.0/8");
  EXPECT_EQ(NormalizeValue("10.1.2.3/32"), "10.1.2.3");
  EXPECT_EQ(NormalizeValue("2001:DB8::5/32"), "2001:db8::/32");
}

TEST(NormalizeTest, UrlsTakeTheirCanonicalForm) {
  EXPECT_EQ(NormalizeValue(" HTTP://Evil.Example.:80/A?b#c "), "http://evil.example/A?b");
  EXPECT_EQ(NormalizeValue("https://EVIL.example:443"), "https://evil.example/");
  EXPECT_EQ(NormalizeValue("https://evil.example:8443/x"), "https://evil.example:8443/x");
  EXPECT_EQ(NormalizeValue("http://user@[2001:DB8::1]:80/p"), "http://user@[2001:db8::1]/p");
  EXPECT_EQ(NormalizeValue("http://evil.example?q=1"), "http://evil.example/?q=1");
}

TEST(NormalizeTest, ParseBlockGivesTheRange) {
  std::optional<store::IndexedRange> b = ParseBlock("192.168.1.77/24");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->v6);
  EXPECT_EQ(b->prefix, 24);
  EXPECT_EQ(b->start[3], 0);
  EXPECT_EQ(b->end[3], 255);
  EXPECT_EQ(b->end[2], 1);
  EXPECT_FALSE(ParseBlock("evil.example"));
  EXPECT_FALSE(ParseBlock("10.0.0.0/33"));
}

}  // namespace
}  // namespace kizuna::search
