// Kizuna.
#include "kizuna/detect/readers/json_paths.h"

#include <gtest/gtest.h>

namespace kizuna::detect {
namespace {

TEST(JsonPathsTest, MappedPathsHaveRolesAndTheirPrefixesLeadToThem) {
  JsonPaths paths("dns", nullptr, &EveFieldMap());
  const JsonPath* rdata = paths.Find("dns.answers.rdata");
  ASSERT_NE(rdata, nullptr);
  EXPECT_EQ(rdata->role, Role::kHost);
  EXPECT_EQ(paths.names()[rdata->field], "dns.answers.rdata");
  for (const char* prefix : {"dns", "dns.answers"}) {
    const JsonPath* p = paths.Find(prefix);
    ASSERT_NE(p, nullptr) << prefix;
    EXPECT_EQ(p->role, Role::kNone);
    EXPECT_TRUE(p->descend);
  }
  ASSERT_NE(paths.Find("src_ip"), nullptr);  // from the "*" entries
  EXPECT_EQ(paths.Find("src_ip")->role, Role::kSrcIp);
  EXPECT_FALSE(paths.Find("src_ip")->descend);
  EXPECT_EQ(paths.Find("flow_id"), nullptr);
  EXPECT_EQ(paths.Find("app_proto"), nullptr);  // mapped to no role
  EXPECT_EQ(paths.Find("tls.sni")->role, Role::kDomain);
  // Steps from a node: the nested form and the dotted key are one path.
  EXPECT_EQ(paths.Child(paths.Find("dns")->node, "answers.rdata"), rdata);
  EXPECT_EQ(paths.Child(paths.Find("dns.answers")->node, "rdata"), rdata);
  EXPECT_EQ(paths.Child(JsonPaths::kRoot, "answers"), nullptr);
  EXPECT_EQ(paths.Find("dns.answers.rdata.x"), nullptr);
}

TEST(JsonPathsTest, TheUserMapComesFirstAndJsonLinesHaveNoBuiltInMap) {
  FieldMap user;
  ASSERT_TRUE(user.Parse("dns  dns.rrname  url:value\nproxy  req.url  url:value\n", "m").ok());
  JsonPaths dns("dns", &user, &EveFieldMap());
  EXPECT_EQ(dns.Find("dns.rrname")->role, Role::kUrl);
  EXPECT_EQ(dns.Find("dest_ip")->role, Role::kDstIp);
  JsonPaths proxy("proxy", &user, nullptr);
  EXPECT_EQ(proxy.Find("req.url")->role, Role::kUrl);
  EXPECT_TRUE(proxy.Find("req")->descend);
  EXPECT_EQ(proxy.Find("dest_ip"), nullptr);
  EXPECT_EQ(proxy.names(), std::vector<std::string>{"req.url"});
}

TEST(JsonPathsTest, ZeekDottedNamesAreAlsoPrefixes) {
  JsonPaths conn("conn", nullptr, &ZeekFieldMap());
  EXPECT_EQ(conn.Find("id.orig_h")->role, Role::kSrcIp);
  EXPECT_TRUE(conn.Find("id")->descend);
  EXPECT_EQ(conn.Find("query"), nullptr);  // dns only
}

}  // namespace
}  // namespace kizuna::detect
