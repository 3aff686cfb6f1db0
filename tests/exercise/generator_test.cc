// Kizuna.
#include "kizuna/exercise/generator.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "absl/strings/str_split.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/scenario_parser.h"
#include "test_scenario.h"
#include "test_sink.h"

namespace kizuna::exercise {
namespace {

using testing::MemorySink;

Scenario Small(const std::string& rate = "2") {
  auto s = ParseScenario(testing::SmallScenario(rate), "s.yaml");
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

MemorySink GenerateToMemory(const Scenario& s, const GenerateOptions& options) {
  MemorySink sink;
  auto summary = Generate(s, options, sink);
  EXPECT_TRUE(summary.ok()) << summary.status();
  return sink;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out = absl::StrSplit(text, '\n');
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

GenerateOptions AllFormats() {
  GenerateOptions o;
  o.zeek_json = true;
  return o;
}

TEST(Generator, SameSeedSameBytes) {
  Scenario s = Small();
  MemorySink a = GenerateToMemory(s, AllFormats());
  MemorySink b = GenerateToMemory(s, AllFormats());
  EXPECT_EQ(a.files, b.files);
  s.meta.seed = 8;
  MemorySink c = GenerateToMemory(s, AllFormats());
  EXPECT_NE(a.files.at("ja/dns.log"), c.files.at("ja/dns.log"));
}

TEST(Generator, WritesEveryLogOfEveryTeamAndOneLabelPerRecord) {
  Scenario s = Small();
  MemorySink sink = GenerateToMemory(s, AllFormats());
  for (std::string team : {"ja", "us"}) {
    for (std::string log : {"conn", "dns", "http", "ssl", "files", "notice"}) {
      ASSERT_TRUE(sink.files.contains(team + "/" + log + ".log")) << team << " " << log;
      EXPECT_TRUE(sink.files.at(team + "/" + log + ".log").starts_with("#separator \\x09\n"));
    }
    EXPECT_TRUE(sink.files.contains(team + "/eve.json"));
  }
  auto truth = GroundTruth::Parse(sink.files.at("truth.tsv"), "truth.tsv");
  ASSERT_TRUE(truth.ok()) << truth.status();
  uint64_t records = 0;
  for (const auto& [name, text] : sink.files) {
    if (name == "truth.tsv") continue;
    int file = truth->FindFile(name);  // -1 for a log without records: all its lines are headers
    std::vector<std::string> lines = Lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
      bool record = !lines[i].starts_with("#");
      EXPECT_EQ(truth->LabelAt(file, i + 1) != GroundTruth::kNoLabel, record)
          << name << ":" << i + 1;
      records += record;
    }
  }
  EXPECT_EQ(records, truth->records());
  EXPECT_GT(records, 10'000u);  // 2 events/s for an hour on two networks, 2-3 records each
}

// The differential test: leaving a step out of the run removes exactly the records the
// ground truth labels with it, and changes no other byte.
TEST(Generator, RecordsOfAStepAreExactlyThoseLabelledWithIt) {
  Scenario s = Small();
  MemorySink full = GenerateToMemory(s, AllFormats());
  auto truth = GroundTruth::Parse(full.files.at("truth.tsv"), "truth.tsv");
  ASSERT_TRUE(truth.ok()) << truth.status();
  for (const Step* step : s.Steps()) {
    GenerateOptions without = AllFormats();
    without.omit_steps = {step->id};
    MemorySink reduced = GenerateToMemory(s, without);
    uint64_t labelled = 0, removed = 0;
    for (const auto& [name, text] : full.files) {
      if (name == "truth.tsv") continue;
      int file = truth->FindFile(name);
      std::vector<std::string> all = Lines(text);
      std::vector<std::string> kept;
      for (size_t i = 0; i < all.size(); ++i) {
        uint32_t label = truth->LabelAt(file, i + 1);
        bool of_step =
            label != GroundTruth::kNoLabel && truth->labels()[label] == "step:" + step->id;
        labelled += of_step;
        if (!of_step) kept.push_back(all[i]);
      }
      std::vector<std::string> reduced_lines = Lines(reduced.files[name]);
      removed += all.size() - reduced_lines.size();
      EXPECT_EQ(kept, reduced_lines) << step->id << " " << name;
    }
    EXPECT_GT(labelled, 0u) << step->id;
    EXPECT_EQ(labelled, removed) << step->id;
  }
}

TEST(Generator, StepRecordsCarryTheirArtefactsInTheirWindow) {
  Scenario s = Small();
  MemorySink sink = GenerateToMemory(s, GenerateOptions{});
  auto truth = GroundTruth::Parse(sink.files.at("truth.tsv"), "truth.tsv");
  ASSERT_TRUE(truth.ok());
  std::map<std::string, uint32_t> label;
  for (size_t i = 0; i < truth->labels().size(); ++i)
    label[truth->labels()[i]] = static_cast<uint32_t>(i);
  const auto& c2 = truth->stats()[label.at("step:s-c2")];
  // 3 repetitions of a DNS lookup (conn + dns + EVE) and a TLS session (conn + ssl + EVE).
  EXPECT_EQ(c2.records, 18u);
  EXPECT_GE(c2.first_us, s.meta.t0_us + 300'000'000);
  EXPECT_LE(c2.last_us, s.meta.t0_us + 1'200'000'000);
  std::vector<std::string> dns = Lines(sink.files.at("ja/dns.log"));
  int file = truth->FindFile("ja/dns.log");
  int evil = 0;
  for (size_t i = 0; i < dns.size(); ++i) {
    if (dns[i].find("\tevil.example\t") == std::string::npos) continue;
    ++evil;
    EXPECT_EQ(truth->labels()[truth->LabelAt(file, i + 1)], "step:s-c2") << dns[i];
    EXPECT_NE(dns[i].find("\t203.0.113.9\t"), std::string::npos) << dns[i];
  }
  EXPECT_EQ(evil, 3);
  EXPECT_EQ(truth->stats()[label.at("lookalike:near-evil")].records, 6u);
}

TEST(Generator, TimeScaleCompressesTheExercise) {
  Scenario s = Small();
  GenerateOptions o;
  o.time_scale = 60;
  o.t0_us = 1'800'000'000'000'000;
  MemorySink sink = GenerateToMemory(s, o);
  auto truth = GroundTruth::Parse(sink.files.at("truth.tsv"), "truth.tsv");
  ASSERT_TRUE(truth.ok());
  for (const auto& st : truth->stats()) {
    EXPECT_GE(st.first_us, o.t0_us);
    EXPECT_LE(st.last_us, o.t0_us + 60'000'000);  // one hour in one minute
  }
}

TEST(Generator, RejectsBadOptions) {
  Scenario s = Small();
  MemorySink sink;
  GenerateOptions o;
  o.time_scale = 0.5;
  EXPECT_EQ(Generate(s, o, sink).status().message(), "time scale 0.5 is not in 1..1000000");
  o = {};
  o.teams = {"uk"};
  EXPECT_EQ(Generate(s, o, sink).status().message(), "no team 'uk' in the scenario");
}

}  // namespace
}  // namespace kizuna::exercise
