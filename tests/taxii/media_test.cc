// Kizuna.
#include "kizuna/taxii/media.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

TEST(MediaTest, Accept) {
  EXPECT_TRUE(AcceptsTaxii(""));
  EXPECT_TRUE(AcceptsTaxii("application/taxii+json;version=2.1"));
  EXPECT_TRUE(AcceptsTaxii("application/taxii+json; version=\"2.1\""));
  EXPECT_TRUE(AcceptsTaxii("Application/TAXII+JSON"));
  EXPECT_TRUE(AcceptsTaxii("text/html, */*;q=0.1"));
  EXPECT_TRUE(AcceptsTaxii("application/*"));
  EXPECT_FALSE(AcceptsTaxii("application/taxii+json;version=2.0"));
  EXPECT_FALSE(AcceptsTaxii("application/json"));
  EXPECT_FALSE(AcceptsTaxii("application/taxii+json;q=0"));
  EXPECT_FALSE(AcceptsTaxii("text/html"));
}

TEST(MediaTest, ContentType) {
  EXPECT_TRUE(IsTaxiiContentType("application/taxii+json;version=2.1"));
  EXPECT_TRUE(IsTaxiiContentType("application/taxii+json"));
  EXPECT_TRUE(IsTaxiiContentType("application/taxii+json; charset=utf-8; version=2.1"));
  EXPECT_FALSE(IsTaxiiContentType("application/json"));
  EXPECT_FALSE(IsTaxiiContentType("application/taxii+json;version=2.0"));
  EXPECT_FALSE(IsTaxiiContentType(""));
}

}  // namespace
}  // namespace kizuna::taxii
