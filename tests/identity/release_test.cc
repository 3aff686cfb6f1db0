// Kizuna.
#include "kizuna/identity/release.h"

#include <gtest/gtest.h>

namespace kizuna::identity {
namespace {

TEST(ReleaseTest, Keywords) {
  EXPECT_EQ(ParseDefaultRelease("creator-nation")->kind, DefaultReleaseKind::kCreatorNation);
  EXPECT_EQ(ParseDefaultRelease("readers")->kind, DefaultReleaseKind::kReaders);
  EXPECT_EQ(ParseDefaultRelease("communities")->kind, DefaultReleaseKind::kCommunities);
  EXPECT_EQ(DefaultRelease{}.kind, DefaultReleaseKind::kCreatorNation) << "the default is the creator's nation";
}

TEST(ReleaseTest, ListsRoundTrip) {
  absl::StatusOr<DefaultRelease> r = ParseDefaultRelease("USA,JPN,jpn-usa");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind, DefaultReleaseKind::kList);
  EXPECT_EQ(r->list.nations, (std::vector<std::string>{"USA", "JPN"}));
  EXPECT_EQ(r->list.communities, (std::vector<std::string>{"jpn-usa"}));
  EXPECT_EQ(FormatDefaultRelease(*r), "USA,JPN,jpn-usa");
  EXPECT_EQ(FormatDefaultRelease(*ParseDefaultRelease("readers")), "readers");
}

TEST(ReleaseTest, Errors) {
  absl::Status bad = ParseDefaultRelease("USA,Narnia").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("'Narnia'"), absl::string_view::npos) << bad;
  EXPECT_FALSE(ParseDefaultRelease("").ok());
  EXPECT_FALSE(ParseDefaultRelease(",").ok());
  EXPECT_FALSE(ParseDefaultRelease("Everyone").ok());
  EXPECT_EQ(ParseDefaultRelease("everyone")->kind, DefaultReleaseKind::kList) << "a community named everyone";
}

}  // namespace
}  // namespace kizuna::identity
