// Kizuna. A feed's lifecycle: unchanged values add nothing, changed settings make a version,
// --replace revokes what a list no longer names, ids belong to their creator (issue 19, item 5).
#include "kizuna/ingest/feed_lifecycle.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "kizuna/ingest/feed.h"
#include "simdjson.h"

namespace kizuna::ingest {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kT0 = 1700000000000000;
constexpr std::string_view kOrgA = "identity--0a000000-0000-4000-8000-00000000000a";
constexpr std::string_view kOrgB = "identity--0b000000-0000-4000-8000-00000000000b";

class FeedLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    intel_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
    other_ = store_->CreateCollection({"", "root", "other", "Other", "", 0})->id;
  }

  detect::FeedOptions Options(int64_t file_time, int64_t now, std::string_view creator = kOrgA) {
    detect::FeedOptions o;
    o.family = "emotet";
    o.time_us = file_time;
    o.now_us = now;
    o.created_by_ref = std::string(creator);
    return o;
  }

  // Imports `text` into `collection` and returns the summary.
  ImportSummary Import(std::string_view text, const detect::FeedOptions& o,
                       std::string_view collection = {}, FeedLedger* ledger = nullptr) {
    Importer importer(*store_, std::string(collection.empty() ? intel_ : collection));
    EXPECT_TRUE(ImportFeed(importer, "emotet.txt", text, o, nullptr, ledger).ok());
    for (const Rejection& r : importer.summary().rejections)
      ADD_FAILURE() << r.where << " " << r.id << ": " << r.reason;
    return importer.summary();
  }

  // The versions of every object of `collection`, as JSON.
  std::vector<std::string> AllVersions(const std::string& collection) {
    store::PageRequest r;
    r.filter.versions.all = true;
    r.filter.versions.last = false;
    r.limit = 1000;
    absl::StatusOr<store::Page> page = store_->GetObjects(collection, r);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const store::StoredObject& o : page->objects) out.push_back(o.json);
    }
    return out;
  }

  store::TempDir dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<store::SqliteStore> store_;
  std::string intel_, other_;
};

TEST_F(FeedLifecycleTest, AnUnchangedValueAddsNothingWhateverTheFileTime) {
  const std::string list = "evil.example\n198.51.100.7\n";
  EXPECT_EQ(Import(list, Options(kT0, kT0)).added, 2);
  // A touched copy, and a copy with one line removed, a day later.
  ImportSummary again = Import(list, Options(kT0 + kDay, kT0 + kDay));
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.already_present, 2);
  again = Import("198.51.100.7\n", Options(kT0 + 2 * kDay, kT0 + 2 * kDay));
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(AllVersions(intel_).size(), 2u);
}

