// Kizuna.
#include "kizuna/exercise/score.h"

#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/scenario_parser.h"
#include "kizuna/stix/timestamp.h"
#include "test_scenario.h"
#include "test_sink.h"

namespace kizuna::exercise {
namespace {

class ScoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::Generated g;
    ASSERT_TRUE(testing::GenerateZeek(testing::SmallScenario(), g).ok());
    scenario_ = std::move(g.scenario);
    sink_ = std::move(g.sink);
    truth_ = std::move(g.truth);
  }

  // The line number and time of the first record of `file` whose text holds `needle`.
  std::pair<size_t, std::string> Find(const std::string& file, const std::string& needle) {
    std::vector<std::string> lines = absl::StrSplit(sink_.files.at(file), '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
      if (!lines[i].starts_with("#") && lines[i].find(needle) != std::string::npos) {
        std::string ts = lines[i].substr(0, lines[i].find('\t'));
        int64_t us = static_cast<int64_t>(std::stod(ts) * 1e6 + 0.5);
        return {i + 1, stix::FormatTaxii(us)};
      }
    }
    ADD_FAILURE() << needle << " not in " << file;
    return {0, ""};
  }

  std::string Alert(const std::string& file, const std::string& needle,
                    const std::string& indicator) {
    auto [line, time] = Find(file, needle);
    return StrCat("{\"time\":\"", time, "\",\"log_type\":\"dns\",\"input\":\"/data/out/", file,
                  "\",\"line\":", line, ",\"matches\":[{\"indicator\":\"", indicator,
                  "\"}],\"record\":\"x\"}\n");
  }

  Scenario scenario_;
  testing::MemorySink sink_;
  GroundTruth truth_;
};

TEST_F(ScoreTest, CountsDetectionsAndFalsePositivesFromTheTruth) {
  std::string own = IndicatorId("small-ex", "s-c2", "[domain-name:value = 'evil.example']");
  std::string alerts = Alert("ja/dns.log", "\tevil.example\t", own) +
                       Alert("ja/dns.log", "\tevil.example.net\t",
                             "indicator--00000000-0000-4000-8000-000000000001") +
                       Alert("ja/dns.log", "\twww.example.com\t",
                             "indicator--00000000-0000-4000-8000-000000000002") +
                       "{\"input\":\"elsewhere/dns.log\",\"line\":3,\"matches\":[]}\n";
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer.AddAlerts(alerts, "alerts.jsonl").ok());
  Scoreboard b = scorer.Finish();
  EXPECT_EQ(b.alerts, 4u);
  EXPECT_EQ(b.unlabelled_alerts, 1u);
  const TeamScore& ja = b.teams[0];
  EXPECT_EQ(ja.team, "ja");
  EXPECT_EQ(ja.steps, 2u);
  EXPECT_EQ(ja.covered, 1u);  // s-lateral stays inside the team network
  EXPECT_EQ(ja.detected, 1u);
  EXPECT_DOUBLE_EQ(*ja.recall, 0.5);
  EXPECT_DOUBLE_EQ(*ja.recall_covered, 1.0);
  EXPECT_EQ(ja.step_alerts, 1u);
  EXPECT_EQ(ja.lookalike_alerts, 1u);
  EXPECT_EQ(ja.background_alerts, 1u);
  EXPECT_DOUBLE_EQ(*ja.precision, 1.0 / 3);
  const StepScore& c2 = b.steps[0];
  EXPECT_EQ(c2.id, "s-c2");
  EXPECT_TRUE(c2.detected);
  EXPECT_EQ(c2.level, "technique");
  ASSERT_TRUE(c2.ttd_s.has_value());
  EXPECT_GE(*c2.ttd_s, 0);
  EXPECT_TRUE(c2.deadline_met);
  EXPECT_FALSE(b.steps[1].detected);
  EXPECT_EQ(b.steps[1].level, "none");
  const TeamScore& us = b.teams[1];
  EXPECT_EQ(us.detected, 0u);
  EXPECT_FALSE(us.precision.has_value());
  // The same inputs, the same bytes.
  Scorer again(scenario_, truth_, 1);
  ASSERT_TRUE(again.AddAlerts(alerts, "alerts.jsonl").ok());
  EXPECT_EQ(again.Finish().ToJson(), b.ToJson());
}

TEST_F(ScoreTest, AnotherIndicatorIsAGeneralDetection) {
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer
                  .AddAlerts(Alert("ja/dns.log", "\tevil.example\t",
                                   "indicator--00000000-0000-4000-8000-000000000001"),
                             "a")
                  .ok());
  EXPECT_EQ(scorer.Finish().steps[0].level, "general");
}

TEST_F(ScoreTest, SightingsAndSharesCount) {
  std::string file_indicator =
      IndicatorId("small-ex", "s-us",
                  "[file:hashes.'SHA-256' = "
                  "'1111111111111111111111111111111111111111111111111111111111111111']");
  std::string sightings = StrCat(
      "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"sighting\",\"id\":"
      "\"sighting--1\","
      "\"sighting_of_ref\":\"",
      file_indicator, "\",\"first_seen\":\"2026-11-02T00:41:00Z\"}]}");
  std::string own = IndicatorId("small-ex", "s-c2", "[domain-name:value = 'evil.example']");
  std::string manifest = StrCat("{\"objects\":[{\"id\":\"", own,
                                "\",\"date_added\":\"2026-11-02T00:50:00.000000Z\"}]}");
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer.AddSightings(sightings, "us", "s.json").ok());
  ASSERT_TRUE(scorer.AddAlerts(Alert("ja/dns.log", "\tevil.example\t", own), "a").ok());
  ASSERT_TRUE(scorer.AddShared(manifest, "us", "m.json").ok());
  Scoreboard b = scorer.Finish();
  EXPECT_EQ(b.sightings, 1u);
  EXPECT_TRUE(b.steps[2].detected);
  EXPECT_EQ(b.teams[1].detected, 1u);
  ASSERT_EQ(b.shares.size(), 1u);
  ASSERT_TRUE(b.shares[0].time_to_share_s.has_value());
  EXPECT_GT(*b.shares[0].time_to_share_s, 0);
  EXPECT_TRUE(b.shares[0].met);
  EXPECT_EQ(scorer.AddSightings(R"({"objects": 1})", "us", "s.json").message(),
            "s.json: expected a STIX bundle, TAXII envelope or manifest");
  EXPECT_EQ(scorer.AddSightings("[]", "us", "s.json").message(),
            "s.json: expected a STIX bundle, TAXII envelope or manifest");
  EXPECT_TRUE(scorer.AddSightings("{}", "us", "s.json").ok());  // empty TAXII envelopes
  EXPECT_TRUE(scorer.AddSightings(R"({"more": false})", "us", "s.json").ok());
  EXPECT_EQ(scorer.AddSightings(sightings, "uk", "s.json").message(), "no team 'uk'");
}

TEST_F(ScoreTest, MalformedAlertsNameTheirLine) {
  Scorer scorer(scenario_, truth_, 1);
  EXPECT_EQ(scorer.AddAlerts("{\"line\":1}\nnot json\n", "a.jsonl").message(),
            "a.jsonl:2: not JSON");
  EXPECT_EQ(scorer.AddAlerts("{\"input\":\"x\"}\n", "a.jsonl").message(),
            "a.jsonl:1: not an alert (no \"line\")");
}

}  // namespace
}  // namespace kizuna::exercise
