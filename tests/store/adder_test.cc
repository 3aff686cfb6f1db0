// Kizuna. The rules every write obeys (store.h, Writer): marking definitions are never
// replaced, only an object's creator versions it, users write for their organisation, and
// partner nodes never version what was written here. Issue 16, findings 1 and 3.
#include "kizuna/store/sqlite/adder.h"

#include <gtest/gtest.h>

#include "kizuna/identity/principal.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/org_exchange.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

constexpr int64_t kStart = 1700000000000000;
constexpr char kJpn[] = "identity--0a000000-0000-4000-8000-00000000000a";
constexpr char kKor[] = "identity--0d000000-0000-4000-8000-00000000000d";
constexpr char kRelTo[] = "marking-definition--1a000000-0000-4000-8000-000000000001";
constexpr char kExerciseMarking[] = "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618";

std::string RelTo(std::string_view created, std::string_view statement, std::string_view creator = kJpn) {
  return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":")", kRelTo, R"(","created":")", created,
                R"(","created_by_ref":")", creator, R"(","definition_type":"statement","definition":{"statement":")",
                statement, R"("}})");
}

std::string IndicatorBy(std::string_view creator, std::string_view modified, std::string_view extra = "") {
  std::string by = creator.empty() ? "" : StrCat(R"(, "created_by_ref": ")", creator, "\"");
  return Indicator("000000000001", modified, StrCat(by, extra));
}

class AdderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    a_ = store_->CreateCollection({"", "root", "a", "A", "", 0})->id;
    b_ = store_->CreateCollection({"", "root", "b", "B", "", 0})->id;
  }

  // Writes `json` to `collection` as `writer` (the operator by default).
  AddResult Write(const std::string& collection, std::string json, const Writer& writer = {}) {
    std::vector<NewObject> batch{objects_.Make(std::move(json))};
    absl::StatusOr<std::vector<AddResult>> r;
    if (writer.kind == WriterKind::kOperator) {
      r = store_->AddObjects(collection, batch);
    } else {
      const RecordAdd record = [&](std::span<const AddResult>) -> absl::StatusOr<AddRecords> {
        AddRecords records;
        records.status = {StrCat("status-", ++statuses_), "root", "org", kStart, 1, 1, 0, 0, ""};
        return records;
      };
      r = store_->AddObjectsRecorded(collection, batch, writer, record);
    }
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? (*r)[0] : AddResult{};
  }

  std::vector<StoredObject> Versions(const std::string& collection) {
    PageRequest all;
    all.filter.versions = {.first = false, .last = false, .all = true, .exact_ns = {}};
    absl::StatusOr<Page> page = store_->GetObjects(collection, all);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->objects : std::vector<StoredObject>{};
  }

  TempDir dir_;
  FakeClock clock_{kStart};
  Objects objects_;
  std::unique_ptr<SqliteStore> store_;
  std::string a_, b_;
  int statuses_ = 0;
};

TEST_F(AdderTest, AMarkingDefinitionIsNeverReplacedInAnyCollection) {
  const std::string genuine = RelTo("2026-01-01T00:00:00.000Z", "REL TO USA, JPN");
  ASSERT_EQ(Write(a_, genuine).outcome, AddOutcome::kAdded);
  // A later `created` would be a new version of an ordinary object; of a marking definition
  // it is a redefinition, refused in every collection and from every writer.
  const std::string forged = RelTo("2026-06-01T00:00:00.000Z", "REL TO USA, JPN, KOR");
  AddResult r = Write(b_, forged);
  EXPECT_EQ(r.outcome, AddOutcome::kRefused);
  EXPECT_NE(r.reason.find("never versioned or replaced"), std::string::npos) << r.reason;
  EXPECT_EQ(Write(a_, forged, {WriterKind::kPartner, "kor", {}}).outcome, AddOutcome::kRefused);
  EXPECT_EQ(Write(a_, RelTo("2026-01-01T00:00:00.000Z", "REL TO USA, JPN, KOR")).outcome, AddOutcome::kRefused)
      << "same version, other content";
  // The same definition, serialised otherwise, may go into another collection.
  std::string reordered = genuine;
  reordered.insert(1, " ");
  EXPECT_EQ(Write(b_, reordered).outcome, AddOutcome::kAdded);
  absl::StatusOr<MarkingDefinitionRecord> held = store_->FindMarkingDefinition(kRelTo);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->json, genuine);
  EXPECT_EQ(held->local_author, "") << "written by the operator";
  // Deleting every entry of it does not open the id to another definition.
  ObjectFilter all;
  all.versions.all = true;
  ASSERT_EQ(*store_->DeleteObject(a_, kRelTo, all), 1);
  ASSERT_EQ(*store_->DeleteObject(b_, kRelTo, all), 1);
  EXPECT_EQ(Write(a_, forged).outcome, AddOutcome::kRefused);
  EXPECT_EQ(store_->FindMarkingDefinition(kRelTo)->json, genuine);
  EXPECT_EQ(Write(a_, genuine).outcome, AddOutcome::kAdded) << "the genuine one may come back";
}

