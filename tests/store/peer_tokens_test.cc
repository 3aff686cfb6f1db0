// Kizuna. Partner tokens sealed with the node's key (finding 8 of issue 16).
#include "kizuna/store/peer_tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "kizuna/base/file.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

TokenSealer::Key KeyOf(uint8_t fill) {
  TokenSealer::Key key;
  key.fill(fill);
  return key;
}

TEST(PeerTokensTest, SealsAndOpens) {
  TokenSealer sealer(KeyOf(1));
  std::string sealed = sealer.Seal("usa", "kz_0123456789abcdef_secret");
  EXPECT_EQ(sealed.find("secret"), std::string::npos) << "the token does not show";
  EXPECT_EQ(sealed.size(), std::string("kz_0123456789abcdef_secret").size() + 41);
  auto token = sealer.Open("usa", sealed);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "kz_0123456789abcdef_secret");
  EXPECT_NE(sealer.Seal("usa", "t"), sealer.Seal("usa", "t")) << "each seal has its own nonce";
}

TEST(PeerTokensTest, OpensOnlyWithItsKeyAndPeer) {
  TokenSealer sealer(KeyOf(1));
  std::string sealed = sealer.Seal("usa", "secret");
  EXPECT_EQ(TokenSealer(KeyOf(2)).Open("usa", sealed).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(sealer.Open("kor", sealed).status().code(), absl::StatusCode::kDataLoss)
      << "a token moved to another peer's row does not open";
  std::string altered = sealed;
  altered.back() ^= 1;
  EXPECT_EQ(sealer.Open("usa", altered).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(sealer.Open("usa", sealed.substr(0, 20)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(sealer.Open("usa", "secret").status().code(), absl::StatusCode::kDataLoss)
      << "a token in clear";
}

TEST(PeerTokensTest, KeyFileIsMadeOnceAndPrivate) {
  TempDir dir;
  const std::string path = dir.File("peer-tokens.key");
  EXPECT_EQ(TokenSealer::Load(path).status().code(), absl::StatusCode::kNotFound);
  auto made = TokenSealer::LoadOrCreate(path);
  ASSERT_TRUE(made.ok()) << made.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  std::string sealed = made->Seal("usa", "secret");
  auto again = TokenSealer::LoadOrCreate(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Open("usa", sealed), "secret") << "the same key is read back";
  ASSERT_TRUE(WriteFileAtomically(path, "short").ok());
  auto bad = TokenSealer::LoadOrCreate(path);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find(path), absl::string_view::npos) << bad.status();
}

}  // namespace
}  // namespace kizuna::store
