// Kizuna.
#include "kizuna/taxii/next_token.h"

#include <gtest/gtest.h>

#include "kizuna/base/digest.h"

namespace kizuna::taxii {
namespace {

TEST(NextTokenTest, RoundTripAndBinding) {
  NextTokens::Key key{};
  key[3] = 9;
  NextTokens tokens(key);
  std::string t = tokens.Make("objects|c1|filters", 1700000000123456);
  EXPECT_LE(t.size(), 70u);
  EXPECT_EQ(*tokens.Open(t, "objects|c1|filters"), 1700000000123456);
  EXPECT_FALSE(tokens.Open(t, "objects|c2|filters").ok());
  NextTokens::Key other = key;
  other[0] = 1;
  EXPECT_FALSE(NextTokens(other).Open(t, "objects|c1|filters").ok());
}

// Issue 16, finding 10: a token may carry the position of an entry withheld from its holder,
// so the position must not be readable from it.
TEST(NextTokenTest, ThePositionCannotBeReadFromTheToken) {
  NextTokens tokens(NextTokens::Key{});
  const int64_t position = 0x0102030405060708;
  std::string a = tokens.Make("b", position), b = tokens.Make("b", position);
  EXPECT_NE(a, b) << "two tokens for one position look unrelated";
  for (const std::string& t : {a, b}) {
    std::optional<std::string> raw = Base64UrlDecode(t);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->find("\x01\x02\x03\x04\x05\x06\x07\x08"), std::string::npos);
    EXPECT_EQ(*tokens.Open(t, "b"), position);
  }
}

TEST(NextTokenTest, ForgeriesAreRefused) {
  NextTokens tokens(NextTokens::Key{});
  std::string t = tokens.Make("b", 42);
  for (size_t i = 0; i < t.size(); ++i) {
    std::string forged = t;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(tokens.Open(forged, "b").ok()) << i;
  }
  for (const char* junk : {"", "x", "%%%", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not a token at all, much too long for one........"}) {
    auto r = tokens.Open(junk, "b");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << junk;
  }
}

}  // namespace
}  // namespace kizuna::taxii
