// Kizuna.
#include "kizuna/detect/compiler.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/detect/matcher.h"
#include "test_util.h"

namespace kizuna::detect {
namespace {

constexpr int64_t kNow = 1700000000LL * 1000000;  // 2023-11-14T22:13:20Z

std::string Indicator(int n, std::string_view pattern, std::string_view extra = "") {
  return StrCat(R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)",
                std::string(12 - std::to_string(n).size(), '0'), n,
                R"(","created":"2023-01-01T00:00:00Z","modified":"2023-01-01T00:00:00Z",)",
                R"("pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z","pattern":")",
                pattern, "\"", extra, "}");
}

// Replaces the first `from` in `text` by `to`.
std::string Replace(std::string text, std::string_view from, std::string_view to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

CompileOptions Options() {
  CompileOptions o;
  o.now_us = kNow;
  return o;
}

TEST(CompilerTest, SelectsActiveIndicators) {
  IndicatorCompiler c(Options());
  c.AddObject(Indicator(1, "[domain-name:value = 'a.example']"));
  c.AddObject(Indicator(2, "[domain-name:value = 'b.example']", R"(,"revoked":true)"));
  c.AddObject(Indicator(3, "[domain-name:value = 'c.example']",
                        R"(,"valid_until":"2023-06-01T00:00:00Z")"));
  // valid_from later than now: replace the field by a later one.
  c.AddObject(Replace(Indicator(4, "[domain-name:value = 'd.example']"), "\"valid_from\":\"2023",
                      "\"valid_from\":\"2030"));
  c.AddObject(Replace(Indicator(5, "title: x"), "\"pattern_type\":\"stix\"",
                      "\"pattern_type\":\"sigma\""));
  c.AddObject(Indicator(6, "[domain-name:value = ]"));  // invalid pattern
  c.AddObject(R"({"type":"identity","id":"identity--00000000-0000-4000-8000-000000000001"})");
  c.AddObject("not json", "input:7");
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = std::move(c).Finish();
  ASSERT_TRUE(s.ok()) << s.status();
  const CompileReport& r = c.report();
  EXPECT_EQ(r.objects, 7);
  EXPECT_EQ(r.active, 1);
  EXPECT_EQ(r.revoked, 1);
  EXPECT_EQ(r.expired, 1);
  EXPECT_EQ(r.not_yet_valid, 1);
  EXPECT_EQ(r.other_pattern_type, 1);
  EXPECT_EQ(r.invalid, 2);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].id, "input:7");
  EXPECT_EQ(r.problems[1].id, "indicator--00000000-0000-4000-8000-000000000006");
  EXPECT_NE(r.problems[1].reason.find("pattern"), std::string::npos);
  EXPECT_EQ((*s)->indicator_count(), 1u);
  EXPECT_EQ((*s)->IndicatorId(0), "indicator--00000000-0000-4000-8000-000000000001");
  // The valid_from of indicator 4 is the next change.
  EXPECT_EQ((*s)->next_change_us(), 1893456000LL * 1000000);
}

// docs/security.md rule 6: exercise indicators never alert on production telemetry; they are
// compiled only for exercise matching. Issue 23, item 3.
TEST(CompilerTest, ExerciseIndicatorsCompileOnlyForExercises) {
  const std::string marked = Indicator(
      2, "[domain-name:value = 'x.example']",
      R"(,"object_marking_refs":["marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618"])");
  const std::string granular = Indicator(
      3, "[domain-name:value = 'y.example']",
      R"(,"granular_markings":[{"marking_ref":"marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618","selectors":["pattern"]}])");
  for (bool exercise : {false, true}) {
    CompileOptions options = Options();
    options.exercise = exercise;
    IndicatorCompiler c(options);
    c.AddObject(Indicator(1, "[domain-name:value = 'a.example']"));
    c.AddObject(marked);
    c.AddObject(granular);
    absl::StatusOr<std::shared_ptr<const Snapshot>> s = std::move(c).Finish();
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(c.report().exercise, exercise ? 0 : 2);
    EXPECT_EQ(c.report().active, exercise ? 3 : 1);
    EXPECT_EQ((*s)->indicator_count(), exercise ? 3u : 1u);
  }
}

TEST(CompilerTest, LatestVersionWins) {
  IndicatorCompiler c(Options());
  std::string v1 = Indicator(1, "[domain-name:value = 'old.example']");
  std::string v2 = Replace(Indicator(1, "[domain-name:value = 'new.example']", R"(,"revoked":true)"),
                           "\"modified\":\"2023", "\"modified\":\"2024");
  c.AddObject(v2);
  c.AddObject(v1);
  ASSERT_TRUE(std::move(c).Finish().ok());
  EXPECT_EQ(c.report().duplicates, 1);
  EXPECT_EQ(c.report().revoked, 1);
  EXPECT_EQ(c.report().active, 0);
}

TEST(CompilerTest, ClassifiesSimpleEvaluatedAndMulti) {
  IndicatorCompiler c(Options());
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000001",
               "[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value ISSUBSET '203.0.113.0/24']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000002",
               "[domain-name:value MATCHES '^ev[a-z]+\\\\.example$']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000003",
               "[domain-name:value = 'a.example'] AND [domain-name:value = 'b.example']");
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = std::move(c).Finish();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(c.report().simple, 1);
  EXPECT_EQ(c.report().evaluated, 1);
  EXPECT_EQ(c.report().multi, 1);
  EXPECT_EQ((*s)->stats().keys, 2u);
  EXPECT_GT(c.report().lookup_bytes, 0u);
}

