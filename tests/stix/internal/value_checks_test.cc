// Kizuna.
#include "kizuna/stix/internal/value_checks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kizuna/stix/id.h"

namespace kizuna::stix_internal {
namespace {

TEST(ValueChecksTest, Base64) {
  EXPECT_TRUE(IsBase64(""));
  EXPECT_TRUE(IsBase64("AQIDBA=="));
  EXPECT_TRUE(IsBase64("iVBORw0KGgoAAAANSUhEUgAAADI="));
  EXPECT_FALSE(IsBase64("AQIDBA="));   // not a multiple of 4
  EXPECT_FALSE(IsBase64("AQ==IDBA"));  // padding inside
  EXPECT_FALSE(IsBase64("AQIDB==="));  // three padding characters
  EXPECT_FALSE(IsBase64("VBORw0KGgoAAAANSUhEUgAAADI== ..."));
}

TEST(ValueChecksTest, Hex) {
  EXPECT_TRUE(IsLowerHex(""));
  EXPECT_TRUE(IsLowerHex("00000002"));
  EXPECT_FALSE(IsLowerHex("504B0304"));
  EXPECT_FALSE(IsLowerHex("abc"));
  EXPECT_FALSE(IsLowerHex("0g"));
}

TEST(ValueChecksTest, LanguageTags) {
  for (const char* tag :
       {"en", "de", "pt-BR", "zh-Hant-TW", "sr-Latn-RS", "x-klingon", "i-enochian", "es-419"}) {
    EXPECT_TRUE(IsLanguageTag(tag)) << tag;
  }
  for (const char* tag : {"", "e", "en_US", "en-", "-en", "en--US", "toolongsubtag", "1en"}) {
    EXPECT_FALSE(IsLanguageTag(tag)) << tag;
  }
}

TEST(ValueChecksTest, KeysAndNames) {
  EXPECT_TRUE(IsDictionaryKey("a"));
  EXPECT_TRUE(IsDictionaryKey("Reply-To"));
  EXPECT_FALSE(IsDictionaryKey(""));
  EXPECT_FALSE(IsDictionaryKey("bad key"));
  EXPECT_FALSE(IsDictionaryKey(std::string(251, 'a')));
  EXPECT_TRUE(IsHashKey("MD5"));
  EXPECT_TRUE(IsHashKey("x_foo_hash"));
  EXPECT_FALSE(IsHashKey("md"));
  EXPECT_TRUE(IsPropertyName("x_mitre_version"));
  EXPECT_FALSE(IsPropertyName("id"));
  EXPECT_FALSE(IsPropertyName("_abc"));
  EXPECT_FALSE(IsPropertyName("Name"));
  EXPECT_FALSE(IsPropertyName("x-mitre"));
  EXPECT_TRUE(IsRelationshipType("subtechnique-of"));
  EXPECT_FALSE(IsRelationshipType("Uses"));
  EXPECT_FALSE(IsRelationshipType("ab"));
  EXPECT_TRUE(IsCustomExtensionName("x-acme-com-foo-ext"));
  EXPECT_FALSE(IsCustomExtensionName("x-acme-com-foo"));
  EXPECT_FALSE(IsCustomExtensionName("x_acme-ext"));
}

TEST(ValueChecksTest, HashValues) {
  EXPECT_EQ(CheckHashValue("MD5", "3773a88f65a5e780c8dff9cdc3a056f3"), "");
  EXPECT_EQ(CheckHashValue("MD5", "3773A88F65A5E780C8DFF9CDC3A056F3"), "");
  EXPECT_NE(CheckHashValue("MD5", "3773a88f"), "");
  EXPECT_NE(CheckHashValue("SHA-256", std::string(63, 'a')), "");
  EXPECT_EQ(CheckHashValue("SHA3-512", std::string(128, 'f')), "");
  EXPECT_EQ(CheckHashValue("TLSH", std::string(70, 'A')), "");
  EXPECT_EQ(CheckHashValue("TLSH", "T1" + std::string(70, 'A')), "");
  EXPECT_NE(CheckHashValue("TLSH", "abc"), "");
  EXPECT_EQ(CheckHashValue("SSDEEP",
                           "96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/"
                           "wqWXLcMSx:sF1LjEtHHlZDrJzrhuyZvHYm8tKp/RWO"),
            "");
  EXPECT_NE(CheckHashValue("SSDEEP", "not ssdeep"), "");
  EXPECT_EQ(CheckHashValue("x_foo_hash", "aaaabbbbccccddddeeeeffff0123457890"), "");
  EXPECT_NE(CheckHashValue("x_foo_hash", ""), "");
}

TEST(ValueChecksTest, Addresses) {
  for (const char* ok : {"198.51.100.3", "198.51.100.0/24", "0.0.0.0/0", "255.255.255.255/32"}) {
    EXPECT_TRUE(IsIpv4Cidr(ok)) << ok;
  }
  for (const char* bad : {"999.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/",
                          "198.51.100[.]3", ""}) {
    EXPECT_FALSE(IsIpv4Cidr(bad)) << bad;
  }
  for (const char* ok : {"2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8::/96", "::1",
                         "::ffff:198.51.100.3"}) {
    EXPECT_TRUE(IsIpv6Cidr(ok)) << ok;
  }
  for (const char* bad : {"2001:db8:::1", "2001:db8::/129", "fe80::1%eth0", "198.51.100.3", ""}) {
    EXPECT_FALSE(IsIpv6Cidr(bad)) << bad;
  }
  EXPECT_TRUE(IsMacAddress("00:00:ab:cd:ef:01"));
  EXPECT_FALSE(IsMacAddress("00:00:AB:cd:ef:01"));
  EXPECT_FALSE(IsMacAddress("00-00-ab-cd-ef-01"));
  EXPECT_FALSE(IsMacAddress("0:0:ab:cd:ef:1"));
}

TEST(ValueChecksTest, IdentifierTypeAgreesWithParseId) {
  // IdentifierType is the fast path of stix::ParseId; both must accept the same texts.
  std::vector<std::string> texts = {
      "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a",
      "relationship--81f12913-1372-4c96-85ec-E9034ac98aba",
      "file-1389b98d-a3d3-5190-a996-716fd444059a",
      "marking-definition--123",
      "identity--f431f809-377b-45e0-0a1c-6a4751cae5ff",
      "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "in--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "x--y--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "x-y---8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f ",
      "indicator--8e2e2d2b_17d4-4cbf-938f-98ee46b3cd3f",
      "",
  };
  // Every single-character change of a valid identifier, too.
  std::string valid = texts[0];
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char c : {'-', 'g', 'A', '0', '8', 'c', '_'}) {
      std::string t = valid;
      t[i] = c;
      texts.push_back(t);
    }
  }
  for (const std::string& text : texts) {
    absl::StatusOr<stix::StixId> id = stix::ParseId(text);
    std::string_view type = IdentifierType(text);
    EXPECT_EQ(!type.empty(), id.ok()) << text;
    if (id.ok()) {
      EXPECT_EQ(type, id->type) << text;
    }
  }
}

}  // namespace
}  // namespace kizuna::stix_internal
