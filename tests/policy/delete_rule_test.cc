// Kizuna. Who may delete what (policy/delete_rule.h) over a real store: owners by
// created_by_ref or, without one, by who added the object; hidden objects are absent.
// Issue 18, item 6.
#include "kizuna/policy/delete_rule.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"

namespace kizuna::policy {
namespace {

constexpr char kJpnA[] = "identity--1a000000-0000-4000-8000-00000000000a";
constexpr char kJpnB[] = "identity--1b000000-0000-4000-8000-00000000000b";
constexpr char kKor[] = "identity--1c000000-0000-4000-8000-00000000000c";
constexpr char kSco[] = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd";
constexpr char kIndicator[] = "indicator--3a000000-0000-4000-8000-000000000001";

std::string Sco() {
  return StrCat(R"({"type":"ipv4-addr","spec_version":"2.1","id":")", kSco,
                R"(","value":"198.51.100.3"})");
}

std::string IndicatorBy(std::string_view creator) {
  return StrCat(R"({"type":"indicator","spec_version":"2.1","id":")", kIndicator,
                R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
                R"("pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",)"
                R"("valid_from":"2026-01-01T00:00:00Z","created_by_ref":")",
                creator, "\"}");
}

identity::Principal User(std::string org, std::string nation,
                         identity::Role role = identity::Role::kPublisher) {
  return identity::UserPrincipal("u", std::move(org), std::move(nation), {},
                                 static_cast<uint8_t>(role));
}

class DeleteRuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    auto c = db_->CreateCollection({"", "intel", "alliance", "Alliance", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = *c;
    ASSERT_TRUE(db_->CreateOrganization("test", {"JPN-A", "JPN", kJpnA}).ok());
    ASSERT_TRUE(db_->CreateOrganization("test", {"JPN-B", "JPN", kJpnB}).ok());
    ASSERT_TRUE(db_->CreateOrganization("test", {"KOR-A", "KOR", kKor}).ok());
    policy_ = std::make_unique<Policy>(*db_, db_.get(), clock_);
  }

  void Add(std::string json, const store::Writer& writer) {
    std::vector<store::NewObject> batch{objects_.Make(std::move(json))};
    absl::StatusOr<std::vector<store::AddResult>> r;
    if (writer.kind == store::WriterKind::kOperator) {
      r = db_->AddObjects(collection_.id, batch);
    } else {
      const store::RecordAdd record =
          [&](std::span<const store::AddResult>) -> absl::StatusOr<store::AddRecords> {
        store::AddRecords records;
        records.status = {StrCat("status-", ++statuses_), "intel", "org", 1, 1, 1, 0, 0, ""};
        return records;
      };
      r = db_->AddObjectsRecorded(collection_.id, batch, writer, record);
    }
    ASSERT_TRUE(r.ok()) << r.status();
  }

  void Release(std::string_view default_release) {
    ASSERT_TRUE(db_->SetCollectionPolicy(collection_.id, {}, default_release).ok());
    collection_ = *db_->FindCollection("intel", collection_.id);
  }

  absl::Status May(const identity::Principal& who, std::string_view id) {
    return MayDelete(*db_, *policy_, who, collection_, id, {});
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  store::Objects objects_;
  std::unique_ptr<store::SqliteStore> db_;
  store::Collection collection_;
  std::unique_ptr<Policy> policy_;
  int statuses_ = 0;
};

TEST_F(DeleteRuleTest, TheCreatorsOrganisationDeletesAndOthersWhoSeeItMayNot) {
  Add(IndicatorBy(kJpnA), {});
  EXPECT_TRUE(May(User(kJpnA, "JPN"), kIndicator).ok());
  absl::Status other = May(User(kJpnB, "JPN"), kIndicator);  // sees it (creator's nation)
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied) << other;
  EXPECT_EQ(View(other.message()), kNotOwnerReason);
  EXPECT_TRUE(May(User(kJpnB, "JPN", identity::Role::kNodeAdmin), kIndicator).ok());
  EXPECT_TRUE(May(identity::OperatorPrincipal(), kIndicator).ok());
}

TEST_F(DeleteRuleTest, AHiddenObjectIsAsAbsentAsAMissingOne) {
  Add(IndicatorBy(kJpnA), {});
  absl::Status hidden = May(User(kKor, "KOR"), kIndicator);
  absl::Status absent = May(User(kKor, "KOR"), "indicator--3a000000-0000-4000-8000-000000000009");
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden, absent);
}

TEST_F(DeleteRuleTest, AnObjectWithoutCreatorIsItsFirstAddersToDelete) {
  // A KOR node's peer user pushes an SCO; a JPN node operator's import of it adds nothing.
  Add(Sco(), {store::WriterKind::kPartner, "kor-node", kKor, "KOR"});
  Add(Sco(), {});
  Release("readers");  // everyone sees it
  EXPECT_TRUE(May(User(kKor, "KOR"), kSco).ok());
  EXPECT_EQ(May(User(kJpnA, "JPN"), kSco).code(), absl::StatusCode::kPermissionDenied);
  // Sending the same SCO again, as a user or as a partner, takes nothing over.
  Add(Sco(), {store::WriterKind::kUser, "aoi", kJpnA, "JPN"});
  Add(Sco(), {store::WriterKind::kPartner, "jpn-b-node", kJpnB, "JPN"});
  EXPECT_EQ(May(User(kJpnA, "JPN"), kSco).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(May(User(kJpnB, "JPN"), kSco).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(May(User(kKor, "KOR"), kSco).ok());
}

TEST_F(DeleteRuleTest, AnObjectTheOperatorAddedWithoutCreatorIsTheNodes) {
  Add(Sco(), {});
  Release("readers");
  EXPECT_EQ(May(User(kJpnA, "JPN"), kSco).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      May(identity::UserPrincipal("p", "", "USA", {}, static_cast<uint8_t>(identity::Role::kPeer)),
          kSco)
          .code(),
      absl::StatusCode::kPermissionDenied)
      << "no organisation owns it, not even an empty one";
  EXPECT_TRUE(May(identity::OperatorPrincipal(), kSco).ok());
}

}  // namespace
}  // namespace kizuna::policy
