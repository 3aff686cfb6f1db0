// Kizuna. ReleasedCounter's counts equal the length of the released read (policy::ReleasedReader)
// for every principal of the brief's fixture, with versions whose newest is withheld, granular
// markings and a marking not defined; on SQLite and on PostgreSQL (its report view).
#include "kizuna/api/released_counts.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <memory>

#include "../report/fixture.h"
#include "kizuna/policy/released_reader.h"

namespace kizuna::api {
namespace {

using report::Backend;
using report::BackendName;
using report::BriefFixture;
using report::FixtureId;
using report::kJpnCert;
using report::kKorCert;
using report::kTlpClear;
using report::kTlpGreen;
using report::kTlpRed;
using report::kUsaCert;

constexpr uint8_t kReader = static_cast<uint8_t>(identity::Role::kReader);

std::string Indicator(char n, std::string_view modified, std::string_view markings,
                      std::string_view extra = "") {
  return StrCat(
      R"({"type":"indicator","spec_version":"2.1","id":")", FixtureId("indicator", n),
      R"(","created":"2026-01-01T00:00:00.000Z","modified":")", modified,
      R"(","description":"counted","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix",)",
      R"("valid_from":"2026-01-01T00:00:00Z","created_by_ref":")", kJpnCert,
      R"(","object_marking_refs":[)", markings, "]", extra, "}");
}

std::string Quoted(std::string_view id) { return StrCat("\"", id, "\""); }

class ReleasedCountsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres && !store::PgTestServerUrl())
      GTEST_SKIP() << store::kPgMissing;
    fixture_.Build(GetParam());
    if (HasFatalFailure()) return;
    store::Database& db = fixture_.db();
    policy_ = std::make_unique<policy::Policy>(db, &db, fixture_.clock());
    // Newest versions withheld from USA (an older one stands in) and released to it; a granular
    // marking that redacts, one that withholds (the pattern is required); a marking not defined.
    for (std::string json : {
             Indicator('1', "2026-02-01T00:00:00.000Z", Quoted(kTlpRed)),
             Indicator('2', "2026-02-01T00:00:00.000Z", Quoted(kTlpGreen)),
             Indicator('d', "2026-01-01T00:00:00.000Z", Quoted(kTlpClear),
                       StrCat(R"(,"granular_markings":[{"marking_ref":")", kTlpRed,
                              R"(","selectors":["description"]}])")),
             Indicator('e', "2026-01-01T00:00:00.000Z", Quoted(kTlpClear),
                       StrCat(R"(,"granular_markings":[{"marking_ref":")", kTlpRed,
                              R"(","selectors":["pattern"]}])")),
             Indicator('f', "2026-01-01T00:00:00.000Z",
                       R"("marking-definition--2a000000-0000-4000-8000-0000000000ff")"),
         }) {
      std::vector<store::NewObject> batch = {objects_.Make(std::move(json))};
      auto added = db.AddObjects(fixture_.collection(), batch);
      ASSERT_TRUE(added.ok()) << added.status();
      ASSERT_EQ((*added)[0].outcome, store::AddOutcome::kAdded) << (*added)[0].reason;
    }
    auto collections = db.ListCollections("");
    ASSERT_TRUE(collections.ok());
    collections_ = *collections;
    OpenView();
  }

  // The counts' report view of the store as it is now (on PostgreSQL, a snapshot).
  void OpenView() {
    auto sql = fixture_.db().OpenReportView(CountScope(collections_));
    ASSERT_TRUE(sql.ok()) << sql.status();
    sql_ = std::move(*sql);
  }

  // The entries the released read gives `principal`: the last versions, or all.
  int64_t ReleasedRead(const identity::Principal& principal, bool all_versions) {
    policy::ReleasedReader reader(fixture_.db(), *policy_);
    store::PageRequest request;
    request.limit = 3;  // several pages
    request.filter.versions.all = all_versions;
    int64_t n = 0;
    for (;;) {
      auto page = reader.Read(principal, collections_[0], {policy::ReadTarget::Kind::kManifest, {}},
                              request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return -1;
      n += static_cast<int64_t>(page->objects.size());
      if (!page->more) return n;
      request.after = page->next;
    }
  }

  BriefFixture fixture_;
  store::Objects objects_;
  std::unique_ptr<policy::Policy> policy_;  // over the fixture's store, once built
  std::unique_ptr<store::Connection> sql_;
  std::vector<store::Collection> collections_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReleasedCountsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(ReleasedCountsTest, CountsEqualTheReleasedRead) {
  const std::vector<identity::Principal> principals = {
      identity::UserPrincipal("jpn", kJpnCert, "JPN", {"jpn-usa"}, kReader),
      identity::UserPrincipal("usa", kUsaCert, "USA", {"jpn-usa"}, kReader),
      identity::UserPrincipal("kor", kKorCert, "KOR", {}, kReader),
      identity::PeerPrincipal("usa-node", kUsaCert, "USA", {"jpn-usa"}),
  };
  std::vector<int64_t> objects;
  for (const identity::Principal& p : principals) {
    SCOPED_TRACE(p.nation);
    ReleasedCounter counter(*sql_, fixture_.db(), *policy_);
    auto counted = counter.CountObjects(p, collections_[0]);
    ASSERT_TRUE(counted.ok()) << counted.status();
    EXPECT_EQ(*counted, ReleasedRead(p, false));
    objects.push_back(*counted);

    auto groups = counter.TallyEntries(collections_, 0, std::numeric_limits<int64_t>::max(), {});
    ASSERT_TRUE(groups.ok()) << groups.status();
    auto released = counter.Release(p, collections_, *groups);
    ASSERT_TRUE(released.ok()) << released.status();
    int64_t entries = 0;
    for (size_t g = 0; g < groups->size(); ++g) {
      for (const auto& [at, n] : (*groups)[g].counts) entries += (*released)[g] ? n : 0;
    }
    EXPECT_EQ(entries, ReleasedRead(p, true));
  }
  EXPECT_GT(objects[0], objects[1]);
  EXPECT_GT(objects[1], objects[2]);
}

TEST_P(ReleasedCountsTest, EntriesAreCountedByDayAndSegment) {
  ReleasedCounter counter(*sql_, fixture_.db(), *policy_);
  // Segments: up to January 3rd, up to the 10th, after.
  const std::vector<int64_t> bounds = {report::Jan(4) - 1, report::Jan(11) - 1};
  auto groups = counter.TallyEntries(collections_, report::Jan(1), report::Jan(17), bounds);
  ASSERT_TRUE(groups.ok()) << groups.status();
  std::map<std::pair<int64_t, size_t>, int64_t> all;
  for (const CountedGroup& g : *groups) {
    for (const auto& [at, n] : g.counts) all[at] += n;
  }
  // The fixture's January entries (fixture.h) up to the 16th.
  const std::map<std::pair<int64_t, size_t>, int64_t> want = {{{report::Jan(2), 0}, 2},
                                                              {{report::Jan(3), 0}, 2},
                                                              {{report::Jan(9), 1}, 3},
                                                              {{report::Jan(10), 1}, 2},
                                                              {{report::Jan(16), 2}, 2}};
  EXPECT_EQ(all, want);
}

TEST_P(ReleasedCountsTest, ObjectsAddedBringACountUpToDate) {
  const identity::Principal usa =
      identity::UserPrincipal("usa", kUsaCert, "USA", {"jpn-usa"}, kReader);
  ReleasedCounter counter(*sql_, fixture_.db(), *policy_);
  auto before = counter.CountObjects(usa, collections_[0]);
  ASSERT_TRUE(before.ok()) << before.status();
  auto through = counter.LastEntryAdded();
  ASSERT_TRUE(through.ok());
  // A new object released to USA (+1), the withheld one a granular marking made invalid
  // released whole (+1), newer versions of objects counted already (an older one standing in
  // for a withheld one; a released one): no change.
  fixture_.clock().Set(fixture_.clock().NowMicros() + 1'000'000);
  for (std::string json : {Indicator('a', "2026-01-01T00:00:00.000Z", Quoted(kTlpGreen)),
                           Indicator('e', "2026-03-01T00:00:00.000Z", Quoted(kTlpClear)),
                           Indicator('1', "2026-03-01T00:00:00.000Z", Quoted(kTlpRed)),
                           Indicator('2', "2026-03-01T00:00:00.000Z", Quoted(kTlpGreen))}) {
    std::vector<store::NewObject> batch = {objects_.Make(std::move(json))};
    ASSERT_TRUE(fixture_.db().AddObjects(fixture_.collection(), batch).ok());
  }
  auto last = fixture_.db().LastDateAdded();
  ASSERT_TRUE(last.ok());
  OpenView();  // the entries added since
  ReleasedCounter now(*sql_, fixture_.db(), *policy_);
  auto change = now.ObjectsAdded(usa, collections_[0], *through, *last, 10);
  ASSERT_TRUE(change.ok()) << change.status();
  ASSERT_TRUE(change->has_value());
  EXPECT_EQ(**change, 2);
  auto after = now.CountObjects(usa, collections_[0]);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*before + **change, *after);
  EXPECT_EQ(*after, ReleasedRead(usa, false));
  // Beyond the bound, or with a marking definition among the entries: counted again.
  auto bounded = now.ObjectsAdded(usa, collections_[0], *through, *last, 3);
  ASSERT_TRUE(bounded.ok());
  EXPECT_FALSE(bounded->has_value());
  auto with_definition = now.ObjectsAdded(usa, collections_[0], 0, *last, 100);
  ASSERT_TRUE(with_definition.ok());
  EXPECT_FALSE(with_definition->has_value());
}

}  // namespace
}  // namespace kizuna::api
