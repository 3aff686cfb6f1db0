// Kizuna. Share to use, releasability violations and coalition lift, on a small scenario
// whose USA team sees the JPN team's C2 domain again (hand-computed expectations).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/lift.h"
#include "kizuna/exercise/scenario_parser.h"
#include "kizuna/exercise/score.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/stix/timestamp.h"
#include "test_scenario.h"
#include "test_sink.h"

namespace kizuna::exercise {
namespace {

// SmallScenario with a third team (kr, no objective names it) and a step of us at 45m that
// queries ja's C2 domain and implies no indicator of its own; o1 asks for TLP:AMBER, USA only.
std::string SharingScenario() {
  return absl::StrReplaceAll(
      testing::SmallScenario(),
      {{"actors:", "  - {id: kr, nation: KOR, role: blue, network: 10.3.0.0/16}\nactors:"},
       {"background:", R"(      - id: s-us-c2
        technique: T0869
        team: us
        source: 10.2.1.7
        window: {start: 45m, end: 46m}
        imply_indicators: false
        artefacts:
          dns: [{query: evil.example, answers: [203.0.113.9]}]
background:)"},
       {"by: 1h}", "by: 1h, tlp: amber, releasable_to: [USA]}"}});
}

const char kRelToUsaKor[] = "marking-definition--0e8c1a52-7d2f-4b1c-9a51-3f0c2b7d6e01";
const char kRelToUsa[] = "marking-definition--a6b2c7a4-1111-4e2c-9c77-6b4e0a2e6f10";

std::string Marking(const char* id, const char* statement) {
  return StrCat(
      R"({"type":"marking-definition","spec_version":"2.1","id":")", id,
      R"(","created":"2026-11-01T00:00:00Z","definition_type":"statement","definition":{"statement":")",
      statement, R"("}})");
}

class SharingMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::Generated g;
    ASSERT_TRUE(testing::GenerateZeek(SharingScenario(), g).ok());
    scenario_ = std::move(g.scenario);
    sink_ = std::move(g.sink);
    truth_ = std::move(g.truth);
    c2_ = IndicatorId("small-ex", "s-c2", "[domain-name:value = 'evil.example']");
  }

  // The line and time (microseconds) of the first record of `file` holding `needle`.
  std::pair<size_t, int64_t> Find(const std::string& file, const std::string& needle) {
    std::vector<std::string> lines = absl::StrSplit(sink_.files.at(file), '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
      if (!lines[i].starts_with("#") && lines[i].find(needle) != std::string::npos) {
        double ts = std::stod(lines[i].substr(0, lines[i].find('\t')));
        return {i + 1, static_cast<int64_t>(ts * 1e6 + 0.5)};
      }
    }
    ADD_FAILURE() << needle << " not in " << file;
    return {0, 0};
  }

  std::string Alert(const std::string& file, const std::string& needle) {
    auto [line, us] = Find(file, needle);
    return StrCat(R"({"time":")", stix::FormatTaxii(us), R"(","input":"/out/)", file,
                  R"(","line":)", line, R"(,"matches":[{"indicator":")", c2_, "\"}]}\n");
  }

  // An envelope of the C2 indicator as a team's node holds it, with `markings`.
  std::string Envelope(const std::string& added, const std::string& markings,
                       const std::string& definitions = "") {
    return StrCat(R"({"objects":[)", definitions, definitions.empty() ? "" : ",",
                  R"({"type":"indicator","id":")", c2_, R"(","date_added":")", added,
                  R"(","object_marking_refs":[)", markings, "]}]}");
  }

  Scenario scenario_;
  testing::MemorySink sink_;
  GroundTruth truth_;
  std::string c2_;
};

TEST_F(SharingMetricsTest, ADetectionWithAReceivedIndicatorIsShareToUse) {
  auto [line, detected_us] = Find("us/dns.log", "\tevil.example\t");
  std::string manifest = StrCat(R"({"objects":[{"id":")", c2_,
                                R"(","date_added":"2026-11-02T00:30:00Z"}]})");
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer.AddAlerts(Alert("us/dns.log", "\tevil.example\t"), "a").ok());
  ASSERT_TRUE(scorer.AddShared(manifest, "us", "m.json").ok());
  Scoreboard b = scorer.Finish();
  const StepScore& step = b.steps[3];
  ASSERT_EQ(step.id, "s-us-c2");
  EXPECT_EQ(step.shared_from, "ja");
  EXPECT_EQ(step.shared_step, "s-c2");
  EXPECT_EQ(b.teams[1].share_to_use, 1u);
  EXPECT_EQ(b.teams[0].share_to_use, 0u);
  ASSERT_EQ(b.shares.size(), 1u);
  EXPECT_TRUE(b.shares[0].used);
  // The record is within 45m..46m; received at 30m.
  int64_t received_us = *stix::ParseMicros("2026-11-02T00:30:00Z");
  EXPECT_DOUBLE_EQ(*b.shares[0].time_to_use_s, (detected_us - received_us) / 1e6);
  EXPECT_GE(*b.shares[0].time_to_use_s, 900);
  EXPECT_LE(*b.shares[0].time_to_use_s, 960);
  EXPECT_TRUE(b.violations.empty());
  EXPECT_NE(b.ToJson().find(R"("shared_from":"ja")"), std::string::npos);
}

