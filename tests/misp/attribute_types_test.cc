// Kizuna.
#include "kizuna/misp/attribute_types.h"

#include <gtest/gtest.h>

#include "kizuna/stix/sco_id.h"

namespace kizuna::misp {
namespace {

TEST(AttributeTypesTest, SimpleTypesHaveAPatternAndAnObservable) {
  StixForm ip = StixFormOf("ip-dst", "198.51.100.7");
  EXPECT_EQ(ip.pattern, "[ipv4-addr:value = '198.51.100.7']");
  EXPECT_EQ(ip.sco_id, stix::ScoIdFromValue("ipv4-addr", "198.51.100.7"));
  EXPECT_EQ(ip.sco_json, "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"" + ip.sco_id +
                             "\",\"value\":\"198.51.100.7\"}");
  EXPECT_EQ(StixFormOf("ip-src", "2001:db8::1").pattern, "[ipv6-addr:value = '2001:db8::1']");
  EXPECT_EQ(StixFormOf("hostname", "a.example").sco_id,
            stix::ScoIdFromValue("domain-name", "a.example"));
  EXPECT_EQ(StixFormOf("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709").pattern,
            "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
  EXPECT_EQ(StixFormOf("md5", "d41d8cd98f00b204e9800998ecf8427e").pattern,
            "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
  EXPECT_EQ(StixFormOf("AS", "AS64496").pattern, "[autonomous-system:number = 64496]");
}

TEST(AttributeTypesTest, BlocksAndCompositesArePatternsOnly) {
  StixForm block = StixFormOf("ip-src", "203.0.113.0/24");
  EXPECT_EQ(block.pattern, "[ipv4-addr:value ISSUBSET '203.0.113.0/24']");
  EXPECT_TRUE(block.sco_id.empty());
  StixForm port = StixFormOf("ip-dst|port", "198.51.100.7|8443");
  EXPECT_EQ(port.pattern,
            "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 8443]");
  EXPECT_TRUE(port.sco_id.empty());
  StixForm file = StixFormOf("filename|md5", "a.exe|d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(file.pattern,
            "[file:name = 'a.exe' AND file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
  EXPECT_FALSE(file.sco_id.empty());
  EXPECT_NE(file.sco_json.find("\"name\":\"a.exe\""), std::string::npos);
}

TEST(AttributeTypesTest, ValuesTheObservableCannotHoldHaveNeither) {
  for (auto [type, value] :
       std::vector<std::pair<std::string, std::string>>{{"ip-dst", "not an address"},
                                                        {"ip-dst", "10.0.0.0/33"},
                                                        {"AS", "ASX"},
                                                        {"ip-dst|port", "1.2.3.4|70000"},
                                                        {"domain", ""},
                                                        {"text", "free text"},
                                                        {"filename|md5", "no bar"}}) {
    StixForm f = StixFormOf(type, value);
    EXPECT_TRUE(f.pattern.empty()) << type << " " << value;
    EXPECT_TRUE(f.sco_id.empty()) << type << " " << value;
    EXPECT_FALSE(f.reason.empty()) << type << " " << value;
  }
}

TEST(AttributeTypesTest, PatternStringsEscapeQuotesAndBackslashes) {
  EXPECT_EQ(PatternString("o'brien\\x"), "'o\\'brien\\\\x'");
  EXPECT_EQ(StixFormOf("url", "http://a/'").pattern, "[url:value = 'http://a/\\'']");
}

TEST(AttributeTypesTest, SimplePatternsAndObservablesGiveTheirTypeBack) {
  for (auto [type, value] : std::vector<std::pair<std::string, std::string>>{
           {"ip-dst", "198.51.100.7"},
           {"domain", "a.example"},
           {"url", "http://a.example/x"},
           {"sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
           {"email-src", "a@b.example"},
           {"filename", "x.exe"}}) {
    std::optional<NativeAttribute> a = AttributeOfPattern(StixFormOf(type, value).pattern);
    ASSERT_TRUE(a.has_value()) << type;
    EXPECT_EQ(a->type, type);
    EXPECT_EQ(a->value, value);
    auto sco = boost::json::parse(StixFormOf(type, value).sco_json).as_object();
    std::optional<NativeAttribute> o = AttributeOfObservable(sco);
    ASSERT_TRUE(o.has_value()) << type;
    EXPECT_EQ(o->type, type);
    EXPECT_EQ(o->value, value);
  }
  EXPECT_FALSE(AttributeOfPattern("[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']")
                   .has_value());
  EXPECT_FALSE(AttributeOfPattern("[x-thing:value = 'a']").has_value());
  EXPECT_FALSE(
      AttributeOfObservable(boost::json::object{{"type", "software"}, {"name", "x"}}).has_value());
}

}  // namespace
}  // namespace kizuna::misp
