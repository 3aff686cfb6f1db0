// Kizuna. policy::Policy over a real store: resolving markings and creators, filtering pages.
#include "kizuna/policy/policy.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "kizuna/policy/marking.h"
#include "kizuna/stix/exercise_marking.h"

namespace kizuna::policy {
namespace {

constexpr char kJpn[] = "identity--1a000000-0000-4000-8000-00000000000a";
constexpr char kUsa[] = "identity--1b000000-0000-4000-8000-00000000000b";
constexpr char kKor[] = "identity--1c000000-0000-4000-8000-00000000000c";
constexpr char kLateOrg[] = "identity--1d000000-0000-4000-8000-00000000000d";
constexpr char kRel[] = "marking-definition--2a000000-0000-4000-8000-000000000001";

std::string Indicator(int n, std::string_view marking, std::string_view creator = kJpn) {
  std::string o = StrCat(R"({"type":"indicator","spec_version":"2.1","id":"indicator--3a000000-0000-4000-8000-00000000000)",
                         n, R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
                         R"("pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",)"
                         R"("valid_from":"2026-01-01T00:00:00Z","created_by_ref":")", creator, "\"");
  if (!marking.empty()) StrAppend(o, R"(,"object_marking_refs":[")", marking, "\"]");
  return o + "}";
}

std::string RelToUsaJpn() {
  return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":")", kRel,
                R"(","created":"2026-01-01T00:00:00.000Z","extensions":{")", kReleasableToExtensionId,
                R"(":{"extension_type":"property-extension","releasable_to":["USA","JPN"]}}})");
}

// The same id as RelToUsaJpn, releasing to KOR as well: another definition.
std::string RelToUsaJpnKor(std::string_view creator, std::string_view created = "2026-01-01T00:00:00.000Z") {
  return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":")", kRel, R"(","created":")", created,
                R"(","created_by_ref":")", creator, R"(","extensions":{")", kReleasableToExtensionId,
                R"(":{"extension_type":"property-extension","releasable_to":["USA","JPN","KOR"]}}})");
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    auto c = db_->CreateCollection({"", "intel", "alliance", "Alliance", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = *c;
    ASSERT_TRUE(db_->CreateOrganization("test", {"JPN-A", "JPN", kJpn}).ok());
    ASSERT_TRUE(db_->CreateOrganization("test", {"USA-A", "USA", kUsa}).ok());
    ASSERT_TRUE(db_->CreateGroup("test", "jpn-usa").ok());
    ASSERT_TRUE(db_->JoinGroup("test", "jpn-usa", "USA-A").ok());
    ASSERT_TRUE(db_->CreateUser("test", {"us", "USA-A", static_cast<uint8_t>(identity::Role::kReader)}).ok());
    policy_ = std::make_unique<Policy>(*db_, db_.get(), clock_);
  }

  void Add(std::vector<std::string> texts) {
    store::Objects objects;
    std::vector<store::NewObject> batch;
    for (std::string& t : texts) batch.push_back(objects.Make(std::move(t)));
    auto r = db_->AddObjects(collection_.id, batch);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  std::vector<store::StoredObject> All() {
    auto page = db_->GetObjects(collection_.id, store::PageRequest{});
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->objects : std::vector<store::StoredObject>{};
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> db_;
  store::Collection collection_;
  std::unique_ptr<Policy> policy_;
};

TEST_F(PolicyTest, PrincipalForUserReadsTheDirectory) {
  absl::StatusOr<identity::Principal> p = PrincipalForUser(*db_, "us");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->organization, kUsa);
  EXPECT_EQ(p->nation, "USA");
  EXPECT_EQ(p->groups, std::vector<std::string>{"jpn-usa"});
  EXPECT_EQ(p->Kind(), identity::PrincipalKind::kUser);
  EXPECT_EQ(PrincipalForUser(*db_, "nobody").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PolicyTest, PrincipalForPeerIsAPeer) {
  store::Peer peer;
  peer.name = "usa";
  peer.nation = "USA";
  peer.communities = {"jpn-usa"};
  identity::Principal p = PrincipalForPeer(peer);
  EXPECT_EQ(p.Kind(), identity::PrincipalKind::kPeer);
  EXPECT_EQ(p.user, "peer:usa");
  EXPECT_EQ(p.nation, "USA");
}

TEST_F(PolicyTest, FilterKeepsOrderAndResolvesStoredMarkings) {
  Add({RelToUsaJpn(), Indicator(1, kRel), Indicator(2, ""), Indicator(3, kRel)});
  identity::Principal usa = *PrincipalForUser(*db_, "us");
  std::vector<store::StoredObject> objects = All();
  ASSERT_EQ(objects.size(), 4u);
  absl::StatusOr<size_t> removed = policy_->Filter(usa, collection_, objects);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1u);
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0].id, kRel);
  EXPECT_EQ(objects[1].id, "indicator--3a000000-0000-4000-8000-000000000001");
  EXPECT_EQ(objects[2].id, "indicator--3a000000-0000-4000-8000-000000000003");
}

