// Kizuna.
#include "kizuna/taxii/query.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

TEST(QueryTest, ParsesEveryFilter) {
  auto q = ParseQuery("added_after=2016-01-01T00:00:00.000000Z&limit=50&match%5Bid%5D=a--1,b--2"
                      "&match[type]=indicator,malware&match[version]=first,2016-01-01T00:00:00Z"
                      "&match[spec_version]=2.0,2.1&next=tok",
                      Endpoint::kObjects, {});
  ASSERT_TRUE(q.ok()) << q.status();
  const store::ObjectFilter& f = q->page.filter;
  EXPECT_EQ(*f.added_after_us, 1451606400000000);
  EXPECT_EQ(q->page.limit, 50u);
  EXPECT_EQ(f.ids, (std::vector<std::string>{"a--1", "b--2"}));
  EXPECT_EQ(f.types, (std::vector<std::string>{"indicator", "malware"}));
  EXPECT_TRUE(f.versions.first);
  EXPECT_FALSE(f.versions.last);
  EXPECT_EQ(f.versions.exact_ns, (std::vector<int64_t>{1451606400000000000}));
  EXPECT_EQ(f.spec_versions.size(), 2u);
  EXPECT_EQ(q->next, "tok");
}

TEST(QueryTest, DefaultsPerEndpoint) {
  EXPECT_TRUE(ParseQuery("", Endpoint::kObjects, {})->page.filter.versions.last);
  EXPECT_TRUE(ParseQuery("", Endpoint::kDeleteObject, {})->page.filter.versions.all);
  EXPECT_TRUE(ParseQuery("", Endpoint::kVersions, {})->page.filter.versions.all);
  PageLimits limits;
  limits.default_limit = 7;
  limits.max_limit = 9;
  EXPECT_EQ(ParseQuery("", Endpoint::kObjects, limits)->page.limit, 7u);
  EXPECT_EQ(ParseQuery("limit=100000000000000000000000", Endpoint::kObjects, limits)->page.limit, 9u);
}

TEST(QueryTest, BindingIgnoresLimitAndOrder) {
  auto a = ParseQuery("match[id]=b,a&limit=5", Endpoint::kObjects, {});
  auto b = ParseQuery("limit=9&match[id]=a,b&next=x", Endpoint::kObjects, {});
  EXPECT_EQ(a->binding, b->binding);
  EXPECT_NE(a->binding, ParseQuery("match[id]=a", Endpoint::kObjects, {})->binding);
}

TEST(QueryTest, Errors) {
  struct Case { const char* query; Endpoint endpoint; const char* message; };
  for (auto c : {Case{"limit=abc", Endpoint::kObjects, "limit: expected a positive integer"},
                 Case{"limit=", Endpoint::kObjects, "limit"},
                 Case{"added_after=1", Endpoint::kObjects, "added_after"},
                 Case{"match[type]=indicator", Endpoint::kObject, "not supported on this endpoint"},
                 Case{"match[id]=a", Endpoint::kVersions, "not supported"},
                 Case{"added_after=2016-01-01T00:00:00Z", Endpoint::kDeleteObject, "not supported"},
                 Case{"match[foo]=1", Endpoint::kObjects, "does not support that filter"},
                 Case{"next=a&next=b", Endpoint::kObjects, "more than once"},
                 Case{"match[id]=", Endpoint::kObjects, "empty"},
                 Case{"match[version]=2016-13-01T00:00:00Z", Endpoint::kObjects, "match[version]"},
                 Case{"match[spec_version]=2.2", Endpoint::kObjects, "expected 2.0 or 2.1"},
                 Case{"match%ZZ=1", Endpoint::kObjects, "percent escape"},
                 Case{"match[type]=a%", Endpoint::kObjects, "percent escape"}}) {
    auto q = ParseQuery(c.query, c.endpoint, {});
    ASSERT_FALSE(q.ok()) << c.query;
    EXPECT_NE(q.status().message().find(c.message), std::string::npos) << c.query << ": " << q.status();
  }
  PageLimits few;
  few.max_match_values = 2;
  EXPECT_FALSE(ParseQuery("match[id]=a,b,c", Endpoint::kObjects, few).ok());
}

}  // namespace
}  // namespace kizuna::taxii