TEST_F(AdderTest, RefusalsAreAuditedInTheWrite) {
  ASSERT_EQ(Write(a_, RelTo("2026-01-01T00:00:00.000Z", "REL TO JPN")).outcome, AddOutcome::kAdded);
  Write(a_, RelTo("2026-06-01T00:00:00.000Z", "REL TO JPN, KOR"), {WriterKind::kPartner, "kor", {}});
  absl::StatusOr<std::vector<AuditEvent>> audit = store_->ReadAudit({});
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "object.refuse");
  EXPECT_EQ((*audit)[0].actor, "kor");
  EXPECT_EQ((*audit)[0].target, a_);
  EXPECT_NE((*audit)[0].details.find(kRelTo), std::string::npos) << (*audit)[0].details;
  EXPECT_NE((*audit)[0].details.find("never versioned"), std::string::npos) << (*audit)[0].details;
}

TEST_F(AdderTest, OnlyTheCreatorMakesNewVersions) {
  ASSERT_EQ(Write(a_, IndicatorBy(kJpn, "2026-01-01T00:00:00.000Z")).outcome, AddOutcome::kAdded);
  // Another creator, or none, in any collection and from any writer: refused.
  AddResult r = Write(b_, IndicatorBy(kKor, "2026-02-01T00:00:00.000Z", R"(, "revoked": true)"));
  EXPECT_EQ(r.outcome, AddOutcome::kRefused);
  EXPECT_NE(r.reason.find("only an object's creator makes new versions"), std::string::npos) << r.reason;
  EXPECT_EQ(r.reason.find(kJpn), std::string::npos) << "the reason names no creator: " << r.reason;
  EXPECT_EQ(Write(a_, IndicatorBy("", "2026-02-01T00:00:00.000Z")).outcome, AddOutcome::kRefused);
  EXPECT_EQ(Write(a_, IndicatorBy(kKor, "2026-02-01T00:00:00.000Z"), {WriterKind::kPartner, "kor", {}}).outcome,
            AddOutcome::kRefused);
  EXPECT_EQ(Write(a_, IndicatorBy(kKor, "2026-02-01T00:00:00.000Z"), {WriterKind::kUser, "kim", kKor}).outcome,
            AddOutcome::kRefused);
  // The creator itself goes on.
  EXPECT_EQ(Write(a_, IndicatorBy(kJpn, "2026-02-01T00:00:00.000Z"), {WriterKind::kUser, "aoi", kJpn}).outcome,
            AddOutcome::kAdded);
  ASSERT_EQ(Versions(a_).size(), 2u);
  EXPECT_TRUE(Versions(b_).empty());
}