TEST_F(SharingMetricsTest, AnIndicatorReceivedAfterTheDetectionIsNotShareToUse) {
  std::string late = StrCat(R"({"objects":[{"id":")", c2_,
                            R"(","date_added":"2026-11-02T00:59:00Z"}]})");
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer.AddAlerts(Alert("us/dns.log", "\tevil.example\t"), "a").ok());
  ASSERT_TRUE(scorer.AddShared(late, "us", "m.json").ok());
  Scoreboard b = scorer.Finish();
  EXPECT_TRUE(b.steps[3].detected);
  EXPECT_EQ(b.steps[3].shared_from, "");
  EXPECT_EQ(b.teams[1].share_to_use, 0u);
  EXPECT_FALSE(b.shares[0].used);
}

// What a partner's node pushes when it detects a step is a sighting of the step's indicator:
// its date_added on the team's node is when the step was shared (exercise run reads them live),
// and, not being the indicator itself, it is not checked for releasability.
// A partner's report whose object_refs name the step's indicator shares the step at its
// date_added; every report found on the team's node is counted, once per id.
TEST_F(SharingMetricsTest, APartnersReportNamingTheIndicatorSharesTheStepAndIsCounted) {
  auto [line, detected_us] = Find("ja/dns.log", "\tevil.example\t");
  const std::string report = StrCat(
      R"({"type":"report","id":"report--7c2d1b63-8e3f-4c2d-8b62-4a1d3c8e7f02","date_added":")",
      stix::FormatTaxii(detected_us + 120000000), R"(","object_refs":["identity--0a1b2c3d-0000-4000-8000-000000000001",")",
      c2_, R"("]})");
  const std::string unrelated = R"({"type":"report","id":"report--7c2d1b63-8e3f-4c2d-8b62-4a1d3c8e7f03",)"
                                R"("date_added":"2026-11-02T00:10:00Z","object_refs":[]})";
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer.AddAlerts(Alert("ja/dns.log", "\tevil.example\t"), "a").ok());
  ASSERT_TRUE(scorer.AddShared(StrCat(R"({"objects":[)", report, ",", unrelated, "]}"), "us", "us shares").ok());
  ASSERT_TRUE(scorer.AddShared(StrCat(R"({"objects":[)", report, "]}"), "us", "us shares, again").ok());
  Scoreboard b = scorer.Finish();
  ASSERT_EQ(b.shares.size(), 1u);
  ASSERT_TRUE(b.shares[0].time_to_share_s.has_value());
  EXPECT_DOUBLE_EQ(*b.shares[0].time_to_share_s, 120);
  EXPECT_TRUE(b.shares[0].met);
  EXPECT_EQ(b.teams[1].team, "us");
  EXPECT_EQ(b.teams[1].reports_received, 2u);
  EXPECT_EQ(b.teams[0].reports_received, 0u);
  EXPECT_NE(b.ToJson().find(R"("reports_received":2)"), std::string::npos);
}

TEST_F(SharingMetricsTest, APartnersSightingOfTheIndicatorSharesTheStep) {
  auto [line, detected_us] = Find("ja/dns.log", "\tevil.example\t");
  std::string sighting = StrCat(
      R"({"objects":[{"type":"sighting","id":"sighting--5b1c0a52-7d2f-4b1c-9a51-3f0c2b7d6e01",)"
      R"("sighting_of_ref":")",
      c2_, R"(","date_added":")", stix::FormatTaxii(detected_us + 90000000),
      R"(","object_marking_refs":[]}]})");
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer.AddAlerts(Alert("ja/dns.log", "\tevil.example\t"), "a").ok());
  ASSERT_TRUE(scorer.AddShared(sighting, "us", "us shares").ok());
  // The same step from another team before ja detected it: not ja's share.
  std::string earlier = absl::StrReplaceAll(sighting, {{"5b1c0a52", "6b1c0a52"},
                                                       {stix::FormatTaxii(detected_us + 90000000),
                                                        stix::FormatTaxii(detected_us - 600000000)}});
  ASSERT_TRUE(scorer.AddShared(earlier, "us", "us shares").ok());
  Scoreboard b = scorer.Finish();
  ASSERT_EQ(b.shares.size(), 1u);
  EXPECT_EQ(b.shares[0].to, "us");
  ASSERT_TRUE(b.shares[0].time_to_share_s.has_value());
  EXPECT_DOUBLE_EQ(*b.shares[0].time_to_share_s, 90);
  EXPECT_TRUE(b.shares[0].met);
  EXPECT_TRUE(b.violations.empty());
}

