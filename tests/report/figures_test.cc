// Kizuna. The brief's figures of the fixture store against values computed by hand
// (golden/figures_usa.json), and what other audiences must not see.
#include "kizuna/report/figures.h"

#include <gtest/gtest.h>

#include "kizuna/base/file.h"
#include "fixture.h"

namespace kizuna::report {
namespace {

// Each case runs on SQLite and on PostgreSQL (its report view: store/report_view.h), with the
// same expected figures.
class FiguresTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres && !store::PgTestServerUrl())
      GTEST_SKIP() << store::kPgMissing;
    fixture_.Build(GetParam());
  }

  boost::json::object Figures(std::string_view audience) {
    policy::Policy policy(fixture_.db(), &fixture_.db(), fixture_.clock());
    auto a = ResolveAudience(fixture_.db(), audience);
    EXPECT_TRUE(a.ok()) << a.status();
    BriefInput in;
    in.audience = *a;
    in.current = *ParsePeriod("2026-01-01", "2026-01-31", 0);
    in.previous = *PreviousPeriod(in.current, "auto");
    in.node_nation = "JPN";
    in.now_us = fixture_.clock().NowMicros();
    auto f = ComputeFigures(fixture_.db(), policy, in);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : boost::json::object();
  }

  BriefFixture fixture_;
};

INSTANTIATE_TEST_SUITE_P(Backends, FiguresTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(FiguresTest, MatchesHandComputedFiguresForUsa) {
  auto golden = ReadFile(StrCat(KIZUNA_SOURCE_DIR, "/tests/report/golden/figures_usa.json"), 1 << 20);
  ASSERT_TRUE(golden.ok()) << golden.status();
  boost::json::value want = boost::json::parse(std::string_view(golden->data(), golden->size()));
  boost::json::value got = Figures("USA");
  EXPECT_EQ(got, want) << "got:\n" << boost::json::serialize(got);
}

TEST_P(FiguresTest, KoreaSeesOnlyWhatItMayRead) {
  boost::json::object f = Figures("KOR");
  // KOR is in no community: of January's objects only the TLP:CLEAR attack pattern.
  EXPECT_EQ(f["headline"].at("objects"), boost::json::parse(R"({"current":1,"previous":0})"));
  EXPECT_EQ(f["headline"].at("sightings"), boost::json::parse(R"({"current":0,"previous":0})"));
  std::string text = boost::json::serialize(f);
  for (char n : {'0', '1', '2', '3', '9'}) EXPECT_EQ(text.find(FixtureId("indicator", n)), std::string::npos) << n;
  for (const char* word : {"Alpha", "Bravo", "Charlie", "Delta", "APT-X", "intrusion-set", "REL TO", "TLP:GREEN"}) {
    EXPECT_EQ(text.find(word), std::string::npos) << word << " in " << text;
  }
  EXPECT_EQ(f["banner"], "TLP:CLEAR");
}

TEST_P(FiguresTest, RedObjectsNeverCountedNorNamed) {
  boost::json::object f = Figures("jpn-usa");
  std::string text = boost::json::serialize(f);
  EXPECT_EQ(text.find(FixtureId("indicator", '2')), std::string::npos);
  EXPECT_EQ(text.find("Bravo"), std::string::npos);
  EXPECT_EQ(text.find("TLP:RED"), std::string::npos);
  // The red sighting of indicator 2 (count 7) is not in the sightings.
  EXPECT_EQ(f["headline"].at("sightings"), boost::json::parse(R"({"current":7,"previous":0})"));
}

TEST_P(FiguresTest, FederationCountsFailedPassesAndTheLongestOutageWithinThePeriod) {
  // Failing since 31 January 20:00 (the last success: the 25th at 12:00), still at the brief's
  // making (1 February 01:00): the outage is counted up to the period's end.
  const store::PeerMapping mapping = fixture_.db().ListPeers()->at(0).mappings.at(0);
  ASSERT_TRUE(fixture_.db().SaveSyncError("usa-node", mapping, "timed out", Jan(31) + 20 * 3600'000'000LL).ok());
  boost::json::object peer = Figures("USA")["federation"].as_array().at(0).as_object();
  EXPECT_EQ(peer["errors"], 4);
  EXPECT_EQ(peer["longest_outage_s"], 6 * 86400 + 12 * 3600);
  EXPECT_EQ(peer["failing_mappings"], 1);
  EXPECT_EQ(peer["outage_s"], 6 * 86400 + 13 * 3600);
  // December's brief: its one failed pass, fixed a day later.
  policy::Policy policy(fixture_.db(), &fixture_.db(), fixture_.clock());
  BriefInput in;
  in.audience = *ResolveAudience(fixture_.db(), "USA");
  in.current = *ParsePeriod("2025-12-01", "2025-12-31", 0);
  in.previous = *PreviousPeriod(in.current, "auto");
  in.now_us = fixture_.clock().NowMicros();
  auto december = ComputeFigures(fixture_.db(), policy, in);
  ASSERT_TRUE(december.ok()) << december.status();
  boost::json::object& d = december->at("federation").as_array().at(0).as_object();
  EXPECT_EQ(d["errors"], 1);
  EXPECT_EQ(d["longest_outage_s"], 86400);
}

TEST_P(FiguresTest, RefusesTopOutOfRange) {
  policy::Policy policy(fixture_.db(), &fixture_.db(), fixture_.clock());
  BriefInput in;
  in.audience = *ResolveAudience(fixture_.db(), "USA");
  in.top = 0;
  EXPECT_EQ(ComputeFigures(fixture_.db(), policy, in).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(FiguresTest, UnknownAudienceIsAnError) {
  auto a = ResolveAudience(fixture_.db(), "nobody");
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("nobody"), std::string::npos);
  EXPECT_EQ(ResolveAudience(fixture_.db(), "FRA").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kizuna::report
