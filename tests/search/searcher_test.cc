// Kizuna. Search and correlation over a real store, through the policy: what each principal
// finds, and that nothing withheld shows, not as a result, a count or a "more".
#include "kizuna/search/searcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

#include "../store/pg_test_util.h"
#include "../store/store_test_util.h"
#include "kizuna/identity/principal.h"
#include "kizuna/search/extract.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::search {
namespace {

constexpr char kJpn[] = "identity--1a000000-0000-4000-8000-00000000000a";
constexpr char kUsa[] = "identity--1b000000-0000-4000-8000-00000000000b";
constexpr char kKor[] = "identity--1c000000-0000-4000-8000-00000000000c";
constexpr char kTlpRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr char kTlpClear[] = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
constexpr char kTlpGreen[] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

std::string Id(std::string_view type, int n) { return StrCat(type, "--3a000000-0000-4000-8000-", 100000000000 + n); }

std::string Indicator(int n, std::string_view pattern, std::string_view marking, std::string_view extra = "") {
  std::string o = StrCat(R"({"type":"indicator","spec_version":"2.1","id":")", Id("indicator", n),
                         R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
                         R"("name":"indicator )", n, R"(","pattern":")", pattern,
                         R"(","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","created_by_ref":")", kJpn, "\"");
  if (!marking.empty()) StrAppend(o, R"(,"object_marking_refs":[")", marking, "\"]");
  return o + std::string(extra) + "}";
}

std::string Relationship(int n, std::string_view type, std::string_view source, std::string_view target,
                         std::string_view marking) {
  return StrCat(R"({"type":"relationship","spec_version":"2.1","id":")", Id("relationship", n),
                R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
                R"("relationship_type":")", type, R"(","source_ref":")", source, R"(","target_ref":")", target,
                R"(","created_by_ref":")", kJpn, R"(","object_marking_refs":[")", marking, "\"]}");
}

std::string Named(std::string_view type, int n, std::string_view name, std::string_view marking,
                  std::string_view extra = "") {
  return StrCat(R"({"type":")", type, R"(","spec_version":"2.1","id":")", Id(type, n),
                R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":")", name,
                R"(","created_by_ref":")", kJpn, R"(","object_marking_refs":[")", marking, "\"]", extra, "}");
}

enum class Backend { kSqlite, kPostgres };

