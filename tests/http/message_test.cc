// Kizuna.
#include "kizuna/http/message.h"

#include <gtest/gtest.h>

namespace kizuna::http {
namespace {

TEST(MessageTest, PathAndQuery) {
  Request r;
  r.target = "/intel/collections/?limit=2&next=a";
  EXPECT_EQ(r.Path(), "/intel/collections/");
  EXPECT_EQ(r.Query(), "limit=2&next=a");
  r.target = "/healthz";
  EXPECT_EQ(r.Path(), "/healthz");
  EXPECT_EQ(r.Query(), "");
  r.target = "/?";
  EXPECT_EQ(r.Path(), "/");
  EXPECT_EQ(r.Query(), "");
}

// Finding 13 of issue 16: a gzip body was taken for plain JSON.
TEST(MessageTest, OnlyTheIdentityContentCodingIsUnderstood) {
  EXPECT_TRUE(IsIdentityCoding(""));
  EXPECT_TRUE(IsIdentityCoding("identity"));
  EXPECT_TRUE(IsIdentityCoding(" Identity "));
  EXPECT_FALSE(IsIdentityCoding("gzip"));
  EXPECT_FALSE(IsIdentityCoding("identity, gzip"));
  EXPECT_FALSE(IsIdentityCoding("br"));
}

}  // namespace
}  // namespace kizuna::http