TEST_F(AdderTest, AUserWritesForItsOwnOrganisation) {
  const Writer kim{WriterKind::kUser, "kim", kKor};
  AddResult r = Write(a_, IndicatorBy(kJpn, "2026-01-01T00:00:00.000Z"), kim);
  EXPECT_EQ(r.outcome, AddOutcome::kRefused);
  EXPECT_NE(r.reason.find("not your organisation"), std::string::npos) << r.reason;
  EXPECT_EQ(Write(a_, RelTo("2026-01-01T00:00:00.000Z", "REL TO USA, JPN, KOR"), kim).outcome, AddOutcome::kRefused)
      << "not even a marking definition";
  EXPECT_FALSE(store_->FindMarkingDefinition(kRelTo).ok()) << "a refused definition is not held";
  // Without created_by_ref the object is attributed to the writer's organisation; its JSON
  // is kept as sent.
  const std::string unattributed = IndicatorBy("", "2026-01-01T00:00:00.000Z");
  ASSERT_EQ(Write(a_, unattributed, kim).outcome, AddOutcome::kAdded);
  std::vector<StoredObject> stored = Versions(a_);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].created_by_ref, kKor);
  EXPECT_EQ(stored[0].json, unattributed);
  // So its next version must be KOR's too.
  EXPECT_EQ(Write(a_, IndicatorBy(kJpn, "2026-02-01T00:00:00.000Z"), {WriterKind::kUser, "aoi", kJpn}).outcome,
            AddOutcome::kRefused);
  EXPECT_EQ(Write(a_, IndicatorBy(kKor, "2026-02-01T00:00:00.000Z"), kim).outcome, AddOutcome::kAdded);
  // A definition a user introduces is remembered as its organisation's.
  ASSERT_EQ(Write(b_, RelTo("2026-01-01T00:00:00.000Z", "REL TO KOR", kKor), kim).outcome, AddOutcome::kAdded);
  EXPECT_EQ(store_->FindMarkingDefinition(kRelTo)->local_author, kKor);
}

TEST_F(AdderTest, PredefinedTlpDefinitionsMayComeFromAnyUser) {
  const std::string tlp2_red = StrCat(
      R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",)"
      R"("created":"2022-10-01T00:00:00.000Z","name":"TLP:RED","created_by_ref":"identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",)"
      R"("extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"red"}}})");
  EXPECT_EQ(Write(a_, tlp2_red, {WriterKind::kUser, "kim", kKor}).outcome, AddOutcome::kAdded);
}

TEST_F(AdderTest, APartnerNeverVersionsWhatWasWrittenHere) {
  const Writer kor_node{WriterKind::kPartner, "kor", {}};
  ASSERT_EQ(Write(a_, IndicatorBy(kJpn, "2026-01-01T00:00:00.000Z")).outcome, AddOutcome::kAdded);
  // Even under the creator's name: the versions of this node's objects are made here.
  AddResult r = Write(a_, IndicatorBy(kJpn, "2026-02-01T00:00:00.000Z", R"(, "revoked": true)"), kor_node);
  EXPECT_EQ(r.outcome, AddOutcome::kRefused);
  EXPECT_NE(r.reason.find("first written on this node"), std::string::npos) << r.reason;
  // What the node holds already is acknowledged as such (loops add nothing).
  EXPECT_EQ(Write(a_, IndicatorBy(kJpn, "2026-01-01T00:00:00.000Z"), kor_node).outcome, AddOutcome::kAlreadyPresent);
  // Objects received from partners get their creator's next versions from any partner.
  const std::string other = Indicator("000000000002", "2026-01-01T00:00:00.000Z",
                                      StrCat(R"(, "created_by_ref": ")", kKor, "\""));
  ASSERT_EQ(Write(b_, other, kor_node).outcome, AddOutcome::kAdded);
  const std::string next = Indicator("000000000002", "2026-02-01T00:00:00.000Z",
                                     StrCat(R"(, "created_by_ref": ")", kKor, "\""));
  EXPECT_EQ(Write(b_, next, {WriterKind::kPartner, "usa", {}}).outcome, AddOutcome::kAdded);
}

