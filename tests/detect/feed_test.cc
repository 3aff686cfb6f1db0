// Kizuna.
#include "kizuna/detect/feed.h"

#include <gtest/gtest.h>

#include "kizuna/detect/compiler.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::detect {
namespace {

TEST(FeedTest, EachKindOfValueGetsItsPattern) {
  EXPECT_EQ(FeedPattern("Evil.Example"), "[domain-name:value = 'evil.example']");
  EXPECT_EQ(FeedPattern("198.51.100.7"), "[ipv4-addr:value = '198.51.100.7']");
  EXPECT_EQ(FeedPattern("203.0.113.0/24"), "[ipv4-addr:value ISSUBSET '203.0.113.0/24']");
  EXPECT_EQ(FeedPattern("2001:db8::1"), "[ipv6-addr:value = '2001:db8::1']");
  EXPECT_EQ(FeedPattern("2001:db8::/32"), "[ipv6-addr:value ISSUBSET '2001:db8::/32']");
  EXPECT_EQ(FeedPattern("192.0.2.1:8443"),
            "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 8443]");
  EXPECT_EQ(FeedPattern("evil.example/gate.php"),
            "[url:value = 'http://evil.example/gate.php' OR url:value = "
            "'https://evil.example/gate.php']");
  EXPECT_EQ(FeedPattern("https://evil.example/a'b"), "[url:value = 'https://evil.example/a\\'b']");
  EXPECT_EQ(FeedPattern("/add_outstuk.php"),
            "[network-traffic:extensions.'http-request-ext'.request_value = '/add_outstuk.php']");
  EXPECT_EQ(FeedPattern("D41D8CD98F00B204E9800998ECF8427E"),
            "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
  EXPECT_EQ(FeedPattern("phish@bad.example"), "[email-addr:value = 'phish@bad.example']");
  EXPECT_EQ(FeedPattern("not a value"), "");
  EXPECT_EQ(FeedPattern("localhost"), "");
}

TEST(FeedTest, EveryPatternIsValidAndSimple) {
  for (const char* v : {"evil.example", "198.51.100.7", "203.0.113.0/24", "2001:db8::/32",
                        "192.0.2.1:8443", "evil.example/gate.php", "/x.php",
                        "d41d8cd98f00b204e9800998ecf8427e", "phish@bad.example",
                        "evil.example:8080"}) {
    const std::string p = FeedPattern(v);
    auto compiled = pattern::Pattern::Compile(p);
    ASSERT_TRUE(compiled.ok()) << v << ": " << p << ": " << compiled.status();
  }
}

TEST(FeedTest, LinesBecomeIndicatorsWithDeterministicIds) {
  FeedOptions o;
  o.family = "emotet";
  o.time_us = 1700000000LL * 1000000;
  o.origin = "emotet.txt";
  o.created_by_ref = "identity--00000000-0000-4000-8000-000000000001";
  const std::string text =
      "# comment\n\nevil.example # C2\n198.51.100.7\nnot a value\nEVIL.example\n";
  auto a = ConvertFeed(text, o);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->values, 4);
  EXPECT_EQ(a->indicators, 2);
  EXPECT_EQ(a->skipped, 1);
  EXPECT_EQ(a->duplicates, 1);
  ASSERT_EQ(a->problems.size(), 1u);
  EXPECT_EQ(a->problems[0].line, 5);
  EXPECT_EQ(a->problems[0].reason, "no pattern fits 'not a value'");
  auto b = ConvertFeed(text, o);
  EXPECT_EQ(a->jsonl, b->jsonl);
  EXPECT_NE(a->jsonl.find(R"("labels":["emotet"])"), std::string::npos);
  EXPECT_NE(a->jsonl.find(R"("created_by_ref":"identity--00000000-0000-4000-8000-000000000001")"),
            std::string::npos);
  // The objects compile as active indicators.
  CompileOptions co;
  co.now_us = o.time_us + 1;
  IndicatorCompiler c(co);
  size_t start = 0;
  while (start < a->jsonl.size()) {
    const size_t nl = a->jsonl.find('\n', start);
    c.AddObject(std::string_view(a->jsonl).substr(start, nl - start));
    start = nl + 1;
  }
  ASSERT_TRUE(std::move(c).Finish().ok());
  EXPECT_EQ(c.report().active, 2);
  EXPECT_EQ(c.report().simple, 2);
}

TEST(FeedTest, CsvNamesItsColumns) {
  FeedOptions o;
  o.format = FeedFormat::kCsv;
  o.family = "file";
  o.origin = "x.csv";
  auto r = ConvertFeed("family,value,comment\nqakbot,\"evil.example\",\"a, b\"\n,198.51.100.7,\n", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->indicators, 2);
  EXPECT_NE(r->jsonl.find(R"("name":"qakbot: evil.example")"), std::string::npos);
  EXPECT_NE(r->jsonl.find(R"("name":"file: 198.51.100.7")"), std::string::npos);
  auto bad = ConvertFeed("a,b\n1,2\n", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "x.csv:1: no 'value' column in the CSV header");
}

}  // namespace
}  // namespace kizuna::detect
