// Kizuna.
#include "kizuna/detect/matcher.h"

#include <gtest/gtest.h>

#include <set>

#include "kizuna/base/strings.h"
#include "kizuna/detect/compiler.h"
#include "test_util.h"

namespace kizuna::detect {
namespace {

std::string Id(size_t n) {
  std::string digits = std::to_string(n);
  return StrCat("indicator--00000000-0000-4000-8000-", std::string(12 - digits.size(), '0'),
                digits);
}

// A snapshot of `patterns` (indicator i has pattern i) and the reference PatternSet.
struct Compiled {
  std::shared_ptr<const Snapshot> snapshot;
  std::unique_ptr<const pattern::PatternSet> reference;
};

Compiled Compile(const std::vector<std::string>& patterns) {
  CompileOptions options;
  options.now_us = 1;
  IndicatorCompiler c(options);
  pattern::PatternSet::Builder reference;
  for (size_t i = 0; i < patterns.size(); ++i) {
    c.AddPattern(Id(i), patterns[i]);
    auto p = pattern::Pattern::Compile(patterns[i]);
    EXPECT_TRUE(p.ok()) << patterns[i] << ": " << p.status();
    reference.Add(std::move(*p));
  }
  auto s = std::move(c).Finish();
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(c.report().invalid, 0);
  return {*s, std::move(reference).Build()};
}

std::set<std::pair<uint32_t, uint32_t>> Pairs(const std::vector<Match>& matches) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  for (const Match& m : matches) out.insert({m.record, m.indicator});
  return out;
}

const std::vector<std::string> kPatterns = {
    "[ipv4-addr:value = '198.51.100.7']",                                   // 0
    "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",                          // 1
    "[ipv6-addr:value ISSUBSET '2001:db8::/32']",                           // 2
    "[domain-name:value = 'evil.example']",                                 // 3
    "[domain-name:value LIKE '%.bad.example']",                             // 4
    "[url:value = 'http://evil.example/x.php']",                            // 5
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",               // 6
    "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 8443]",  // 7
    "[domain-name:value MATCHES '^c2-[0-9]+\\\\.example$']",                // 8
    "[domain-name:value = 'evil.example' OR ipv4-addr:value = '192.0.2.99']",  // 9
    "[x509-certificate:serial_number = '0a1b2c']",                          // 10
    "[email-addr:value = 'phish@bad.example']",                             // 11
    "[ipv4-addr:value = '198.51.100.7']",                                   // 12 (same key as 0)
    "[domain-name:value != 'x.example']",                                   // 13 (evaluator)
};

RecordBatch PlantedBatch() {
  RecordBatch b;
  AddRecord(b, "conn", {{Role::kSrcIp, "10.0.0.1"}, {Role::kDstIp, "198.51.100.7"},
                        {Role::kDstPort, "80"}});                                   // 0
  AddRecord(b, "conn", {{Role::kSrcIp, "203.0.113.200"}, {Role::kDstIp, "10.0.0.2"}});  // 1
  AddRecord(b, "conn", {{Role::kSrcIp, "2001:db8::1"}, {Role::kDstIp, "::1"}});   // 2
  AddRecord(b, "dns", {{Role::kDomain, "evil.example"}});                          // 3
  AddRecord(b, "dns", {{Role::kDomain, "a.b.bad.example"}, {Role::kHost, "192.0.2.99"}});  // 4
  AddRecord(b, "http", {{Role::kHttpHost, "evil.example"}, {Role::kHttpUri, "/x.php"}});  // 5
  AddRecord(b, "files", {{Role::kMd5, "d41d8cd98f00b204e9800998ecf8427e"}});      // 6
  AddRecord(b, "conn", {{Role::kDstIp, "192.0.2.1"}, {Role::kDstPort, "8443"}});   // 7
  AddRecord(b, "conn", {{Role::kDstIp, "192.0.2.1"}, {Role::kDstPort, "443"}});    // 8
  AddRecord(b, "dns", {{Role::kDomain, "c2-17.example"}});                         // 9
  AddRecord(b, "x509", {{Role::kX509Serial, "0a1b2c"}});                           // 10
  AddRecord(b, "smtp", {{Role::kEmail, "Mallory <phish@bad.example>"}});           // 11
  AddRecord(b, "dns", {{Role::kDomain, "bad.example"}});                           // 12
  return b;
}

TEST(MatcherTest, PlantedIndicatorsGiveTheExpectedAlerts) {
  Compiled c = Compile(kPatterns);
  RecordBatch batch = PlantedBatch();
  BatchMatcher matcher;
  std::vector<Match> out;
  ASSERT_TRUE(matcher.MatchBatch(*c.snapshot, batch, out).ok());
  std::set<std::pair<uint32_t, uint32_t>> want = {
      {0, 0}, {0, 12},            // one value, two indicators
      {1, 1}, {2, 2}, {3, 3}, {3, 9}, {3, 13},
      {4, 4}, {4, 9}, {4, 13},    // suffix, and the answer address
      {5, 3}, {5, 5}, {5, 9}, {5, 13},  // Host header and composed URL
      {6, 6}, {7, 7}, {9, 8}, {9, 13}, {10, 10}, {11, 11}, {12, 13}};
  EXPECT_EQ(Pairs(out), want);
  for (const Match& m : out) {
    if (m.record == 0 && m.indicator == 0) {
      EXPECT_FALSE(m.evaluated);
      EXPECT_EQ(m.slot, Slot::kIpv4);
      EXPECT_EQ(m.value, "198.51.100.7");
    }
    if (m.indicator == 8) {
      EXPECT_TRUE(m.evaluated);
    }
  }
}

TEST(MatcherTest, DomainNamesInTelemetryAreComparedInLowerCase) {
  // DNS names are case-insensitive; resolvers and adversaries vary the case (DNS 0x20).
  Compiled c = Compile(kPatterns);
  RecordBatch batch;
  AddRecord(batch, "dns", {{Role::kDomain, "EVIL.Example"}});                      // 0
  AddRecord(batch, "http", {{Role::kHttpHost, "Evil.EXAMPLE:8080"}});              // 1
  AddRecord(batch, "dns", {{Role::kDomain, "X.Bad.EXAMPLE"}});                     // 2
  AddRecord(batch, "ssl", {{Role::kHost, "C2-17.EXAMPLE"}});                       // 3
  AddRecord(batch, "dns", {{Role::kDomain, "X.EXAMPLE"}});                         // 4
  BatchMatcher matcher;
  std::vector<Match> fast, reference;
  ASSERT_TRUE(matcher.MatchBatch(*c.snapshot, batch, fast).ok());
  ASSERT_TRUE(matcher.EvaluateBatch(*c.reference, batch, reference).ok());
  const std::set<std::pair<uint32_t, uint32_t>> want = {
      {0, 3}, {0, 9}, {0, 13}, {1, 3}, {1, 9}, {1, 13}, {2, 4}, {2, 13}, {3, 8}, {3, 13}};
  EXPECT_EQ(Pairs(fast), want);
  EXPECT_EQ(Pairs(reference), want);
  for (const Match& m : fast) {
    if (m.record == 0 && m.indicator == 3) {
      EXPECT_EQ(m.value, "evil.example");
    }
  }
}

TEST(MatcherTest, FastLookupsEqualTheEvaluator) {
  Compiled c = Compile(kPatterns);
  RecordBatch batch = PlantedBatch();
  // More records around the keys: near misses and other spellings.
  AddRecord(batch, "dns", {{Role::kDomain, "EVIL.example"}, {Role::kDomain, "xbad.example"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "198.051.100.7"}, {Role::kSrcIp, "203.0.114.1"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "2001:0db8:0::5"}, {Role::kDstPort, "8443"}});
  AddRecord(batch, "http", {{Role::kUrl, "http://evil.example/x.php"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "192.0.2.1"}, {Role::kDstPort, "08443"}});
  AddRecord(batch, "files", {{Role::kMd5, "D41D8CD98F00B204E9800998ECF8427E"}});
  BatchMatcher matcher;
  std::vector<Match> fast, reference;
  ASSERT_TRUE(matcher.MatchBatch(*c.snapshot, batch, fast).ok());
  ASSERT_TRUE(matcher.EvaluateBatch(*c.reference, batch, reference).ok());
  EXPECT_EQ(Pairs(fast), Pairs(reference));
}

TEST(MatcherTest, DestinationAddressAndPortEqualTheEvaluator) {
  // The destination's address is parsed once for both its own probe and the address-and-port
  // probe; the port only when an indicator needs it.
  Compiled c = Compile({
      "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 8443]",
      "[network-traffic:dst_ref.value = '2001:db8::1' AND network-traffic:dst_port = 53]",
      "[ipv4-addr:value = '192.0.2.1']",
  });
  RecordBatch batch;
  AddRecord(batch, "conn", {{Role::kDstIp, "192.0.2.1"}, {Role::kDstPort, "8443"}});
  AddRecord(batch, "conn", {{Role::kDstPort, "8443"}, {Role::kDstIp, "192.0.2.1"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "192.000.2.1"}, {Role::kDstPort, "8443"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "10.0.0.1"}, {Role::kDstIp, "192.0.2.1"},
                            {Role::kDstPort, "8443"}});  // the first destination counts
  AddRecord(batch, "conn", {{Role::kDstIp, "192.0.2.1"}, {Role::kDstPort, "x"},
                            {Role::kDstPort, "8443"}});  // the first port that parses
  AddRecord(batch, "conn", {{Role::kDstIp, "192.0.2.1"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "2001:db8::1"}, {Role::kDstPort, "53"}});
  AddRecord(batch, "conn", {{Role::kDstIp, "2001:db8::1"}, {Role::kDstPort, "54"}});
  BatchMatcher matcher;
  std::vector<Match> fast, reference;
  ASSERT_TRUE(matcher.MatchBatch(*c.snapshot, batch, fast).ok());
  ASSERT_TRUE(matcher.EvaluateBatch(*c.reference, batch, reference).ok());
  EXPECT_EQ(Pairs(fast), Pairs(reference));
  const std::set<std::pair<uint32_t, uint32_t>> expected = {
      {0, 0}, {0, 2}, {1, 0}, {1, 2}, {3, 2}, {4, 0}, {4, 2}, {5, 2}, {6, 1}};
  EXPECT_EQ(Pairs(fast), expected);
}

TEST(MatcherTest, RandomDifferential) {
  // Values drawn from a small pool so that hits are frequent.
  const std::vector<std::string> ips = {"198.51.100.7", "203.0.113.9", "192.0.2.1", "10.1.1.1",
                                        "2001:db8::7", "fe80::1", "192.0.2.99"};
  const std::vector<std::string> names = {"evil.example", "x.bad.example", "bad.example",
                                          "c2-1.example", "ok.example", "x.example"};
  const std::vector<std::string> ports = {"80", "8443", "443"};
  Compiled c = Compile(kPatterns);
  RecordBatch batch;
  uint64_t seed = 42;
  auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  for (int i = 0; i < 500; ++i) {
    AddRecord(batch, "mixed", {{Role::kSrcIp, ips[next(ips.size())]},
                               {Role::kDstIp, ips[next(ips.size())]},
                               {Role::kDstPort, ports[next(ports.size())]},
                               {Role::kDomain, names[next(names.size())]},
                               {Role::kHost, next(2) ? ips[next(ips.size())] : names[next(names.size())]}});
  }
  BatchMatcher matcher;
  std::vector<Match> fast, reference;
  ASSERT_TRUE(matcher.MatchBatch(*c.snapshot, batch, fast).ok());
  ASSERT_TRUE(matcher.EvaluateBatch(*c.reference, batch, reference).ok());
  EXPECT_FALSE(fast.empty());
  EXPECT_EQ(Pairs(fast), Pairs(reference));
}

}  // namespace
}  // namespace kizuna::detect