// Every case runs over each store (TEST_P). On PostgreSQL the objects and the search index are
// a PgStore's, and the directory (organisations, groups) a SQLite store's beside it, until
// PgStore keeps a directory too.
class SearcherTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    sqlite_ = std::move(*s);
    db_ = sqlite_.get();
    store::SearchIndex* index = sqlite_.get();
    if (GetParam() == Backend::kPostgres) {
      if (!store::PgTestServerUrl()) GTEST_SKIP() << store::kPgMissing;
      pg_database_.emplace();
      auto p = store::PgStore::Open(pg_database_->url(), clock_);
      ASSERT_TRUE(p.ok()) << p.status();
      pg_ = std::move(*p);
      db_ = pg_.get();
      index = pg_.get();
    }
    index->SetIndexer(std::make_shared<Extractor>());
    index_ = index;
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    auto c = db_->CreateCollection({"", "intel", "alliance", "Alliance", "", 0, {"jpn-usa"}});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = *c;
    ASSERT_TRUE(sqlite_->CreateOrganization("test", {"JPN-A", "JPN", kJpn}).ok());
    ASSERT_TRUE(sqlite_->CreateOrganization("test", {"USA-A", "USA", kUsa}).ok());
    ASSERT_TRUE(sqlite_->CreateOrganization("test", {"KOR-A", "KOR", kKor}).ok());
    ASSERT_TRUE(sqlite_->CreateGroup("test", "jpn-usa").ok());
    ASSERT_TRUE(sqlite_->JoinGroup("test", "jpn-usa", "JPN-A").ok());
    ASSERT_TRUE(sqlite_->JoinGroup("test", "jpn-usa", "USA-A").ok());
    policy_ = std::make_unique<policy::Policy>(*db_, sqlite_.get(), clock_);
    searcher_ = std::make_unique<Searcher>(
        *db_, *index, *policy_, sqlite_.get(), clock_,
        [this](const identity::Principal& p,
               const store::Collection& collection) -> absl::StatusOr<bool> {
          return p.organization != blocked_organization_ && collection.id != blocked_collection_;
        },
        [](std::string_view v) {
          return v == "8.8.8.8" ? std::string("public-dns") : std::string();
        },
        3);
    jpn_ = identity::UserPrincipal("jp", kJpn, "JPN", {"jpn-usa"}, static_cast<uint8_t>(identity::Role::kReader));
    usa_ = identity::UserPrincipal("us", kUsa, "USA", {"jpn-usa"}, static_cast<uint8_t>(identity::Role::kReader));
    kor_ = identity::UserPrincipal("kr", kKor, "KOR", {}, static_cast<uint8_t>(identity::Role::kReader));
  }

  void Add(std::vector<std::string> texts) {
    store::Objects objects;
    std::vector<store::NewObject> batch;
    for (std::string& t : texts) batch.push_back(objects.Make(std::move(t)));
    auto r = db_->AddObjects(collection_.id, batch);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const store::AddResult& a : *r) ASSERT_EQ(a.outcome, store::AddOutcome::kAdded) << a.reason;
  }

  static std::set<std::string> Ids(const Answer& a) {
    std::set<std::string> out;
    for (const Result& r : a.results) out.insert(r.object.id);
    return out;
  }

  std::set<std::string> Observed(const identity::Principal& p, std::string_view value, size_t limit = 50) {
    absl::StatusOr<ObservableAnswer> a = searcher_->Observable(p, value, {.limit = limit});
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? Ids(*a) : std::set<std::string>{};
  }

  store::TempDir dir_;
  FakeClock clock_{1780000000000000};
  std::unique_ptr<store::SqliteStore> sqlite_;  // the directory, and on SQLite the store
  std::optional<store::PgTestDatabase> pg_database_;
  std::unique_ptr<store::PgStore> pg_;
  store::Store* db_ = nullptr;  // the store under test
  store::SearchIndex* index_ = nullptr;  // its index
  store::Collection collection_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<Searcher> searcher_;
  std::string blocked_organization_ = "none";
  std::string blocked_collection_ = "none";
  identity::Principal jpn_, usa_, kor_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SearcherTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                           return param.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(SearcherTest, ObservableFindsPatternLiteralsObservablesAndRanges) {
  Add({Indicator(1, "[ipv4-addr:value = '198.51.100.7']", kTlpClear),
       Indicator(2, "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", kTlpClear),
       Indicator(3, "[ipv6-addr:value ISSUBSET '2001:db8::/32']", kTlpClear),
       R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--4a000000-0000-4000-8000-000000000001","value":"198.51.100.7"})"});
  absl::StatusOr<ObservableAnswer> a = searcher_->Observable(identity::OperatorPrincipal(), " 198.51.100.7 ", {});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->value, "198.51.100.7");
  EXPECT_TRUE(a->index_complete);
  std::set<std::string> want = {Id("indicator", 1), Id("indicator", 2), "ipv4-addr--4a000000-0000-4000-8000-000000000001"};
  EXPECT_EQ(Ids(*a), want);
  for (const Result& r : a->results) {
    ASSERT_EQ(r.reasons.size(), 1u);
    if (r.object.id == Id("indicator", 2)) {
      EXPECT_EQ(r.reasons[0].relation, "in-range");
      EXPECT_EQ(r.reasons[0].value, "198.51.100.0/24");
    } else {
      EXPECT_EQ(r.reasons[0].relation, "value");
    }
  }
  EXPECT_EQ(Observed(jpn_, "2001:DB8:0::77"), std::set<std::string>{Id("indicator", 3)});
  EXPECT_EQ(Observed(jpn_, "198.51.101.7"), std::set<std::string>{});
}

