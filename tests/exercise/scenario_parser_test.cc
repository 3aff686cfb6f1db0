// Kizuna.
#include "kizuna/exercise/scenario_parser.h"

#include <gtest/gtest.h>

#include "test_scenario.h"

namespace kizuna::exercise {
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of parsing `text` (empty when it parses).
std::string ErrorOf(const std::string& text) {
  auto s = ParseScenario(text, "s.yaml");
  return s.ok() ? std::string() : std::string(s.status().message());
}

TEST(ScenarioParser, ReadsEverySection) {
  auto s = ParseScenario(testing::SmallScenario(), "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->meta.id, "small-ex");
  EXPECT_EQ(s->meta.duration_s, 3600);
  EXPECT_EQ(s->meta.seed, 7u);
  ASSERT_EQ(s->teams.size(), 2u);
  EXPECT_EQ(s->teams[0].hosts[1].address, "10.1.0.10");
  ASSERT_EQ(s->Steps().size(), 3u);
  const Step* c2 = s->FindStep("s-c2");
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(c2->actor, "red");
  EXPECT_EQ(c2->start_s, 300);
  EXPECT_EQ(c2->end_s, 1200);
  EXPECT_EQ(c2->artefacts.repeat, 3u);
  EXPECT_EQ(c2->artefacts.dns[0].answers[0], "203.0.113.9");
  EXPECT_EQ(c2->detection.deadline_s, 600);
  EXPECT_EQ(c2->technique_line, 26);
  EXPECT_EQ(s->Address("dc1"), "10.1.0.10");
  EXPECT_EQ(s->lookalikes[0].artefacts.repeat, 2u);
  EXPECT_EQ(s->sharing[0].to[0], "us");
}

TEST(ScenarioParser, ErrorsNameFileLineAndKey) {
  std::string base = testing::SmallScenario();
  EXPECT_EQ(ErrorOf(Replace(base, "    nation: USA", "    nation: XXX")),
            "s.yaml:15: teams[1].nation: 'XXX' is not an ISO 3166-1 alpha-3 code");
  EXPECT_EQ(ErrorOf(Replace(base, "        window: {start: 30m, end: 31m}",
                            "        window: {start: 30m, end: 3x}")),
            "s.yaml:40: procedures[0].steps[1].window.end: '3x' is not a duration (90, 90s, 10m, "
            "2h, 1d)");
  EXPECT_EQ(ErrorOf(Replace(base, "        team: us", "        team: uk")),
            "s.yaml:44: procedures[0].steps[2].team: no team 'uk'");
  EXPECT_EQ(ErrorOf(Replace(base, "  seed: 7", "  seed: 7\n  colour: red")),
            "s.yaml:7: meta.colour: unknown key (known: duration, id, seed, t0, title, tlp)");
  EXPECT_EQ(ErrorOf(Replace(base, "target: dc1", "target: dc9")),
            "s.yaml:35: procedures[0].steps[1].target: 'dc9' is neither a host of the scenario nor "
            "an IPv4 address");
  EXPECT_EQ(ErrorOf(Replace(base, "  duration: 1h", "  duration: 10m")),
            "s.yaml:25: procedures[0].steps[0].window.end: 1200 s is after the end of the exercise "
            "(600 s)");
  EXPECT_EQ(ErrorOf(Replace(base, "- id: s-lateral", "- id: s-c2")),
            "s.yaml:35: procedures[0].steps[1].id: 's-c2' is used twice");
  EXPECT_EQ(ErrorOf(Replace(base, "  - {id: o1, from: ja, to: [us], step: s-c2, by: 1h}",
                            "  - {id: o1, from: ja, to: [us], step: s-none, by: 1h}")),
            "s.yaml:63: sharing[0].step: no step 's-none'");
  EXPECT_EQ(ErrorOf(Replace(base, "meta:\n  id: small-ex", "meta:\n  id: [small")),
            "s.yaml:3:8: end of sequence flow not found");
}

TEST(ScenarioParser, MissingKeysAndTypes) {
  std::string base = testing::SmallScenario();
  EXPECT_EQ(ErrorOf(Replace(base, "        technique: T0886\n", "")),
            "s.yaml:35: procedures[0].steps[1].technique: missing");
  EXPECT_EQ(ErrorOf(Replace(base, "  seed: 7", "  seed: seven")),
            "s.yaml:6: meta.seed: expected a whole number, not 'seven'");
  EXPECT_EQ(ErrorOf(Replace(base, "          repeat: 3", "          repeat: 0")),
            "s.yaml:33: procedures[0].steps[0].artefacts.repeat: must be 1..1000000");
}

TEST(ScenarioParser, Durations) {
  EXPECT_EQ(*ParseDuration("90"), 90);
  EXPECT_EQ(*ParseDuration("90s"), 90);
  EXPECT_EQ(*ParseDuration("10m"), 600);
  EXPECT_EQ(*ParseDuration("2h"), 7200);
  EXPECT_EQ(*ParseDuration("1d"), 86400);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_FALSE(ParseDuration("-5").ok());
  EXPECT_FALSE(ParseDuration("1w").ok());
}

}  // namespace
}  // namespace kizuna::exercise
