// Kizuna.
#include "kizuna/base/digest.h"

#include <gtest/gtest.h>

namespace kizuna {
namespace {

TEST(DigestTest, Sha256OfAbc) {
  Sha256Digest d = Sha256("abc");
  EXPECT_EQ(HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, Sha1OfTwoParts) {
  Sha1Digest d = Sha1("a", "bc");
  EXPECT_EQ(HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(DigestTest, HexRoundTripAndErrors) {
  EXPECT_EQ(HexDecode("ff00A1").value(), std::string("\xff\x00\xa1", 3));
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(DigestTest, Base64RoundTrip) {
  EXPECT_EQ(Base64Encode(std::string("\x01\x02\x03\x04", 4)), "AQIDBA==");
  EXPECT_EQ(Base64Decode("AQIDBA==").value(), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(Base64Decode("").value(), "");
  EXPECT_FALSE(Base64Decode("AQIDBA=").has_value());  // not a multiple of 4
  EXPECT_FALSE(Base64Decode("AQ=DBA==").has_value());  // padding inside
  EXPECT_FALSE(Base64Decode("AQIDBB==").has_value());  // non-zero bits in the tail
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode("\xfb\xff")).value(), "\xfb\xff");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace kizuna