// A partner node may relay any creator's objects but those of this node's own organisations:
// theirs are made here (docs/security.md, rule 5). A partner's organisation is one recorded as
// such (imported, or `--partner`), of a peer's nation, or one with a `peer` user.
TEST_F(AdderTest, APartnerNeverBringsNewObjectsOfThisNodesOrganisations) {
  constexpr char kUsa[] = "identity--0b000000-0000-4000-8000-00000000000b";
  constexpr char kAus[] = "identity--0c000000-0000-4000-8000-00000000000c";
  ASSERT_TRUE(store_->CreateOrganization("cli", {"JPN-CERT", "JPN", kJpn}).ok());
  ASSERT_TRUE(store_->CreateOrganization("cli", {"KOR-CERT", "KOR", kKor, /*partner=*/true}).ok());
  ASSERT_TRUE(store_->CreateOrganization("cli", {"USA-CERT", "USA", kUsa}).ok());
  ASSERT_TRUE(store_->CreateUser("cli", {"node-usa", "USA-CERT", uint8_t(identity::Role::kPeer)}).ok());
  const Writer kor_node{WriterKind::kPartner, "kor", kKor, "KOR"};
  auto by = [](std::string_view creator, std::string_view suffix) {
    return Indicator(suffix, "2026-01-01T00:00:00.000Z", StrCat(R"(, "created_by_ref": ")", creator, "\""));
  };
  AddResult forged = Write(a_, by(kJpn, "00000000000a"), kor_node);
  EXPECT_EQ(forged.outcome, AddOutcome::kRefused);
  EXPECT_NE(forged.reason.find("an organisation of this node"), std::string::npos) << forged.reason;
  EXPECT_EQ(Write(a_, by(kKor, "00000000000d"), kor_node).outcome, AddOutcome::kAdded);
  EXPECT_EQ(Write(a_, by(kUsa, "00000000000b"), kor_node).outcome, AddOutcome::kAdded);
  EXPECT_EQ(Write(a_, by(kAus, "00000000000c"), kor_node).outcome, AddOutcome::kAdded) << "unknown here";
  // The operator and the organisation's own users still write its objects.
  EXPECT_EQ(Write(b_, by(kJpn, "00000000000a")).outcome, AddOutcome::kAdded);
  EXPECT_EQ(Write(a_, by(kJpn, "0000000000aa"), {WriterKind::kUser, "aoi", kJpn, "JPN"}).outcome,
            AddOutcome::kAdded);
  // What this node made comes back from a partner as already held.
  EXPECT_EQ(Write(b_, by(kJpn, "00000000000a"), kor_node).outcome, AddOutcome::kAlreadyPresent);
}

// Issue 18, item 6: every entry records who added it; the first adder of a version in a
// collection stays its adder (a second one adds nothing), and an object without
// created_by_ref that a user sends is attributed to the user's organisation.
TEST_F(AdderTest, EveryEntryRecordsWhoAddedItAndTheFirstAdderStays) {
  const std::string sco =
      R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"})";
  const Writer aoi{WriterKind::kUser, "aoi", kJpn, "JPN"};
  const Writer kor_node{WriterKind::kPartner, "kor-node", kKor, "KOR"};
  ASSERT_EQ(Write(a_, sco, aoi).outcome, AddOutcome::kAdded);
  EXPECT_EQ(Write(a_, sco, kor_node).outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Write(a_, sco, {WriterKind::kUser, "kim", kKor, "KOR"}).outcome,
            AddOutcome::kAlreadyPresent);
  ASSERT_EQ(Write(b_, sco, kor_node).outcome,
            AddOutcome::kAdded);  // another collection: its own entry
  ASSERT_EQ(Write(b_, IndicatorBy("", "2026-01-01T00:00:00.000Z")).outcome,
            AddOutcome::kAdded);  // the operator
  std::vector<StoredObject> a = Versions(a_);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].added_by, kJpn);
  EXPECT_EQ(a[0].added_by_nation, "JPN");
  EXPECT_EQ(a[0].created_by_ref, kJpn)
      << "a user's object without created_by_ref is its organisation's";
  std::vector<StoredObject> b = Versions(b_);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].added_by, kKor);
  EXPECT_EQ(b[0].added_by_nation, "KOR");
  EXPECT_EQ(b[0].created_by_ref, "") << "a partner's is not attributed";
  EXPECT_EQ(b[1].added_by, "");
  EXPECT_EQ(b[1].added_by_nation, "");
}