// Every marking of the decision table this fixture can express: each principal finds exactly
// what Policy::Filter releases to it, and with a limit of one the "more" flag counts only
// released results.
TEST_P(SearcherTest, NothingWithheldShowsNotEvenAsMore) {
  Add({Indicator(1, "[domain-name:value = 'shared.example']", kTlpRed),
       Indicator(2, "[domain-name:value = 'shared.example']", kTlpGreen),
       Indicator(3, "[domain-name:value = 'shared.example']", kTlpClear),
       Indicator(4, "[domain-name:value = 'shared.example']", "")});
  EXPECT_EQ(Observed(jpn_, "shared.example").size(), 4u);  // the creator's organisation
  EXPECT_EQ(Observed(usa_, "shared.example"), (std::set<std::string>{Id("indicator", 2), Id("indicator", 3)}));
  EXPECT_EQ(Observed(kor_, "shared.example"), std::set<std::string>{Id("indicator", 3)});
  absl::StatusOr<ObservableAnswer> one = searcher_->Observable(kor_, "shared.example", {.limit = 1});
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->more) << "three withheld objects must not show as more";
  EXPECT_FALSE(one->common) << "common counts released objects only (threshold 3)";
  one = searcher_->Observable(usa_, "shared.example", {.limit = 1});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->more);
  EXPECT_TRUE(searcher_->Observable(jpn_, "shared.example", {})->common);
  blocked_organization_ = kKor;  // no read grant on the collection
  EXPECT_EQ(Observed(kor_, "shared.example"), std::set<std::string>{});
}

TEST_P(SearcherTest, RedactedCopiesMatchOnlyWhatTheyStillHold) {
  Add({Indicator(1, "[domain-name:value = 'x.example']", kTlpClear,
                 StrCat(R"(,"description":"secret operation nightfall","granular_markings":[{"marking_ref":")", kTlpRed,
                        R"(","selectors":["description"]}])"))});
  TextRequest q{.query = "nightfall"};
  absl::StatusOr<Answer> mine = searcher_->Text(jpn_, q, {});
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(Ids(*mine), std::set<std::string>{Id("indicator", 1)});
  absl::StatusOr<Answer> theirs = searcher_->Text(usa_, q, {});
  ASSERT_TRUE(theirs.ok());
  EXPECT_TRUE(theirs->results.empty()) << "the description is redacted for USA";
  EXPECT_EQ(Observed(usa_, "x.example"), std::set<std::string>{Id("indicator", 1)}) << "the pattern is not redacted";
}

// An index behind its cursor (`kizuna import` defers indexing on the SQLite store) only finds
// less: every hit is read as its entry and filtered, so a newer version with stricter
// markings is not shown through its older version's values, a deleted object drops out, the
// pending entries are not counted (common, more), and answers say the index is not complete.
TEST_P(SearcherTest, ALaggingIndexShowsNothingThePolicyWithholds) {
  const bool lags = GetParam() == Backend::kSqlite;
  auto later = [](std::string object) {
    const std::string from = R"("modified":"2026-01-01T00:00:00.000Z")";
    object.replace(object.find(from), from.size(), R"("modified":"2026-02-01T00:00:00.000Z")");
    return object;
  };
  Add({Indicator(1, "[domain-name:value = 'old.example']", kTlpGreen),
       Indicator(2, "[domain-name:value = 'doomed.example']", kTlpGreen)});
  EXPECT_EQ(Observed(usa_, "old.example"), std::set<std::string>{Id("indicator", 1)});
  index_->DeferIndexing(true);
  // Version 2 of indicator 1: red (JPN only), and a value of its own.
  Add({later(Indicator(
           1, "[domain-name:value = 'old.example' OR domain-name:value = 'new.example']", kTlpRed)),
       Indicator(3, "[domain-name:value = 'old.example']", kTlpRed),
       Indicator(4, "[domain-name:value = 'old.example']", kTlpRed)});
  absl::StatusOr<ObservableAnswer> a = searcher_->Observable(usa_, "old.example", {.limit = 1});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->index_complete, !lags);
  ASSERT_EQ(a->results.size(), 1u);
  EXPECT_EQ(a->results[0].object.id, Id("indicator", 1));
  EXPECT_EQ(a->results[0].object.json.find(kTlpRed), std::string::npos)
      << "the green version, not the red one";
  EXPECT_FALSE(a->more) << "the red entries, indexed or not, do not count";
  EXPECT_FALSE(a->common);
  EXPECT_EQ(Observed(usa_, "new.example"), std::set<std::string>{});
  EXPECT_EQ(Observed(jpn_, "new.example"),
            lags ? std::set<std::string>{} : std::set<std::string>{Id("indicator", 1)});
  ASSERT_EQ(*db_->DeleteObject(collection_.id, Id("indicator", 2), {}), 1);
  EXPECT_EQ(Observed(usa_, "doomed.example"), std::set<std::string>{})
      << "a delete drops out at once";
  EXPECT_EQ(Observed(jpn_, "doomed.example"), std::set<std::string>{});
  auto caught = index_->CatchUpIndex(nullptr);
  ASSERT_TRUE(caught.ok()) << caught.status();
  EXPECT_EQ(caught->entries, lags ? 3 : 0);
  a = searcher_->Observable(usa_, "old.example", {});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->index_complete);
  ASSERT_EQ(a->results.size(), 1u);
  EXPECT_EQ(a->results[0].object.json.find(kTlpRed), std::string::npos);
  EXPECT_EQ(Observed(usa_, "new.example"), std::set<std::string>{});
  EXPECT_EQ(Observed(jpn_, "new.example"), std::set<std::string>{Id("indicator", 1)});
  EXPECT_EQ(Observed(jpn_, "old.example").size(), 3u);
}

