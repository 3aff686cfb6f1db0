// Kizuna.
#include "kizuna/ingest/revoke.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "kizuna/base/strings.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::ingest {
using store::Indicator;
using store::IndicatorId;
using store::SqliteStore;
using store::TempDir;

namespace {

constexpr int64_t kNow = 1700000000000000;  // 2023-11-14T22:13:20Z
constexpr std::string_view kOrg = "identity--0f3b2b5c-7f4e-4f7e-9f6e-2d5c1a7b8c9d";

TEST(RevokedVersionTest, KeepsEveryMemberAndSetsRevokedAndALaterModified) {
  const std::string json =
      Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(,"x_n":[1.5,{"k":"v"}])");
  absl::StatusOr<std::string> revoked = RevokedVersion(json, kNow);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(
      *revoked,
      StrCat(
          R"({"type":"indicator","spec_version":"2.1","id":")", IndicatorId("000000000001"),
          R"(","created":"2016-01-01T00:00:00.000Z","modified":"2023-11-14T22:13:20.000Z",)",
          R"("pattern":"[file:name = 'x']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z",)",
          R"("x_n":[1.5,{"k":"v"}],"revoked":true})"));
  // A `modified` ahead of the clock: one millisecond after it.
  const std::string ahead =
      Indicator("000000000001", "2030-01-01T00:00:00.999Z", R"(,"revoked":false)");
  revoked = RevokedVersion(ahead, kNow);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_NE(revoked->find(R"("modified":"2030-01-01T00:00:01.000Z")"), std::string::npos)
      << *revoked;
  EXPECT_NE(revoked->find(R"("revoked":true})"), std::string::npos) << *revoked;
  EXPECT_EQ(revoked->find("false"), std::string::npos) << *revoked;
}

TEST(RevokedVersionTest, RefusesWhatCannotBeRevoked) {
  EXPECT_EQ(
      RevokedVersion(R"({"type":"ipv4-addr","id":"ipv4-addr--1","value":"198.51.100.1"})", kNow)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RevokedVersion("[1]", kNow).status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status again =
      RevokedVersion(Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(,"revoked":true)"),
                     kNow)
          .status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.message().find("is revoked already"), std::string_view::npos) << again;
}

class AddRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
    const std::string first = Indicator("000000000001", "2016-01-01T00:00:00.000Z");
    absl::StatusOr<stix::ObjectIndex> index = ObjectChecker().Check(first, stix::Padding::kAbsent);
    ASSERT_TRUE(index.ok());
    const store::NewObject object{first, &*index};
    ASSERT_TRUE(store_->AddObjects(collection_, {&object, 1}).ok());
  }
  std::vector<store::AuditEvent> Audit() { return *store_->ReadAudit({0, 100, false}); }

  TempDir dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<SqliteStore> store_;
  std::string collection_;
};

TEST_F(AddRevocationTest, AddsTheVersionWithItsAuditEvent) {
  absl::StatusOr<std::string> json =
      RevokedVersion(Indicator("000000000001", "2016-01-01T00:00:00.000Z"), clock_.NowMicros());
  ASSERT_TRUE(json.ok());
  const RevokedBy by{store::Writer{}, kOrg, ""};
  absl::StatusOr<store::AddResult> added = AddRevocation(*store_, collection_, *json, by);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->outcome, store::AddOutcome::kAdded);
  store::PageRequest latest;
  store::Page page = *store_->GetObject(collection_, IndicatorId("000000000001"), latest);
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_TRUE(page.objects[0].revoked);
  auto events = Audit();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "object.revoke");
  EXPECT_EQ(events[0].target, collection_);
  EXPECT_NE(events[0].details.find(kOrg), std::string::npos) << events[0].details;
  EXPECT_NE(events[0].details.find("2023-11-14T22:13:20.000Z"), std::string::npos)
      << events[0].details;
  // The same revocation again changes nothing and is not audited again.
  added = AddRevocation(*store_, collection_, *json, by);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->outcome, store::AddOutcome::kAlreadyPresent);
  EXPECT_EQ(Audit().size(), 1u);
  EXPECT_EQ(AddRevocation(*store_, collection_, R"({"type":"indicator"})", by).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kizuna::ingest