// An SCO's id derives from its value: anyone can compute it. A write of one must answer the
// same whether or not another collection holds it, with other content or none, and must not
// carry the time it was first seen there.
TEST_F(AdderTest, AnObservableHeldInAnotherCollectionIsNeitherRevealedNorDated) {
  const std::string id = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd";
  const std::string plain = StrCat(R"({"type":"ipv4-addr","spec_version":"2.1","id":")", id, R"(","value":"198.51.100.3"})");
  const std::string red = StrCat(R"({"type":"ipv4-addr","spec_version":"2.1","id":")", id,
                                 R"(","value":"198.51.100.3","object_marking_refs":[")", kRelTo, R"("]})");
  const Writer aoi{WriterKind::kUser, "aoi", kJpn, "JPN"};
  const Writer kim{WriterKind::kUser, "kim", kKor, "KOR"};
  const Writer kor_node{WriterKind::kPartner, "kor-node", kKor, "KOR"};
  ASSERT_EQ(Write(a_, red, aoi).outcome, AddOutcome::kAdded);
  clock_.Advance(3'600'000'000);
  EXPECT_EQ(Write(b_, plain, kim).outcome, AddOutcome::kAdded) << "other content held in A only: no conflict";
  const std::string c = store_->CreateCollection({"", "root", "c", "C", "", 0})->id;
  EXPECT_EQ(Write(c, red, kor_node).outcome, AddOutcome::kAdded) << "A's content, A's creator: no refusal";
  std::vector<StoredObject> a = Versions(a_), b = Versions(b_), in_c = Versions(c);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(in_c.size(), 1u);
  EXPECT_NE(b[0].version, a[0].version) << "each copy is dated when its collection got it";
  EXPECT_EQ(in_c[0].version, b[0].version);
  // In its own collection, a copy still answers as before.
  EXPECT_EQ(Write(b_, plain, kim).outcome, AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Write(b_, red, kim).outcome, AddOutcome::kConflict);
}

// docs/security.md rule 6: exercise data enters exercise collections only, whoever writes it
// (the operator's import, a user's TAXII POST, a partner's push or pull). Issue 23, item 3.
TEST_F(AdderTest, ExerciseDataEntersExerciseCollectionsOnly) {
  Collection wanted{"", "root", "x", "X", "", 0};
  wanted.exercise = true;
  const std::string x = store_->CreateCollection(wanted)->id;
  const std::string marked =
      IndicatorBy(kJpn, "2026-01-01T00:00:00.000Z", StrCat(R"(, "object_marking_refs": [")", kExerciseMarking, "\"]"));
  const std::string granular = Indicator(
      "000000000002", "2026-01-01T00:00:00.000Z",
      StrCat(R"(, "created_by_ref": ")", kJpn, R"(", "granular_markings": [{"marking_ref": ")", kExerciseMarking,
             R"(", "selectors": ["pattern"]}])"));
  const std::string definition = StrCat(
      R"({"type":"marking-definition","spec_version":"2.1","id":")", kExerciseMarking,
      R"(","created":"2026-01-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"KIZUNA EXERCISE"}})");
  const Writer user{WriterKind::kUser, "jpn-analyst", kJpn, "JPN"};
  const Writer partner{WriterKind::kPartner, "kor", {}};
  for (const Writer& writer : {Writer{}, user, partner}) {
    for (const std::string& json : {marked, granular, definition}) {
      AddResult r = Write(a_, json, writer);
      EXPECT_EQ(r.outcome, AddOutcome::kRefused) << writer.name << " " << json;
      EXPECT_NE(r.reason.find("enters exercise collections only, and this collection is not one "
                              "(docs/security.md, rule 6)"),
                std::string::npos)
          << r.reason;
    }
  }
  EXPECT_TRUE(Versions(a_).empty());
  for (const std::string& json : {marked, granular, definition}) {
    EXPECT_EQ(Write(x, json, user).outcome, AddOutcome::kAdded) << json;
  }
  EXPECT_EQ(Versions(x).size(), 3u);
  // The flag is the collection's, read back with it; production data still enters both.
  auto all = store_->ListCollections("root");
  ASSERT_TRUE(all.ok());
  for (const Collection& c : *all) EXPECT_EQ(c.exercise, c.id == x) << c.alias;
  EXPECT_EQ(Write(a_, IndicatorBy(kJpn, "2026-03-01T00:00:00.000Z"), user).outcome, AddOutcome::kAdded);
}

