// Kizuna.
#include "kizuna/taxii/next_token.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

TEST(NextTokenTest, RoundTripAndBinding) {
  NextTokens::Key key{};
  key[3] = 9;
  NextTokens tokens(key);
  std::string t = tokens.Make("objects|c1|filters", 1700000000123456);
  EXPECT_LE(t.size(), 40u);
  EXPECT_EQ(*tokens.Open(t, "objects|c1|filters"), 1700000000123456);
  EXPECT_FALSE(tokens.Open(t, "objects|c2|filters").ok());
  NextTokens::Key other = key;
  other[0] = 1;
  EXPECT_FALSE(NextTokens(other).Open(t, "objects|c1|filters").ok());
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