TEST_F(SharingMetricsTest, MarkingsLooserThanTheObjectiveAndTeamsOutsideItAreViolations) {
  std::string green = StrCat("\"", policy::Tlp2MarkingId(policy::TlpLevel::kGreen), "\"");
  std::string amber = StrCat("\"", policy::Tlp2MarkingId(policy::TlpLevel::kAmber), "\"");
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer
                  .AddShared(Envelope("2026-11-02T00:30:00Z",
                                      StrCat(green, ",\"", kRelToUsaKor, "\""),
                                      Marking(kRelToUsaKor, "REL TO USA, KOR")),
                             "us", "us.json")
                  .ok());
  ASSERT_TRUE(scorer.AddShared(Envelope("2026-11-02T00:31:00Z", amber), "kr", "kr.json").ok());
  Scoreboard b = scorer.Finish();
  ASSERT_EQ(b.violations.size(), 3u);
  // (to, indicator) order: kr before us.
  EXPECT_EQ(b.violations[0].to, "kr");
  EXPECT_EQ(b.violations[0].kind, "outside-audience");
  EXPECT_EQ(b.violations[1].kind, "tlp-below-objective");
  EXPECT_EQ(b.violations[1].detail, "TLP:GREEN < TLP:AMBER");
  EXPECT_EQ(b.violations[2].kind, "releasable-beyond");
  EXPECT_EQ(b.violations[2].detail, "KOR");
  for (const Violation& v : b.violations) {
    EXPECT_EQ(v.from, "ja");
    EXPECT_EQ(v.objective, "o1");
    EXPECT_EQ(v.indicator, c2_);
  }
  EXPECT_EQ(b.teams[0].violations, 3u);
  EXPECT_EQ(b.teams[1].violations, 0u);
}

TEST_F(SharingMetricsTest, SharingAsTheObjectiveSaysIsNoViolation) {
  std::string amber = StrCat("\"", policy::Tlp2MarkingId(policy::TlpLevel::kAmber), "\"");
  Scorer scorer(scenario_, truth_, 1);
  ASSERT_TRUE(scorer
                  .AddShared(Envelope("2026-11-02T00:30:00Z", StrCat(amber, ",\"", kRelToUsa, "\""),
                                      Marking(kRelToUsa, "REL TO USA")),
                             "us", "us.json")
                  .ok());
  EXPECT_TRUE(scorer.Finish().violations.empty());
  Scorer unmarked(scenario_, truth_, 1);
  ASSERT_TRUE(unmarked.AddShared(Envelope("2026-11-02T00:30:00Z", amber), "us", "us.json").ok());
  Scoreboard b = unmarked.Finish();
  ASSERT_EQ(b.violations.size(), 1u);
  EXPECT_EQ(b.violations[0].kind, "not-releasability-marked");
}

TEST_F(SharingMetricsTest, LiftIsTheSameTelemetryMatchedWithAndWithoutPartnersIndicators) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "kizuna-lift";
  std::filesystem::remove_all(dir);
  for (const auto& [name, bytes] : sink_.files) {
    std::filesystem::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << bytes;
  }
  auto lift = MeasureLift(scenario_, truth_, dir.string(), 1, 1);
  ASSERT_TRUE(lift.ok()) << lift.status();
  ASSERT_EQ(lift->size(), 3u);
  const TeamLift& ja = (*lift)[0];
  EXPECT_EQ(ja.team, "ja");  // s-c2 detected, s-lateral implies nothing: 1/2 either way
  EXPECT_DOUBLE_EQ(*ja.recall_alone, 0.5);
  EXPECT_DOUBLE_EQ(*ja.recall_shared, 0.5);
  EXPECT_DOUBLE_EQ(*ja.recall_lift, 0);
  EXPECT_EQ(ja.steps_gained, 0u);
  const TeamLift& us = (*lift)[1];
  EXPECT_EQ(us.team, "us");  // s-us alone; s-us-c2 only with ja's C2 indicator
  EXPECT_DOUBLE_EQ(*us.recall_alone, 0.5);
  EXPECT_DOUBLE_EQ(*us.recall_shared, 1.0);
  EXPECT_DOUBLE_EQ(*us.recall_lift, 0.5);
  EXPECT_EQ(us.steps_gained, 1u);
  EXPECT_DOUBLE_EQ(*us.ttd_gain_s, 0);  // s-us is detected as early either way
  EXPECT_FALSE((*lift)[2].recall_alone.has_value());  // kr has no steps
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kizuna::exercise
