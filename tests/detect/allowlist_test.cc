// Kizuna.
#include "kizuna/detect/allowlist.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kizuna/detect/compiler.h"

namespace kizuna::detect {
namespace {

SimpleKey Domain(std::string text) {
  SimpleKey k;
  k.kind = SimpleKey::Kind::kString;
  k.slot = Slot::kDomain;
  k.text = std::move(text);
  return k;
}

SimpleKey Ipv4(std::string_view text) {
  SimpleKey k;
  k.kind = SimpleKey::Kind::kIpv4;
  k.slot = Slot::kIpv4;
  k.v4 = *ParseIpv4(text);
  return k;
}

std::string Name(const std::string* name) { return name == nullptr ? "(none)" : *name; }

TEST(AllowlistTest, MispListTypes) {
  Allowlist a;
  ASSERT_TRUE(a.AddMispList(R"({"name":"private","type":"cidr","matching_attributes":["ip-dst"],
                                "list":["10.0.0.0/8","192.168.0.0/16"]})", "private.json").ok());
  ASSERT_TRUE(a.AddMispList(R"({"name":"popular","type":"hostname","matching_attributes":["domain"],
                                "list":["example.org",".example.net"]})", "popular.json").ok());
  ASSERT_TRUE(a.AddMispList(R"({"name":"exact","type":"string","matching_attributes":["hostname"],
                                "list":["exact.example"]})", "exact.json").ok());
  ASSERT_TRUE(a.AddMispList(R"({"name":"sub","type":"substring","matching_attributes":["domain"],
                                "list":["sinkhole"]})", "sub.json").ok());
  ASSERT_TRUE(a.AddMispList(R"({"name":"re","type":"regex","matching_attributes":["domain"],
                                "list":["/^ntp[0-9]+\\./i"]})", "re.json").ok());
  ASSERT_TRUE(a.AddMispList(R"({"name":"hashes","type":"string","matching_attributes":["md5"],
                                "list":["d41d8cd98f00b204e9800998ecf8427e"]})", "h.json").ok());
  a.Finish();
  EXPECT_EQ(Name(a.Allows(Ipv4("10.1.2.3"))), "private");
  EXPECT_EQ(Name(a.Allows(Ipv4("11.1.2.3"))), "(none)");
  EXPECT_EQ(Name(a.Allows(Domain("www.example.org"))), "popular");
  EXPECT_EQ(Name(a.Allows(Domain("EXAMPLE.NET"))), "popular");
  EXPECT_EQ(Name(a.Allows(Domain("example.com"))), "(none)");
  EXPECT_EQ(Name(a.Allows(Domain("exact.example"))), "exact");
  EXPECT_EQ(Name(a.Allows(Domain("a.exact.example"))), "(none)");
  EXPECT_EQ(Name(a.Allows(Domain("x.sinkhole.example"))), "sub");
  EXPECT_EQ(Name(a.Allows(Domain("NTP7.pool.example"))), "re");
  SimpleKey md5;
  md5.slot = Slot::kFileMd5;
  md5.text = "d41d8cd98f00b204e9800998ecf8427e";
  EXPECT_EQ(Name(a.Allows(md5)), "hashes");
  // A domain list does not cover hashes, nor a hash list domains.
  EXPECT_EQ(Name(a.Allows(Domain("d41d8cd98f00b204e9800998ecf8427e"))), "(none)");
}

TEST(AllowlistTest, MalformedMispListNamesTheFile) {
  Allowlist a;
  absl::Status st = a.AddMispList(R"({"name":"x","type":"cidr"})", "lists/x/list.json");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("lists/x/list.json"), absl::string_view::npos) << st;
}

TEST(AllowlistTest, RealWarninglistsSuppressAndReport) {
  const std::string dir = KIZUNA_SHARED_DATA "/warninglists/lists";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is absent";
  Allowlist a;
  ASSERT_TRUE(a.Load(dir + "/rfc1918").ok());
  ASSERT_TRUE(a.Load(dir + "/public-dns-v4/list.json").ok());
  a.Finish();
  EXPECT_EQ(a.list_count(), 2u);
  CompileOptions o;
  o.now_us = 1;
  o.allowlist = &a;
  IndicatorCompiler c(o);
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000001", "[ipv4-addr:value = '10.47.1.100']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000002", "[ipv4-addr:value = '1.0.0.1']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000003", "[ipv4-addr:value = '198.51.100.7']");
  auto s = std::move(c).Finish();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(c.report().suppressed, 2);
  EXPECT_EQ((*s)->indicator_count(), 1u);
  ASSERT_EQ(c.report().suppressions.size(), 2u);
  EXPECT_EQ(c.report().suppressions[0].list, "List of RFC 1918 CIDR blocks");
  EXPECT_EQ(c.report().suppressions[1].list, "List of known IPv4 public DNS resolvers");
}

}  // namespace
}  // namespace kizuna::detect