TEST_P(SearcherTest, TextFiltersApplyBeforeTheLimit) {
  Add({Named("intrusion-set", 1, "Nightfall Panda", kTlpClear, R"(,"aliases":["APT-X"])"),
       Named("malware", 2, "Nightfall loader", kTlpGreen, R"(,"is_family":true)"),
       Named("malware", 3, "Nightfall dropper", kTlpRed, R"(,"is_family":true)")});
  absl::StatusOr<Answer> a = searcher_->Text(usa_, {.query = "nightfall"}, {.limit = 1});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->results.size(), 1u);
  EXPECT_TRUE(a->more);
  a = searcher_->Text(usa_, {.query = "nightfall", .types = {"malware"}}, {.limit = 1});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Ids(*a), std::set<std::string>{Id("malware", 2)});
  EXPECT_FALSE(a->more) << "the red one is withheld from USA";
  a = searcher_->Text(jpn_, {.query = "nightfall", .tlp = {"red"}}, {});
  EXPECT_EQ(Ids(*a), std::set<std::string>{Id("malware", 3)});
  a = searcher_->Text(jpn_, {.query = "apt-x"}, {});
  EXPECT_EQ(Ids(*a), std::set<std::string>{Id("intrusion-set", 1)});
  a = searcher_->Text(jpn_, {.query = "nightfall", .creator_nations = {"USA"}}, {});
  EXPECT_TRUE(a->results.empty());
  EXPECT_FALSE(searcher_->Text(jpn_, {.query = "  \"*  "}, {}).ok());
  // A word repeated counts once; more than kMaxQueryWords distinct words is refused.
  std::string repeated;
  for (int i = 0; i < 100; ++i) repeated += i % 2 ? "Nightfall " : "nightfall ";
  a = searcher_->Text(usa_, {.query = repeated}, {});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(Ids(*a), (std::set<std::string>{Id("intrusion-set", 1), Id("malware", 2)}));
  a = searcher_->Text(usa_, {.query = "a b c d e f g h i"}, {});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << a.status();
}

// Matches in a collection the principal may not read are not ranked for it: a flood of them
// cannot crowd its own matches out of the kMaxEntriesScanned ranked entries.
TEST_P(SearcherTest, TextRanksOnlyTheCollectionsThePrincipalMayRead) {
  auto hidden = db_->CreateCollection({"", "intel", "hidden", "Hidden", "", 0, {"jpn-usa"}});
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  blocked_collection_ = hidden->id;
  store::Objects objects;
  std::vector<store::NewObject> flood;
  for (int i = 0; i < static_cast<int>(Searcher::kMaxEntriesScanned); ++i) {
    flood.push_back(objects.Make(Named("malware", 100 + i, "Nightfall", kTlpClear, R"(,"is_family":true)")));
  }
  auto added = db_->AddObjects(hidden->id, flood);
  ASSERT_TRUE(added.ok()) << added.status();
  Add({Named("intrusion-set", 1, "Nightfall Panda of the long name", kTlpClear)});
  absl::StatusOr<Answer> a = searcher_->Text(usa_, {.query = "nightfall"}, {});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(Ids(*a), std::set<std::string>{Id("intrusion-set", 1)});
  EXPECT_FALSE(a->more);
  a = searcher_->Text(usa_, {.query = "nightfall", .collections = {hidden->id}}, {});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->results.empty());
  EXPECT_FALSE(a->more) << "a collection it may not read shows nothing, not even as more";
  blocked_collection_ = "none";
  a = searcher_->Text(usa_, {.query = "nightfall", .collections = {hidden->id}}, {.limit = 10});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->results.size(), 10u);
  EXPECT_TRUE(a->more);
}

