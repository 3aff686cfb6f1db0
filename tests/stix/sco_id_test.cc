// Kizuna.
#include "kizuna/stix/sco_id.h"

#include <gtest/gtest.h>

#include "kizuna/stix/id.h"

namespace kizuna::stix {
namespace {

std::optional<std::string> IdOf(std::string_view type, std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  return DeterministicScoId(type, parser.parse(padded).get_object().value());
}

TEST(ScoIdTest, SpecExampleIpv4) {
  // STIX 2.1 §2.9: {"value":"198.51.100.3"} gives this identifier.
  EXPECT_EQ(ScoIdFromValue("ipv4-addr", "198.51.100.3"),
            "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
  EXPECT_EQ(IdOf("ipv4-addr", R"({"type":"ipv4-addr","spec_version":"2.1","value":"198.51.100.3"})"),
            "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
}

TEST(ScoIdTest, OnlyContributingPropertiesCount) {
  auto a = IdOf("file", R"({"type":"file","name":"a.exe","size":10})");
  auto b = IdOf("file", R"({"size":99,"name":"a.exe","type":"file"})");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a, b);
}

TEST(ScoIdTest, OneHashContributesByPreference) {
  auto both = IdOf("file", R"({"hashes":{"SHA-256":"aa","MD5":"bb"}})");
  auto md5 = IdOf("file", R"({"hashes":{"MD5":"bb"}})");
  EXPECT_EQ(both, md5);
  EXPECT_NE(IdOf("file", R"({"hashes":{"SHA-256":"aa"}})"), md5);
}

TEST(ScoIdTest, NoContributorsMeansV4) {
  EXPECT_FALSE(IdOf("process", R"({"pid":1})").has_value());
  EXPECT_FALSE(IdOf("file", R"({"size":1})").has_value());
  EXPECT_FALSE(IdOf("x-custom-sco", R"({"value":"a"})").has_value());
}

TEST(ScoIdTest, IdIsOfValueForTheTypesWhoseOnlyContributorIsValue) {
  for (std::string_view type : {"domain-name", "email-addr", "ipv4-addr", "ipv6-addr", "mac-addr", "url"}) {
    EXPECT_TRUE(IdIsOfValue(type)) << type;
  }
  for (std::string_view type : {"file", "software", "process", "autonomous-system", "x-custom-sco"}) {
    EXPECT_FALSE(IdIsOfValue(type)) << type;
  }
  EXPECT_EQ(UuidVersion("ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"), '5');
  EXPECT_EQ(UuidVersion("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"), '4');
  EXPECT_EQ(UuidVersion("indicator--short"), 0);
}

}  // namespace
}  // namespace kizuna::stix