// Migration 13 records the organisations imported before it as partners'.
TEST_F(AdderTest, MigrationThirteenMarksImportedOrganisationsAsPartners) {
  const std::string identity = StrCat(
      R"({"type":"identity","spec_version":"2.1","id":")", kKor,
      R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"KOR-CERT","identity_class":"organization"})");
  ASSERT_TRUE(ImportOrganization(*store_, "cli", {identity, "KOR", ""}).ok());
  ASSERT_TRUE(store_->CreateOrganization("cli", {"JPN-CERT", "JPN", kJpn}).ok());
  store_.reset();
  RawExec(dir_.File("kizuna.db"), StrCat(kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, "PRAGMA user_version = 12;"));
  auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
  ASSERT_TRUE(s.ok()) << s.status();
  store_ = std::move(*s);
  EXPECT_TRUE(store_->FindOrganization(kKor)->partner);
  EXPECT_FALSE(store_->FindOrganization(kJpn)->partner);
}

// Migration 12 gives entries without a creator that partners sent their partner as adder.
TEST_F(AdderTest, MigrationTwelveRecordsThePartnersOfEarlierEntries) {
  ASSERT_TRUE(store_->CreateOrganization("cli", {"KOR-A", "KOR", kKor}).ok());
  ASSERT_TRUE(
      store_->CreateUser("cli", {"kor-node", "KOR-A", static_cast<uint8_t>(identity::Role::kPeer)})
          .ok());
  ASSERT_EQ(Write(a_, IndicatorBy("", "2026-01-01T00:00:00.000Z"),
                  {WriterKind::kPartner, "kor-node", kKor, "KOR"})
                .outcome,
            AddOutcome::kAdded);
  ASSERT_EQ(Write(b_, IndicatorBy("", "2026-01-01T00:00:00.000Z")).outcome, AddOutcome::kAdded);
  store_.reset();
  RawExec(dir_.File("kizuna.db"), StrCat(kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, kUndoMigrationTwelve, "PRAGMA user_version = 11;"));
  auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
  ASSERT_TRUE(s.ok()) << s.status();
  store_ = std::move(*s);
  EXPECT_EQ(Versions(a_).at(0).added_by, kKor);
  EXPECT_EQ(Versions(a_).at(0).added_by_nation, "KOR");
  EXPECT_EQ(Versions(b_).at(0).added_by, "") << "the operator's stay without an adder";
}

TEST_F(AdderTest, MigrationEightKeepsTheFirstDefinitionOfEachId) {
  const std::string genuine = RelTo("2026-01-01T00:00:00.000Z", "REL TO USA, JPN");
  ASSERT_EQ(Write(a_, genuine).outcome, AddOutcome::kAdded);
  store_.reset();
  const std::string db = dir_.File("kizuna.db");
  {  // Back to schema 7, where a later definition of the id was stored as a new version.
    auto conn = Connection::Open(db, /*read_only=*/false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        (*conn)
            ->Exec(StrCat(
                kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, kUndoMigrationTwelve, kUndoMigrationEleven,
                "DROP TABLE marking_definitions; ALTER TABLE peers DROP COLUMN sealed_token;"
                "INSERT INTO entries (date_added_us, collection, id_hash, stix_id, type,"
                " version_ns, spec_version, version, created_by_ref, revoked, markings,"
                " valid_from_us, valid_until_us, is_first, is_last, is_top_spec, json)"
                " SELECT date_added_us + 10, collection, id_hash, stix_id, type, version_ns + 1,"
                " spec_version, version, created_by_ref, revoked, markings, valid_from_us,"
                " valid_until_us, 0, 1, 1, '",
                RelTo("2026-06-01T00:00:00.000Z", "REL TO USA, JPN, KOR"),
                "' FROM entries;"
                "PRAGMA user_version = 7;"))
            .ok());
  }
  auto s = SqliteStore::Open(db, clock_);
  ASSERT_TRUE(s.ok()) << s.status();
  store_ = std::move(*s);
  absl::StatusOr<MarkingDefinitionRecord> held = store_->FindMarkingDefinition(kRelTo);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->json, genuine);
}

}  // namespace
}  // namespace kizuna::store