TEST_F(PolicyTest, ExplainEntryGivesTheDecisionFilterApplies) {
  Add({RelToUsaJpn(), Indicator(1, kRel), Indicator(2, ""), Indicator(3, kRel, kKor),
       Indicator(4, "marking-definition--2a000000-0000-4000-8000-0000000000ff")});
  ASSERT_TRUE(db_->CreateOrganization("test", {"KOR-A", "KOR", kKor}).ok());
  ASSERT_TRUE(db_->CreateUser("test", {"kr", "KOR-A", static_cast<uint8_t>(identity::Role::kReader)}).ok());
  for (const char* user : {"us", "kr"}) {
    SCOPED_TRACE(user);
    identity::Principal p = *PrincipalForUser(*db_, user);
    std::vector<store::StoredObject> kept = All(), denied;
    ASSERT_TRUE(policy_->Filter(p, collection_, kept, &denied).ok());
    for (const store::StoredObject& o : All()) {
      absl::StatusOr<EntryExplanation> e = policy_->ExplainEntry(p, collection_, o);
      ASSERT_TRUE(e.ok()) << e.status();
      bool withheld = std::any_of(denied.begin(), denied.end(), [&](const auto& d) { return d.id == o.id; });
      EXPECT_EQ(e->decision.verdict == Verdict::kDeny, withheld) << o.id << " " << e->decision.rule;
      absl::StatusOr<Decision> d = policy_->DecideEntry(p, collection_, o);
      ASSERT_TRUE(d.ok());
      EXPECT_EQ(e->decision.rule, d->rule) << o.id;
    }
  }
  identity::Principal us = *PrincipalForUser(*db_, "us");
  store::StoredObject fourth = All().back();
  absl::StatusOr<EntryExplanation> e = policy_->ExplainEntry(us, collection_, fourth);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->decision.rule, "unresolved-marking");
  EXPECT_EQ(e->creator_nation, "JPN");
  ASSERT_EQ(e->markings.size(), 1u);
  EXPECT_FALSE(e->markings[0].facts.has_value());
  store::StoredObject first = All()[1];
  e = policy_->ExplainEntry(us, collection_, first);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->markings.size(), 1u);
  EXPECT_EQ(e->markings[0].id, kRel);
  EXPECT_EQ(e->markings[0].outcome.rule, "releasable-to-nation");
  EXPECT_TRUE(e->markings[0].facts && e->markings[0].facts->releasable_to);
}

TEST_F(PolicyTest, AMarkingThatArrivesLaterIsUsedAfterTheRetryInterval) {
  Add({Indicator(1, kRel)});
  identity::Principal usa = *PrincipalForUser(*db_, "us");
  std::vector<store::StoredObject> objects = All();
  auto d = policy_->DecideEntry(usa, collection_, objects[0]);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->rule, "unresolved-marking");
  Add({RelToUsaJpn()});
  EXPECT_EQ(policy_->DecideEntry(usa, collection_, objects[0])->rule, "unresolved-marking") << "cached as unknown";
  clock_.Advance(PolicyOptions{}.unknown_marking_ttl_us + 1);
  d = policy_->DecideEntry(usa, collection_, objects[0]);
  EXPECT_EQ(d->verdict, Verdict::kAllow);
  EXPECT_EQ(d->rule, "markings");
}

TEST_F(PolicyTest, CreatorsOrganisationsAreReadAgainWhenUnknown) {
  Add({Indicator(1, "", kLateOrg)});
  ASSERT_TRUE(db_->CreateUser("test", {"jp", "JPN-A", static_cast<uint8_t>(identity::Role::kReader)}).ok());
  identity::Principal jpn = *PrincipalForUser(*db_, "jp");
  std::vector<store::StoredObject> objects = All();
  EXPECT_EQ(policy_->DecideEntry(jpn, collection_, objects[0])->verdict, Verdict::kDeny);
  ASSERT_TRUE(db_->CreateOrganization("test", {"JPN-LATE", "JPN", kLateOrg}).ok());
  clock_.Advance(PolicyOptions{}.org_refresh_interval_us + 1);
  auto d = policy_->DecideEntry(jpn, collection_, objects[0]);
  EXPECT_EQ(d->verdict, Verdict::kAllow);
  EXPECT_EQ(d->rule, "default-creator-nation");
}

// Issue 23: the exercise marking's definition, POSTed by the white cell's user, used to mark
// only the white cell's objects, so the teams' exercise sightings were withheld from every
// partner and from the white cell ("unresolved-marking").
TEST_F(PolicyTest, TheExerciseMarkingMarksEveryCreatorsObjects) {
  Add({Indicator(1, "")});  // JPN's
  store::StoredObject marked = All()[0];
  marked.markings = std::string(stix::kExerciseMarkingId);
  identity::Principal usa = *PrincipalForUser(*db_, "us");
  auto d = policy_->DecideEntry(usa, collection_, marked);
  auto plain = policy_->DecideEntry(usa, collection_, All()[0]);
  ASSERT_TRUE(d.ok() && plain.ok());
  // The marking changes nothing: the collection's default decides, as without it.
  EXPECT_EQ(d->rule, plain->rule);
  EXPECT_EQ(d->verdict, plain->verdict);
}