TEST_P(SearcherTest, RelatedFollowsValuesSightingsAndRelationshipsThatAreReleased) {
  std::string set = Id("intrusion-set", 1), technique = Id("attack-pattern", 2), hidden = Id("malware", 3);
  Add({Indicator(1, "[ipv4-addr:value = '203.0.113.9']", kTlpClear),
       Indicator(2, "[ipv4-addr:value = '203.0.113.9' OR ipv4-addr:value = '8.8.8.8']", kTlpClear),
       Indicator(3, "[ipv4-addr:value = '8.8.8.8']", kTlpClear),
       Named("intrusion-set", 1, "Nightfall Panda", kTlpClear),
       Named("attack-pattern", 2, "Phishing", kTlpClear,
             R"(,"external_references":[{"source_name":"mitre-attack","external_id":"T1566"}])"),
       Named("malware", 3, "Hidden", kTlpRed, R"(,"is_family":true)"),
       Relationship(1, "indicates", Id("indicator", 1), set, kTlpClear),
       Relationship(2, "uses", set, technique, kTlpClear),
       Relationship(3, "indicates", Id("indicator", 1), hidden, kTlpClear),
       StrCat(R"({"type":"sighting","spec_version":"2.1","id":")", Id("sighting", 1),
              R"(","created":"2026-01-02T00:00:00.000Z","modified":"2026-01-02T00:00:00.000Z","sighting_of_ref":")",
              Id("indicator", 1), R"(","created_by_ref":")", kJpn, R"(","object_marking_refs":[")", kTlpClear, "\"]}")});
  absl::StatusOr<Answer> a = searcher_->Related(usa_, Id("indicator", 1), {});
  ASSERT_TRUE(a.ok()) << a.status();
  std::set<std::string> ids = Ids(*a);
  EXPECT_TRUE(ids.contains(Id("indicator", 2))) << "shares 203.0.113.9";
  EXPECT_TRUE(ids.contains(set)) << "one relationship away";
  EXPECT_TRUE(ids.contains(Id("relationship", 1)));
  EXPECT_TRUE(ids.contains(Id("sighting", 1)));
  EXPECT_FALSE(ids.contains(hidden)) << "TLP:RED for USA: no edge to it";
  EXPECT_FALSE(ids.contains(Id("indicator", 1))) << "not itself";
  for (const Result& r : a->results) {
    if (r.object.id == set) {
      ASSERT_EQ(r.reasons.size(), 1u);
      EXPECT_EQ(r.reasons[0].relation, "relationship");
      EXPECT_EQ(r.reasons[0].relationship_type, "indicates");
      EXPECT_EQ(r.reasons[0].via, Id("relationship", 1));
    }
  }
  absl::StatusOr<Answer> from_set = searcher_->Related(usa_, set, {});
  ASSERT_TRUE(from_set.ok());
  EXPECT_TRUE(Ids(*from_set).contains(technique));
  // Indicator 2 also shares 8.8.8.8, which a warninglist lists: marked common, listed last.
  absl::StatusOr<Answer> two = searcher_->Related(usa_, Id("indicator", 2), {});
  ASSERT_TRUE(two.ok());
  ASSERT_FALSE(two->results.empty());
  EXPECT_EQ(two->results.back().object.id, Id("indicator", 3));
  EXPECT_TRUE(two->results.back().common_only);
  EXPECT_FALSE(two->results.front().common_only);
  // A withheld object reads exactly as one that does not exist.
  absl::StatusOr<Answer> withheld = searcher_->Related(usa_, hidden, {});
  absl::StatusOr<Answer> absent = searcher_->Related(usa_, Id("malware", 99), {});
  ASSERT_FALSE(withheld.ok());
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(withheld.status().code(), absent.status().code());
  EXPECT_EQ(std::string(withheld.status().message()).replace(withheld.status().message().find(hidden), hidden.size(), "X"),
            std::string(absent.status().message()).replace(absent.status().message().find(Id("malware", 99)),
                                                           hidden.size(), "X"));
}