TEST(CompilerTest, AllowlistSuppressesKeysAndReportsTheList) {
  Allowlist allow;
  allow.AddPlainList("# resolvers\n8.8.8.8\nexample.org\n", "benign.txt");
  allow.Finish();
  CompileOptions o = Options();
  o.allowlist = &allow;
  IndicatorCompiler c(o);
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000001", "[ipv4-addr:value = '8.8.8.8']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000002",
               "[domain-name:value = 'www.example.org' OR domain-name:value = 'evil.example']");
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = std::move(c).Finish();
  ASSERT_TRUE(s.ok()) << s.status();
  const CompileReport& r = c.report();
  EXPECT_EQ(r.suppressed, 1);
  EXPECT_EQ(r.suppressed_keys, 2);
  EXPECT_EQ(r.suppressed_by_list.at("benign.txt"), 2);
  ASSERT_EQ(r.suppressions.size(), 2u);
  EXPECT_EQ(r.suppressions[0].value, "8.8.8.8");
  EXPECT_EQ(r.suppressions[1].value, "www.example.org");
  EXPECT_EQ((*s)->indicator_count(), 1u);
  EXPECT_EQ((*s)->stats().keys, 1u);
}

}  // namespace
}  // namespace kizuna::detect

namespace kizuna::detect {
namespace {

// Finish() parses on several threads in chunks; the snapshot and report must not show it.
TEST(CompilerTest, ThreadsDoNotChangeTheResult) {
  std::vector<std::string> patterns;
  for (int i = 0; i < 20000; ++i) {
    switch (i % 5) {
      case 0: patterns.push_back(StrCat("[domain-name:value = 'h", i, ".example']")); break;
      case 1: patterns.push_back(StrCat("[ipv4-addr:value IN ('10.0.", i % 256, ".1', '10.1.0.", i % 256, "')]")); break;
      case 2: patterns.push_back(StrCat("[domain-name:value MATCHES '^h", i, "']")); break;  // evaluator
      case 3: patterns.push_back(StrCat("[file:hashes.MD5 = 'bad", i, "']")); break;         // invalid
      default: patterns.push_back(StrCat("[url:value = 'http://u", i, ".example/'] OR [x:y = 1]"));
    }
  }
  CompileReport reports[2];
  Snapshot::Stats stats[2];
  for (int threads : {1, 2}) {
    CompileOptions o = Options();
    o.threads = threads;
    IndicatorCompiler c(o);
    for (size_t i = 0; i < patterns.size(); ++i) {
      c.AddPattern(StrCat("indicator--00000000-0000-4000-8000-", std::string(12 - std::to_string(i + 1).size(), '0'), i + 1),
                   patterns[i]);
    }
    auto snapshot = std::move(c).Finish();
    ASSERT_TRUE(snapshot.ok());
    reports[threads - 1] = c.report();
    stats[threads - 1] = (*snapshot)->stats();
  }
  EXPECT_EQ(reports[0].active, 16000);
  EXPECT_EQ(reports[0].simple, 8000);
  EXPECT_EQ(reports[0].invalid, 4000);
  for (const CompileReport* r : {&reports[1]}) {
    EXPECT_EQ(r->active, reports[0].active);
    EXPECT_EQ(r->simple, reports[0].simple);
    EXPECT_EQ(r->evaluated, reports[0].evaluated);
    EXPECT_EQ(r->invalid, reports[0].invalid);
    ASSERT_EQ(r->problems.size(), reports[0].problems.size());
    for (size_t i = 0; i < r->problems.size(); ++i) {
      EXPECT_EQ(r->problems[i].id, reports[0].problems[i].id);
      EXPECT_EQ(r->problems[i].reason, reports[0].problems[i].reason);
    }
  }
  EXPECT_EQ(stats[1].keys, stats[0].keys);
  EXPECT_EQ(stats[1].lookup_bytes, stats[0].lookup_bytes);
  EXPECT_EQ(stats[1].evaluated, stats[0].evaluated);
}

}  // namespace
}  // namespace kizuna::detect

namespace kizuna::detect {
namespace {

// AddPattern: a later version of an id replaces the earlier one in its first place, whatever
// the order of the others.
TEST(CompilerTest, LaterPatternOfAnIdWinsInItsFirstPlace) {
  IndicatorCompiler c(Options());
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000001", "[domain-name:value = 'a.example']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000002", "[domain-name:value = 'b.example']");
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000001", "[domain-name:value = 'c.example']");
  auto s = std::move(c).Finish();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(c.report().duplicates, 1);
  ASSERT_EQ((*s)->indicator_count(), 2u);
  EXPECT_EQ((*s)->IndicatorId(0), "indicator--00000000-0000-4000-8000-000000000001");
  RecordBatch batch;
  AddRecord(batch, "dns", {{Role::kDomain, "a.example"}});
  AddRecord(batch, "dns", {{Role::kDomain, "c.example"}});
  BatchMatcher m;
  std::vector<Match> out;
  ASSERT_TRUE(m.MatchBatch(**s, batch, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record, 1u);
  EXPECT_EQ(out[0].indicator, 0u);
}

}  // namespace
}  // namespace kizuna::detect