// Issue 16, finding 1: a definition a user of this node introduces under an id nobody held
// yet (say, one learned from a partner before its definition arrives) marks only the objects
// of the user's own organisation; on anyone else's objects it resolves to nothing (deny).
TEST_F(PolicyTest, ADefinitionAUserIntroducedMarksOnlyItsOrganisationsObjects) {
  ASSERT_TRUE(db_->CreateOrganization("test", {"KOR-A", "KOR", kKor}).ok());
  ASSERT_TRUE(db_->CreateUser("test", {"ko", "KOR-A", static_cast<uint8_t>(identity::Role::kReader)}).ok());
  store::Objects objects;
  std::vector<store::NewObject> batch{objects.Make(RelToUsaJpnKor(kKor))};
  const store::RecordAdd record = [](std::span<const store::AddResult>) -> absl::StatusOr<store::AddRecords> {
    store::AddRecords r;
    r.status = {"status-1", "intel", kKor, 1, 1, 1, 0, 0, ""};
    return r;
  };
  auto added = db_->AddObjectsRecorded(collection_.id, batch, {store::WriterKind::kUser, "ko", kKor}, record);
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ((*added)[0].outcome, store::AddOutcome::kAdded);
  Add({Indicator(1, kRel), Indicator(2, kRel, kKor)});
  identity::Principal kor = *PrincipalForUser(*db_, "ko");
  identity::Principal usa = *PrincipalForUser(*db_, "us");
  std::vector<store::StoredObject> entries = All();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(policy_->DecideEntry(kor, collection_, entries[1])->rule, "unresolved-marking") << "JPN's object";
  EXPECT_EQ(policy_->DecideEntry(usa, collection_, entries[1])->rule, "unresolved-marking") << "JPN's object";
  auto d = policy_->DecideEntry(usa, collection_, entries[2]);
  EXPECT_EQ(d->verdict, Verdict::kAllow) << "KOR's own object: " << d->rule;
}

// Issue 16, finding 1: ids the node does not hold, however many, never evict what a held
// definition means, and a later definition under a held id changes nothing.
TEST_F(PolicyTest, NoFloodOrRedefinitionChangesWhatAMarkingMeans) {
  PolicyOptions small;
  small.max_cached_markings = 4;
  policy_ = std::make_unique<Policy>(*db_, db_.get(), clock_, small);
  ASSERT_TRUE(db_->CreateOrganization("test", {"KOR-A", "KOR", kKor}).ok());
  ASSERT_TRUE(db_->CreateGroup("test", "jpn-usa-kor").ok());
  ASSERT_TRUE(db_->CreateUser("test", {"ko", "KOR-A", static_cast<uint8_t>(identity::Role::kReader)}).ok());
  Add({RelToUsaJpn(), Indicator(1, kRel)});
  identity::Principal kor = *PrincipalForUser(*db_, "ko");
  EXPECT_EQ(policy_->DecideEntry(kor, collection_, All()[1])->rule, "not-releasable");
  // A later `created` under the same id: refused by the store, whoever writes it.
  store::Objects objects;
  std::vector<store::NewObject> forged{objects.Make(RelToUsaJpnKor(kJpn, "2026-06-01T00:00:00.000Z"))};
  EXPECT_EQ((*db_->AddObjects(collection_.id, forged))[0].outcome, store::AddOutcome::kRefused);
  for (int i = 0; i < 40; ++i) {  // unknown ids, ten times the cache
    store::StoredObject bogus = All()[1];
    bogus.markings = StrCat("marking-definition--9a000000-0000-4000-8000-0000000000", 10 + i);
    EXPECT_EQ(policy_->DecideEntry(kor, collection_, bogus)->rule, "unresolved-marking");
  }
  Policy restarted(*db_, db_.get(), clock_);
  for (Policy* p : {policy_.get(), &restarted}) {
    EXPECT_EQ(p->DecideEntry(kor, collection_, All()[1])->rule, "not-releasable");
  }
}

TEST_F(PolicyTest, MalformedCollectionSettingsReleaseNothing) {
  Add({Indicator(1, "")});
  store::Collection broken = collection_;
  broken.default_release = "Everyone";
  std::vector<store::StoredObject> objects = All();
  identity::Principal operator_principal;
  operator_principal.node_operator = true;
  absl::StatusOr<size_t> removed = policy_->Filter(operator_principal, broken, objects);
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(removed.status().message().find(collection_.id), absl::string_view::npos) << removed.status();
}

}  // namespace
}  // namespace kizuna::policy
