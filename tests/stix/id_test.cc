// Kizuna.
#include "kizuna/stix/id.h"

#include <gtest/gtest.h>

namespace kizuna::stix {
namespace {

TEST(IdTest, ParsesSpecIdentifiers) {
  auto id = ParseId("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->type, "indicator");
  EXPECT_EQ(id->uuid, "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_TRUE(ParseId("x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a").ok());
}

TEST(IdTest, RejectsMalformed) {
  for (const char* bad : {"indicator", "indicator--", "indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                          "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                          "indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0",
                          "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g",
                          "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f",  // variant bits
                          "in--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}) {
    EXPECT_FALSE(ParseId(bad).ok()) << bad;
  }
}

TEST(IdTest, TypeNames) {
  EXPECT_TRUE(IsValidTypeName("attack-pattern"));
  EXPECT_TRUE(IsValidTypeName("x-mitre-matrix"));
  EXPECT_FALSE(IsValidTypeName("ab"));
  EXPECT_FALSE(IsValidTypeName("a--b"));
  EXPECT_FALSE(IsValidTypeName("abc-"));
  EXPECT_FALSE(IsValidTypeName("1abc"));
  EXPECT_FALSE(IsValidTypeName("a_bc"));
}

TEST(IdTest, NewV4HasVersionAndVariant) {
  SeededRandom random(42);
  std::string uuid = NewUuidV4(random);
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_TRUE(std::string("89ab").find(uuid[19]) != std::string::npos);
  EXPECT_TRUE(ParseId("indicator--" + uuid).ok());
  EXPECT_NE(uuid, NewUuidV4(random));
}

TEST(IdTest, UuidV5KnownValue) {
  // RFC 4122 DNS namespace, name "python.org" (the Python uuid module's documented example).
  EXPECT_EQ(UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

}  // namespace
}  // namespace kizuna::stix
