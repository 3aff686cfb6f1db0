// Kizuna.
#include "kizuna/detect/feed.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kizuna/base/file.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/pattern/pattern.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

const std::string kFeeds = std::string(KIZUNA_TEST_DATA) + "/feeds/";
constexpr std::string_view kCreator = "identity--00000000-0000-4000-8000-000000000001";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// tests/data/feeds/lines.cases: value<TAB>pattern.
std::vector<std::pair<std::string, std::string>> Cases() {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(Slurp(kFeeds + "lines.cases"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    out.emplace_back(line.substr(0, tab), tab == std::string::npos ? "" : line.substr(tab + 1));
  }
  return out;
}

std::vector<std::string> Lines(const std::string& jsonl) {
  std::vector<std::string> out;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

TEST(FeedTest, EachKindOfLineGetsThePatternOfWhatItMeans) {
  const auto cases = Cases();
  ASSERT_GT(cases.size(), 25u);
  for (const auto& [value, pattern] : cases) {
    const bool exact = value.starts_with("exact:");
    EXPECT_EQ(FeedPattern(exact ? value.substr(6) : value, exact), pattern) << value;
  }
}

TEST(FeedTest, EveryPatternIsValidAndALookup) {
  // A domain's `= 'x' OR LIKE '%.x'` is an exact key and a suffix key, never the evaluator.
  FeedOptions o;
  o.family = "cases";
  o.created_by_ref = kCreator;
  FeedResult r;
  std::set<std::string> seen;
  for (const auto& [value, pattern] : Cases()) {
    if (pattern.empty() || !seen.insert(pattern).second) continue;
    auto compiled = pattern::Pattern::Compile(pattern);
    ASSERT_TRUE(compiled.ok()) << value << ": " << pattern << ": " << compiled.status();
    r.entries.push_back({1, "cases", value, pattern, ""});
  }
  CompileOptions co;
  co.now_us = 1;
  IndicatorCompiler c(co);
  for (const std::string& line : Lines(FeedJsonLines(r, o))) c.AddObject(line);
  ASSERT_TRUE(std::move(c).Finish().ok());
  EXPECT_EQ(c.report().invalid, 0);
  EXPECT_EQ(c.report().active, static_cast<int64_t>(r.entries.size()));
  EXPECT_EQ(c.report().simple, c.report().active) << "every feed pattern is a lookup";
}

TEST(FeedTest, LinesBecomeIndicatorsWithIdsOfTheirCreator) {
  FeedOptions o;
  o.family = "emotet";
  o.time_us = 1700000000LL * 1000000;
  o.origin = "emotet.txt";
  o.created_by_ref = kCreator;
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
  const std::string first = FeedJsonLines(*a, o);
  EXPECT_EQ(first, FeedJsonLines(*ConvertFeed(text, o), o));
  EXPECT_NE(first.find(R"("labels":["emotet"])"), std::string::npos);
  EXPECT_NE(
      first.find(R"("external_references":[{"source_name":"emotet","external_id":"emotet"}])"),
      std::string::npos);
  EXPECT_NE(first.find(R"("created_by_ref":"identity--00000000-0000-4000-8000-000000000001")"),
            std::string::npos);
  // Another organisation's import of the same list has other ids.
  FeedOptions other = o;
  other.created_by_ref = "identity--00000000-0000-4000-8000-000000000002";
  const std::string pattern = a->entries[0].pattern;
  EXPECT_NE(FeedIndicatorId(o.created_by_ref, "emotet", pattern, 0),
            FeedIndicatorId(other.created_by_ref, "emotet", pattern, 0));
  EXPECT_NE(FeedIndicatorId(o.created_by_ref, "emotet", pattern, 0),
            FeedIndicatorId(o.created_by_ref, "emotet", pattern, 1));
  // The objects compile as active indicators.
  CompileOptions co;
  co.now_us = o.time_us + 1;
  IndicatorCompiler c(co);
  for (const std::string& line : Lines(first)) c.AddObject(line);
  ASSERT_TRUE(std::move(c).Finish().ok());
  EXPECT_EQ(c.report().active, 2);
  EXPECT_EQ(c.report().simple, 2);
}

TEST(FeedTest, SettingsGoIntoEveryIndicator) {
  FeedOptions o;
  o.family = "scanners";
  o.time_us = 1700000000LL * 1000000;
  o.created_by_ref = kCreator;
  o.settings.tlp = "amber+strict";
  o.settings.indicator_types = {"benign", "anomalous-activity"};
  o.settings.confidence = 30;
  o.settings.valid_for_days = 2;
  o.settings.labels = {"scanner", "scanners"};
  o.settings.description = "Mass scanners \"seen\"";
  o.settings.source = "maltrail";
  o.settings.source_url = "https://github.com/stamparm/maltrail";
  ASSERT_TRUE(o.settings.Validate(o.time_us).ok());
  auto r = ConvertFeed("198.51.100.7\n", o);
  ASSERT_TRUE(r.ok());
  simdjson::dom::parser parser;
  const std::string json = FeedJsonLines(*r, o);
  simdjson::dom::element e = parser.parse(json);
  EXPECT_EQ(simdjson::minify(e["object_marking_refs"]),
            R"(["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"])");
  EXPECT_EQ(simdjson::minify(e["indicator_types"]), R"(["benign","anomalous-activity"])");
  EXPECT_EQ(simdjson::minify(e["labels"]), R"(["scanners","scanner"])") << "the family once";
  EXPECT_EQ(int64_t(e["confidence"]), 30);
  EXPECT_EQ(std::string_view(e["description"]), "Mass scanners \"seen\"");
  EXPECT_EQ(
      simdjson::minify(e["external_references"]),
      R"([{"source_name":"maltrail","external_id":"scanners","url":"https://github.com/stamparm/maltrail"}])");
  EXPECT_EQ(std::string_view(e["valid_until"]), "2023-11-16T22:13:20.000000Z");
  EXPECT_EQ(std::string_view(e["valid_from"]), "2023-11-14T22:13:20.000000Z");
}

TEST(FeedTest, BadSettingsAreNamed) {
  const int64_t now = 1700000000LL * 1000000;
  auto message = [now](const FeedSettings& s) { return std::string(s.Validate(now).message()); };
  FeedSettings s;
  s.tlp = "white";
  EXPECT_EQ(message(s),
            "tlp 'white': not a TLP 2.0 level (clear, green, amber, amber+strict, red)");
  s = {};
  s.indicator_types = {"Malicious Activity"};
  EXPECT_EQ(message(s).substr(0, 35), "indicator-type 'Malicious Activity'");
  s = {};
  s.confidence = 101;
  EXPECT_EQ(message(s), "confidence 101: must be 0..100");
  s = {};
  s.valid_for_days = 0;
  EXPECT_EQ(message(s), "valid-for 0 days: must be 1..3650");
  s = {};
  s.valid_until_us = now;
  EXPECT_EQ(message(s),
            "valid-until: must be later than now (the indicators would never be valid)");
  s.valid_for_days = 3;
  EXPECT_EQ(message(s), "valid-for and --valid-until: give one or the other");
  s = {};
  s.labels = {""};
  EXPECT_EQ(message(s), "label: an empty value");
  s = {};
  s.source_url = "ftp://x";
  EXPECT_EQ(message(s), "source-url 'ftp://x': must start with https:// or http://");
  s = {};
  s.description = "a\x01";
  EXPECT_EQ(message(s), "description: control characters are not allowed");
}

TEST(FeedTest, ANumberAfterTheValueIsKept) {
  FeedOptions o;
  o.family = "ipsum";
  o.created_by_ref = kCreator;
  auto r = ConvertFeed(Slurp(kFeeds + "ipsum.txt") + "198.51.100.9 2.5\n198.51.100.10 many\n", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->indicators, 8);
  EXPECT_EQ(r->skipped, 1) << "a word after the value is not a number";
  EXPECT_EQ(r->entries[0].value, "77.90.185.20");
  EXPECT_EQ(r->entries[0].pattern, "[ipv4-addr:value = '77.90.185.20']");
  EXPECT_EQ(r->entries[0].score, "10");
  EXPECT_EQ(r->entries[7].score, "2.5");
  EXPECT_NE(FeedJsonLines(*r, o).find(R"("x_kizuna_feed_score":10})"), std::string::npos);
}

TEST(FeedTest, CsvNamesItsColumns) {
  FeedOptions o;
  o.format = FeedFormat::kCsv;
  o.family = "file";
  o.origin = "x.csv";
  auto r = ConvertFeed(
      "family,value,comment,score\nqakbot,\"evil.example\",\"a, b\",7\n,198.51.100.7,\n", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->indicators, 2);
  const std::string json = FeedJsonLines(*r, o);
  EXPECT_NE(json.find(R"("name":"qakbot: evil.example")"), std::string::npos);
  EXPECT_NE(json.find(R"("name":"file: 198.51.100.7")"), std::string::npos);
  EXPECT_EQ(r->entries[0].score, "7");
  auto bad = ConvertFeed("a,b\n1,2\n", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "x.csv:1: no 'value' column in the CSV header");
}

// The lines of tests/data/feeds/trails.txt against records of the WRCCDC Zeek logs: what
// each hits, by the value of the line (issue 19, item 6).
std::map<std::string, std::set<std::string>> HitsOf(const std::string& log, bool exact_domains) {
  FeedOptions o;
  o.family = "trails";
  o.created_by_ref = kCreator;
  o.settings.exact_domains = exact_domains;
  auto r = ConvertFeed(Slurp(kFeeds + "trails.txt"), o);
  EXPECT_TRUE(r.ok());
  CompileOptions co;
  co.now_us = 1;
  IndicatorCompiler c(co);
  std::map<std::string, std::string> value_of;  // id -> line value
  for (const FeedEntry& e : r->entries)
    value_of[FeedIndicatorId(kCreator, "trails", e.pattern, 0)] = e.value;
  for (const std::string& line : Lines(FeedJsonLines(*r, o))) c.AddObject(line);
  auto snapshot = std::move(c).Finish();
  EXPECT_TRUE(snapshot.ok());
  EXPECT_EQ(c.report().simple, c.report().active);
  std::map<std::string, std::set<std::string>> hits;  // value -> values of the records it hit
  auto reader = OpenTelemetry(kFeeds + log, TelemetryFormat::kAuto, {});
  EXPECT_TRUE(reader.ok()) << reader.status();
  RecordBatch batch;
  BatchMatcher matcher;
  while ((*reader)->Next(batch)) {
    std::vector<Match> found;
    EXPECT_TRUE(matcher.MatchBatch(**snapshot, batch, found).ok());
    for (const Match& m : found) {
      hits[value_of[std::string((*snapshot)->IndicatorId(m.indicator))]].insert(
          std::string(m.value));
    }
  }
  return hits;
}

TEST(FeedTest, ADomainLineCoversItsSubdomains) {
  const auto hits = HitsOf("dns.log", false);
  ASSERT_TRUE(hits.contains("whatismyipaddress.com"));
  EXPECT_EQ(hits.at("whatismyipaddress.com"),
            (std::set<std::string>{"cdn.whatismyipaddress.com", "whatismyipaddress.com"}));
  const auto exact = HitsOf("dns.log", true);
  EXPECT_EQ(exact.at("whatismyipaddress.com"), std::set<std::string>{"whatismyipaddress.com"});
}

TEST(FeedTest, ALeadingDotLineCoversEveryNameUnderIt) {
  const auto hits = HitsOf("x509.log", false);
  // One match per record and indicator: the first of the certificate's 28 .tk names.
  ASSERT_TRUE(hits.contains(".tk"));
  EXPECT_EQ(hits.at(".tk"), std::set<std::string>{"*.allfreebook.tk"});
  EXPECT_TRUE(hits.contains(".ml"));
  EXPECT_EQ(hits.size(), 2u) << "the other certificate names no such host";
}

TEST(FeedTest, AnHttpHostLineMeansTheHost) {
  const auto ssl = HitsOf("ssl.log", false);
  ASSERT_TRUE(ssl.contains("http://ise.wrccdc.org"));
  EXPECT_EQ(ssl.at("http://ise.wrccdc.org"), std::set<std::string>{"ise.wrccdc.org"});
  const auto dns = HitsOf("dns.log", false);
  EXPECT_EQ(dns.at("http://ise.wrccdc.org"), std::set<std::string>{"ise.wrccdc.org"});
}

}  // namespace
}  // namespace kizuna::detect
