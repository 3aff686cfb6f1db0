// Kizuna. Organisations exported at one node and imported at a partner (issue 19, item 14).
#include "kizuna/store/org_exchange.h"

#include <gtest/gtest.h>

#include "directory_test_util.h"

namespace kizuna::store {
namespace {

class OrgExchangeTest : public DirectoryTest {
 protected:
  // Another node's directory, where organisations are exported from.
  std::unique_ptr<SqliteStore> Partner() {
    auto s = SqliteStore::Open(dir_.File("partner.db"), clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
};

TEST_F(OrgExchangeTest, AnExportedIdentityIsRecordedWithTheSameId) {
  std::unique_ptr<SqliteStore> jpn_node = Partner();
  auto nisc = jpn_node->CreateOrganization("cli", {"NISC", "JPN", ""});
  ASSERT_TRUE(nisc.ok()) << nisc.status();
  auto imported = ImportOrganization(directory(), "cli", {nisc->identity_json, "JPN", ""});
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_TRUE(imported->added);
  EXPECT_EQ(imported->org.id, nisc->id);
  EXPECT_EQ(imported->org.name, "NISC");
  EXPECT_EQ(directory().FindOrganization(nisc->id)->nation, "JPN");
  AuditEvent e = LastEvent();
  EXPECT_EQ(e.action, "org.import");
  EXPECT_EQ(e.target, nisc->id);
  // Again: nothing changes, nothing is audited.
  int64_t events = AuditCount();
  auto again = ImportOrganization(directory(), "cli", {nisc->identity_json, "JPN", "NISC-2"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->added);
  EXPECT_EQ(again->org.name, "NISC");
  EXPECT_EQ(AuditCount(), events);
}

TEST_F(OrgExchangeTest, APartnerCannotClaimAnotherNation) {
  std::string cisa = Org("CISA", "USA");
  std::unique_ptr<SqliteStore> jpn_node = Partner();
  // The partner exports an identity that reuses a local organisation's id.
  auto spoof = jpn_node->CreateOrganization("cli", {"Spoof", "JPN", cisa});
  ASSERT_TRUE(spoof.ok()) << spoof.status();
  auto refused = ImportOrganization(directory(), "cli", {spoof->identity_json, "JPN", ""});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(refused.status(), "already 'CISA' of USA")) << refused.status();
  AuditEvent e = LastEvent();
  EXPECT_EQ(e.action, "org.import.refused");
  EXPECT_EQ(e.target, cisa);
  EXPECT_TRUE(Contains(e.details, R"("held_nation":"USA")")) << e.details;
  EXPECT_EQ(directory().FindOrganization(cisa)->nation, "USA");
  // The file says one nation, the operator records another: refused.
  auto kor = jpn_node->CreateOrganization("cli", {"KISA", "KOR", ""});
  auto mismatch = ImportOrganization(directory(), "cli", {kor->identity_json, "JPN", ""});
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      Contains(mismatch.status(), "'x_kizuna_nation' says KOR, not the nation recorded here (JPN)"))
      << mismatch.status();
  EXPECT_EQ(directory().FindOrganization(kor->id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(OrgExchangeTest, MalformedIdentitiesNameWhatIsWrong) {
  struct Case {
    std::string json, error;
  } cases[] = {
      {"[1]", "not a JSON object"},
      {R"({"type":"indicator","id":"identity--0a000000-0000-4000-8000-00000000000a","name":"X"})",
       "not identity"},
      {R"({"type":"identity","id":"identity--0a000000-0000-4000-8000-00000000000a","name":"X","identity_class":"individual"})",
       "'identity_class' is 'individual'"},
      {R"({"type":"identity","id":"identity--0a000000-0000-4000-8000-00000000000a"})", "no 'name'"},
      {R"({"type":"identity","id":"indicator--0a000000-0000-4000-8000-00000000000a","name":"X"})",
       "is not an identity--<UUID> STIX id"},
      {R"({"type":"identity","id":7,"name":"X"})", "'id' is not a string"},
      {std::string(kMaxIdentityJsonBytes + 1, ' '), "longer than"},
  };
  for (const Case& c : cases) {
    auto r = ImportOrganization(directory(), "cli", {c.json, "JPN", ""});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.json.substr(0, 80);
    EXPECT_TRUE(Contains(r.status(), c.error)) << r.status();
  }
}

}  // namespace
}  // namespace kizuna::store
