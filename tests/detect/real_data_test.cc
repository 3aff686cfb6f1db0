// Kizuna. Real feeds against real telemetry (../shared/data; skipped when absent): maltrail's
// suspicious and mass-scanner trails, converted to STIX indicators, matched against the Zeek
// dns and ssl logs, and every hit checked against the pattern evaluator.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "kizuna/base/file.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/feed.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/readers/reader.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

namespace fs = std::filesystem;
const std::string kShared = KIZUNA_SHARED_DATA;

// Converts the trails (domains as names and subdomains, or with `exact_domains` as names
// only), matches the logs, and compares with the evaluator on batches with a hit, at most
// `max_hit_batches` of them (and, for exact domains, on the first records). The evaluator has
// no index for LIKE: it runs each of the 60,000 subdomain patterns on every name, so that
// run compares one batch; the exact run compares every batch with a hit.
void MatchTrails(bool exact_domains, int max_hit_batches) {
  const std::string trails = kShared + "/indicators/maltrail";
  const std::string zeek = kShared + "/zeek/tsv";
  ASSERT_TRUE(fs::exists(trails) && fs::exists(zeek));
  std::vector<std::string> files = {trails + "/mass_scanner.txt"};
  for (const auto& e : fs::directory_iterator(trails + "/suspicious")) files.push_back(e.path());
  std::sort(files.begin(), files.end());

  CompileOptions options;
  options.now_us = 1;
  IndicatorCompiler compiler(options);
  std::map<std::string, std::string> pattern_of;  // id -> pattern
  int64_t values = 0;
  simdjson::dom::parser parser;
  for (const std::string& file : files) {
    auto text = ReadFile(file, 1 << 30);
    ASSERT_TRUE(text.ok()) << text.status();
    FeedOptions feed;
    feed.family = LogTypeFromPath(file);
    feed.time_us = 0;
    feed.origin = file;
    feed.settings.exact_domains = exact_domains;
    auto converted = ConvertFeed(std::string_view(text->data(), text->size()), feed);
    ASSERT_TRUE(converted.ok()) << converted.status();
    values += converted->values;
    const std::string jsonl = FeedJsonLines(*converted, feed);
    std::string_view rest = jsonl;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl + 1);
      compiler.AddObject(line);
      simdjson::dom::element doc = parser.parse(line.data(), line.size());
      pattern_of[std::string(std::string_view(doc["id"]))] = std::string(std::string_view(doc["pattern"]));
    }
  }
  auto snapshot = std::move(compiler).Finish();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const Snapshot& s = **snapshot;
  EXPECT_GT(values, 10000);
  EXPECT_EQ(compiler.report().invalid, 0);
  EXPECT_EQ(compiler.report().simple, compiler.report().active) << "every feed value is a lookup";

  // The reference: the same indicators, in snapshot order, through the evaluator.
  pattern::PatternSet::Builder reference_builder;
  for (uint32_t i = 0; i < s.indicator_count(); ++i) {
    auto p = pattern::Pattern::Compile(pattern_of.at(s.IndicatorId(i)));
    ASSERT_TRUE(p.ok());
    reference_builder.Add(std::move(*p));
  }
  auto reference = std::move(reference_builder).Build();

  uint64_t records = 0, hits = 0;
  for (const char* log : {"dns.log.gz", "ssl.log.gz"}) {
    auto reader = OpenTelemetry(zeek + "/" + log, TelemetryFormat::kAuto, {});
    ASSERT_TRUE(reader.ok()) << reader.status();
    RecordBatch batch;
    BatchMatcher matcher;
    while ((*reader)->Next(batch)) {
      EXPECT_EQ(batch.malformed, 0u);
      records += batch.records.size();
      std::vector<Match> fast, slow;
      ASSERT_TRUE(matcher.MatchBatch(s, batch, fast).ok());
      hits += fast.size();
      // The evaluator runs every CIDR pattern on every address: compare on the first
      // records of each log and on every batch with a hit.
      const bool first = records <= 1500 && exact_domains;
      if (!first && (fast.empty() || max_hit_batches-- <= 0)) continue;
      ASSERT_TRUE(matcher.EvaluateBatch(*reference, batch, slow).ok());
      std::set<std::pair<uint32_t, uint32_t>> a, b;
      for (const Match& m : fast) a.insert({m.record, m.indicator});
      for (const Match& m : slow) b.insert({m.record, m.indicator});
      ASSERT_EQ(a, b) << log;
    }
  }
  EXPECT_EQ(records, 53615u + 49474u);
  // Real feeds against real traffic: few hits, but some.
  EXPECT_GT(hits, 0u);
  std::printf("[ info ] %s domains: %lld values, %zu indicators, %llu records, %llu hits\n",
              exact_domains ? "exact" : "subdomain", static_cast<long long>(values), s.indicator_count(),
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(hits));
}

TEST(RealDataTest, MaltrailAgainstZeekLogsEqualsTheEvaluator) {
  if (!fs::exists(kShared + "/indicators/maltrail")) GTEST_SKIP() << "../shared/data is absent";
  MatchTrails(true, 1 << 30);
}

TEST(RealDataTest, MaltrailSubdomainsAgainstZeekLogsEqualTheEvaluator) {
  if (!fs::exists(kShared + "/indicators/maltrail")) GTEST_SKIP() << "../shared/data is absent";
  MatchTrails(false, 1);
}

}  // namespace
}  // namespace kizuna::detect
