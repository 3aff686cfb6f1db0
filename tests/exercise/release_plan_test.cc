// Kizuna. Releasing generated telemetry as the exercise clock advances (exercise/release_plan.h).
// Issue 23, item 3.
#include "kizuna/exercise/release_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_split.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/scenario_parser.h"
#include "test_scenario.h"
#include "test_sink.h"

namespace kizuna::exercise {
namespace {

constexpr int64_t kT0 = 1793577600LL * 1000000;  // 2026-11-02T00:00:00Z

std::map<std::string, std::string> TwoFiles() {
  return {{"ja/dns.log", "#separator \\x09\n#fields\tts\n1\n2\n3\n#close\t2026\n"}, {"ja/eve.json", "{\"a\":1}\n{\"a\":2}\n"}};
}

constexpr char kTruth[] =
    "#kizuna-exercise-truth\t1\n#fields\tfile\tline\tts\tlabel\n"
    "ja/dns.log\t3\t100.000000\tbackground\nja/dns.log\t4\t200.000000\tstep:x\n"
    "ja/dns.log\t5\t300.000000\tbackground\nja/eve.json\t1\t150.000000\tbackground\n"
    "ja/eve.json\t2\t300.000000\tstep:x\n";

std::string Joined(const std::vector<TelemetryChunk>& chunks) {
  std::string out;
  for (const TelemetryChunk& c : chunks) StrAppend(out, c.file, "=", c.bytes, "|");
  return out;
}

TEST(ReleasePlanTest, WholeLinesBecomeDueAtTheirTimesHeadersWithTheLineBefore) {
  auto plan = ReleasePlan::Build(TwoFiles(), kTruth, "truth.tsv");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->records(), 5u);
  EXPECT_EQ(plan->first_us(), 100'000'000);
  EXPECT_EQ(Joined(plan->ReleaseUntil(0)), "ja/dns.log=#separator \\x09\n#fields\tts\n|");
  EXPECT_EQ(Joined(plan->ReleaseUntil(150'000'000)), "ja/dns.log=1\n|ja/eve.json={\"a\":1}\n|");
  EXPECT_EQ(Joined(plan->ReleaseUntil(150'000'000)), "");
  EXPECT_EQ(plan->released_records(), 2u);
  EXPECT_FALSE(plan->done());
  EXPECT_EQ(Joined(plan->ReleaseUntil(300'000'000)), "ja/dns.log=2\n3\n#close\t2026\n|ja/eve.json={\"a\":2}\n|");
  EXPECT_TRUE(plan->done());
}

TEST(ReleasePlanTest, ABadTruthLineIsNamed) {
  EXPECT_EQ(ReleasePlan::Build(TwoFiles(), "ja/dns.log\t9\t1.0\tbackground\n", "t.tsv").status().message(),
            "t.tsv:1: no line 9 in ja/dns.log");
  EXPECT_EQ(ReleasePlan::Build(TwoFiles(), "#h\nja/dns.log\tx\t1.0\tbackground\n", "t.tsv").status().message(),
            "t.tsv:2: line and ts must be numbers");
  EXPECT_EQ(ReleasePlan::Build(TwoFiles(), "ja/dns.log\t3\n", "t.tsv").status().message(),
            "t.tsv:1: expected file, line, ts, label");
}

// Released minute by minute, the generated telemetry comes out byte for byte, and no record
// before its time: after each release, the records out are exactly those due by then.
TEST(ReleasePlanTest, GeneratedTelemetryComesOutWholeAndNeverEarly) {
  auto s = ParseScenario(testing::SmallScenario("2"), "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  testing::MemorySink sink;
  ASSERT_TRUE(Generate(*s, {}, sink).ok());
  const std::string truth = sink.files.at(std::string(kTruthFile));
  sink.files.erase(std::string(kTruthFile));
  std::vector<int64_t> times;  // every record's time
  for (absl::string_view line : absl::StrSplit(truth, '\n')) {
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() == 4 && cols[0][0] != '#') times.push_back(static_cast<int64_t>(std::stod(cols[2]) * 1e6 + 0.5));
  }
  auto plan = ReleasePlan::Build(sink.files, truth, "truth.tsv");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->records(), times.size());
  std::map<std::string, std::string> got;
  for (int64_t t = kT0 - 1; !plan->done(); t += 60'000'000) {
    ASSERT_LT(t, kT0 + 2 * 3600'000'000LL);
    for (const TelemetryChunk& c : plan->ReleaseUntil(t)) got[std::string(c.file)].append(c.bytes);
    EXPECT_EQ(plan->released_records(),
              static_cast<uint64_t>(std::count_if(times.begin(), times.end(), [&](int64_t ts) { return ts <= t; })))
        << t;
  }
  EXPECT_EQ(got, sink.files);
}

}  // namespace
}  // namespace kizuna::exercise