TEST_P(SearcherTest, BlocksListTheObjectsCarryingAddressesInsideThem) {
  Add({Indicator(1, "[ipv4-addr:value ISSUBSET '198.51.0.0/16']", kTlpClear),
       Indicator(2, "[ipv4-addr:value = '198.51.100.7']", kTlpClear),
       Indicator(3, "[ipv4-addr:value = '198.51.7.1']", kTlpRed),
       Indicator(4, "[ipv4-addr:value = '198.52.0.1' OR ipv4-addr:value = '198.5.1.1']", kTlpClear),
       Indicator(5, "[domain-name:value = '198.51.evil.example']", kTlpClear),
       Indicator(6, "[ipv4-addr:value = '198.51.9.9']", kTlpClear),
       Indicator(7, "[ipv4-addr:value = '198.51.9.9']", kTlpClear),
       Indicator(8, "[ipv4-addr:value = '198.51.9.9']", kTlpClear),
       Indicator(9, "[ipv6-addr:value ISSUBSET '2001:db8::/32']", kTlpClear),
       Indicator(10, "[ipv6-addr:value = '2001:db8::5']", kTlpClear),
       Indicator(11, "[ipv4-addr:value ISSUBSET '192.0.0.0/4']", kTlpClear)});
  absl::StatusOr<Answer> a = searcher_->Related(usa_, Id("indicator", 1), {});
  ASSERT_TRUE(a.ok()) << a.status();
  std::set<std::string> ids = Ids(*a);
  EXPECT_TRUE(ids.contains(Id("indicator", 2)));
  EXPECT_FALSE(ids.contains(Id("indicator", 3))) << "TLP:RED for USA";
  EXPECT_FALSE(ids.contains(Id("indicator", 4))) << "outside the block";
  EXPECT_FALSE(ids.contains(Id("indicator", 5))) << "a domain, not an address";
  EXPECT_FALSE(ids.contains(Id("indicator", 10)));
  for (int n : {6, 7, 8}) EXPECT_TRUE(ids.contains(Id("indicator", n))) << n << ": common, shown";
  ASSERT_FALSE(a->results.empty());
  const Result& first = a->results.front();
  EXPECT_EQ(first.object.id, Id("indicator", 2)) << "the common value's objects come after";
  ASSERT_EQ(first.reasons.size(), 1u);
  EXPECT_EQ(first.reasons[0].relation, "in-block");
  EXPECT_EQ(first.reasons[0].value, "198.51.100.7");
  EXPECT_EQ(first.reasons[0].block, "198.51.0.0/16");
  EXPECT_FALSE(first.reasons[0].common);
  for (const Result& r : a->results) {
    if (r.object.id != Id("indicator", 2) && r.object.id != Id("indicator", 11)) {
      EXPECT_TRUE(r.common_only) << r.object.id << ": 198.51.9.9 is in three objects (the threshold)";
    }
  }
  // JPN, the creator, reads the TLP:RED one.
  absl::StatusOr<Answer> jpn = searcher_->Related(jpn_, Id("indicator", 1), {});
  ASSERT_TRUE(jpn.ok());
  EXPECT_TRUE(Ids(*jpn).contains(Id("indicator", 3)));
  // IPv6, a block shorter than /8, and the observable lookup of a block.
  absl::StatusOr<Answer> v6 = searcher_->Related(usa_, Id("indicator", 9), {});
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(Ids(*v6), std::set<std::string>{Id("indicator", 10)});
  absl::StatusOr<Answer> wide = searcher_->Related(usa_, Id("indicator", 11), {});
  ASSERT_TRUE(wide.ok());
  EXPECT_TRUE(Ids(*wide).contains(Id("indicator", 2)));
  EXPECT_TRUE(Ids(*wide).contains(Id("indicator", 1))) << "a /16 inside the /4";
  std::set<std::string> observed = Observed(usa_, "198.51.0.0/16");
  EXPECT_TRUE(observed.contains(Id("indicator", 1)));
  EXPECT_TRUE(observed.contains(Id("indicator", 2)));
  EXPECT_FALSE(observed.contains(Id("indicator", 3)));
}

TEST_P(SearcherTest, ExternalIdsAreObservables) {
  Add({Named("attack-pattern", 2, "Phishing", kTlpClear,
             R"(,"external_references":[{"source_name":"mitre-attack","external_id":"T1566"}])")});
  EXPECT_EQ(Observed(kor_, "t1566"), std::set<std::string>{Id("attack-pattern", 2)});
}

}  // namespace
}  // namespace kizuna::search