TEST_F(FeedLifecycleTest, ChangedSettingsMakeANewVersionKeepingCreated) {
  Import("evil.example\n", Options(kT0, kT0));
  detect::FeedOptions o = Options(kT0 + kDay, kT0 + 2 * kDay);
  o.settings.confidence = 40;
  EXPECT_EQ(Import("evil.example\n", o).added, 1);
  EXPECT_EQ(Import("evil.example\n", o).added, 0) << "the new settings are now unchanged";
  const std::vector<std::string> versions = AllVersions(intel_);
  ASSERT_EQ(versions.size(), 2u);
  simdjson::dom::parser parser;
  simdjson::dom::element v2 = parser.parse(versions[1]);
  EXPECT_EQ(std::string_view(v2["created"]), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(std::string_view(v2["valid_from"]), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(std::string_view(v2["modified"]), "2023-11-16T22:13:20.000000Z") << "the import's time";
  EXPECT_EQ(int64_t(v2["confidence"]), 40);
}

TEST_F(FeedLifecycleTest, AValidityIsRenewedOnceHalfOfItIsGone) {
  detect::FeedOptions o = Options(kT0, kT0);
  o.settings.valid_for_days = 10;
  EXPECT_EQ(Import("evil.example\n", o).added, 1);
  o.now_us = o.time_us = kT0 + 4 * kDay;
  EXPECT_EQ(Import("evil.example\n", o).added, 0);
  o.now_us = o.time_us = kT0 + 6 * kDay;
  EXPECT_EQ(Import("evil.example\n", o).added, 1);
  simdjson::dom::parser parser;
  simdjson::dom::element v2 = parser.parse(AllVersions(intel_).back());
  EXPECT_EQ(std::string_view(v2["valid_until"]), "2023-11-30T22:13:20.000000Z");
}

TEST_F(FeedLifecycleTest, ReplaceRevokesWhatTheFeedNoLongerLists) {
  FeedLedger first;
  Import("evil.example\n198.51.100.7\ngone.example\n", Options(kT0, kT0), {}, &first);
  detect::FeedOptions other_feed = Options(kT0, kT0);
  other_feed.family = "qakbot";
  Import("qakbot.example\n", other_feed);              // another feed: not touched
  Import("gone.example\n", Options(kT0, kT0, kOrgB));  // another creator: not touched

  FeedLedger ledger;
  const detect::FeedOptions later = Options(kT0 + kDay, kT0 + kDay);
  Import("evil.example\n198.51.100.7\n", later, {}, &ledger);
  Importer importer(*store_, intel_);
  absl::StatusOr<int64_t> revoked = RevokeUnlisted(importer, ledger, kOrgA, kT0 + kDay);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(*revoked, 1);
  EXPECT_EQ(importer.summary().added, 1);
  simdjson::dom::parser parser;
  simdjson::dom::element v = parser.parse(AllVersions(intel_).back());
  EXPECT_EQ(std::string_view(v["name"]), "emotet: gone.example");
  EXPECT_EQ(bool(v["revoked"]), true);
  EXPECT_EQ(std::string_view(v["modified"]), "2023-11-15T22:13:20.000Z");
  // Nothing more to revoke; a feed one of whose lists failed is left alone.
  EXPECT_EQ(*RevokeUnlisted(importer, ledger, kOrgA, kT0 + kDay), 0);
  FeedLedger failed;
  failed.sources = {"emotet"};
  failed.incomplete = {"emotet"};
  EXPECT_EQ(*RevokeUnlisted(importer, failed, kOrgA, kT0 + kDay), 0);
  // The value comes back: a revoked object gets no versions, so a new id.
  EXPECT_EQ(Import("gone.example\n", Options(kT0 + 2 * kDay, kT0 + 2 * kDay)).added, 1);
  EXPECT_EQ(*store_->CountObjects(intel_), 6);
}

TEST_F(FeedLifecycleTest, OrganisationsAndCollectionsDoNotConflict) {
  EXPECT_EQ(Import("evil.example\n", Options(kT0, kT0)).added, 1);
  ImportSummary b = Import("evil.example\n", Options(kT0 + kDay, kT0 + kDay, kOrgB));
  EXPECT_EQ(b.added, 1);
  EXPECT_EQ(b.rejected, 0);
  // The same organisation's value in another collection: the version the node holds.
  ImportSummary other = Import("evil.example\n", Options(kT0 + kDay, kT0 + kDay), other_);
  EXPECT_EQ(other.added, 1);
  EXPECT_EQ(other.rejected, 0);
  EXPECT_EQ(AllVersions(other_), std::vector<std::string>{AllVersions(intel_)[0]});
}

TEST_F(FeedLifecycleTest, AConflictNamesTheCollectionThatHoldsTheOtherVersion) {
  const std::string a =
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z","name":"a","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2023-01-01T00:00:00.000Z"})";
  std::string b = a;
  b.replace(b.find(R"("name":"a")"), 10, R"("name":"b")");
  Importer first(*store_, intel_);
  ASSERT_TRUE(first.ImportText("a.json", a, stix::Padding::kAbsent).ok());
  Importer second(*store_, other_);
  ASSERT_TRUE(second.ImportText("b.json", b, stix::Padding::kAbsent).ok());
  ASSERT_EQ(second.summary().rejections.size(), 1u);
  EXPECT_EQ(
      second.summary().rejections[0].reason,
      "a different object with the same id and version is already stored in collection 'intel'");
  Importer here(*store_, intel_);
  ASSERT_TRUE(here.ImportText("b.json", b, stix::Padding::kAbsent).ok());
  EXPECT_EQ(here.summary().rejections[0].reason,
            "a different object with the same id and version is already stored in this collection");
}

}  // namespace
}  // namespace kizuna::ingest
