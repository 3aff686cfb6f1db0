// Kizuna.
#include "kizuna/detect/lookup/ip.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace kizuna::detect {
namespace {

TEST(ParseIpv4Test, CanonicalDottedQuadsOnly) {
  EXPECT_EQ(ParseIpv4("0.0.0.0"), 0u);
  EXPECT_EQ(ParseIpv4("10.0.0.1"), 0x0A000001u);
  EXPECT_EQ(ParseIpv4("255.255.255.255"), 0xFFFFFFFFu);
  EXPECT_EQ(ParseIpv4("100.200.250.9"), 0x64C8FA09u);
  for (const char* bad : {"256.0.0.1", "01.2.3.4", "1.2.3.04", "00.0.0.0", "1.2.3", "1.2.3.4.5",
                          "1..2.3", "a.b.c.d", "1.2.3.4 ", " 1.2.3.4", "1.2.3.1000", "1.2.3.-4",
                          "1.2.3.4/24", "1.2.3.", ".1.2.3", "1.2.3.256", "", "1234.1.1.1"}) {
    EXPECT_FALSE(ParseIpv4(bad).has_value()) << bad;
  }
}

// glibc's inet_pton reads exactly these: four decimal parts of 0..255 without leading zeros.
TEST(ParseIpv4Test, AgreesWithInetPtonOnRandomText) {
  uint64_t x = 0x243F6A8885A308D3ull;
  auto next = [&x] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  const std::string alphabet = "0123456789...25";  // dots and 2s, 5s more often
  int valid = 0;
  for (int i = 0; i < 300000; ++i) {
    std::string s;
    const size_t n = 7 + next() % 9;
    for (size_t k = 0; k < n; ++k) s.push_back(alphabet[next() % alphabet.size()]);
    in_addr a;
    const bool want = inet_pton(AF_INET, s.c_str(), &a) == 1;
    const std::optional<uint32_t> got = ParseIpv4(s);
    ASSERT_EQ(got.has_value(), want) << s;
    if (want) {
      EXPECT_EQ(*got, ntohl(a.s_addr)) << s;
      ++valid;
    }
  }
  EXPECT_GT(valid, 1000);
}

}  // namespace
}  // namespace kizuna::detect
