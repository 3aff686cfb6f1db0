// Kizuna. The brief's fixture store: JPN, USA and KOR, one alliance collection, a USA peer,
// objects over two periods (January 2026 and December 2025). tests/report/README.md lists
// what each audience may read and the figures computed by hand from it.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../store/pg_test_util.h"
#include "../store/store_test_util.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/report/period.h"
#include "kizuna/stix/parser.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::report {

// The store a fixture is built on: the report and count tests run once per backend.
enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& param) {
  return param.param == Backend::kSqlite ? "sqlite" : "postgres";
}

inline constexpr char kTlpClear[] = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
inline constexpr char kTlpGreen[] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
inline constexpr char kTlpRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
inline constexpr char kRelUsaJpn[] = "marking-definition--2a000000-0000-4000-8000-000000000001";
inline constexpr char kJpnCert[] = "identity--0a000000-0000-4000-8000-00000000000a";
inline constexpr char kUsaCert[] = "identity--0b000000-0000-4000-8000-00000000000b";
inline constexpr char kKorCert[] = "identity--0c000000-0000-4000-8000-00000000000c";

// "indicator--1..." etc.: the fixture's ids, by one hex digit.
inline std::string FixtureId(std::string_view type, char n) {
  return StrCat(type, "--", std::string(8, n), "-0000-4000-8000-000000000000");
}

// Microseconds at 00:00 UTC of 2026-01-`day` (December 2025 for day <= 0).
inline int64_t Jan(int day) { return (DaysFromCivil(2026, 1, 1) + day - 1) * kMicrosPerDay; }

class BriefFixture {
 public:
  std::string DbPath() const { return dir_.File("kizuna.db"); }
  store::Database& db() { return *db_; }
  FakeClock& clock() { return clock_; }
  const std::string& collection() const { return collection_; }

  // Builds the store on `backend` (a database of its own on the test cluster for PostgreSQL).
  // REQUIRES for PostgreSQL: store::PgTestServerUrl() has a value (the test skips otherwise).
  void Build(Backend backend = Backend::kSqlite) {
    if (backend == Backend::kPostgres) {
      pg_database_.emplace();
      store::PgOptions options;
      options.peer_key_path = dir_.File("peer-tokens.key");
      // Made first, as `kizuna init --store` makes it (a PgStore never makes one).
      ASSERT_TRUE(store::TokenSealer::LoadOrCreate(options.peer_key_path).ok());
      auto s = store::PgStore::Open(pg_database_->url(), clock_, options);
      ASSERT_TRUE(s.ok()) << s.status();
      db_ = std::move(*s);
    } else {
      auto s = store::SqliteStore::Open(DbPath(), clock_);
      ASSERT_TRUE(s.ok()) << s.status();
      db_ = std::move(*s);
    }
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    auto c = db_->CreateCollection({"", "intel", "alliance", "Alliance", "", 0, {"jpn-usa"}});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = c->id;
    for (auto [name, nation, id] : {std::tuple{"JPN-CERT", "JPN", kJpnCert}, std::tuple{"USA-CERT", "USA", kUsaCert},
                                    std::tuple{"KOR-CERT", "KOR", kKorCert}}) {
      ASSERT_TRUE(db_->CreateOrganization("test", {name, nation, id}).ok());
      ASSERT_TRUE(db_->AddGrant("test", collection_, {store::GranteeKind::kOrganization, id}, {true, false}).ok());
    }
    ASSERT_TRUE(db_->CreateGroup("test", "jpn-usa").ok());
    ASSERT_TRUE(db_->JoinGroup("test", "jpn-usa", kJpnCert).ok());
    ASSERT_TRUE(db_->JoinGroup("test", "jpn-usa", kUsaCert).ok());
    store::Peer peer;
    peer.name = "usa-node";
    peer.url = "https://127.0.0.1:9443";
    peer.api_root = "intel";
    peer.token = "secret";
    peer.nation = "USA";
    peer.communities = {"jpn-usa"};
    peer.organization = kUsaCert;
    store::PeerMapping& mapping = peer.mappings.emplace_back();
    mapping.local_collection = collection_;
    mapping.remote_collection = "remote-1";
    clock_.Set(Jan(-30));
    ASSERT_TRUE(db_->AddPeer("test", peer).ok());

    // December 2025 (the previous period).
    Add(Jan(-21), Indicator('0', "P1", kJpnCert, kTlpGreen));
    // A failed pass in December, fixed the next day: not an error of January.
    ASSERT_TRUE(db_->SaveSyncError("usa-node", peer.mappings[0], "refused", Jan(-5)).ok());
    ASSERT_TRUE(db_->SavePushProgress("usa-node", peer.mappings[0], 0, {}, Jan(-4)).ok());
    // January 2026.
    Add(Jan(2), StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":")", kRelUsaJpn,
                       R"(","created":"2026-01-01T00:00:00.000Z","name":"REL TO USA, JPN","extensions":{)",
                       R"("extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde":)",
                       R"({"extension_type":"property-extension","releasable_to":["USA","JPN"]}}})"));
    Add(Jan(2) + 1, Indicator('1', "Alpha", kJpnCert, kTlpGreen));
    Add(Jan(3), Indicator('2', "Bravo red", kJpnCert, kTlpRed));
    Add(Jan(3) + 1, Indicator('3', "Charlie", kJpnCert, kRelUsaJpn));
    Add(Jan(9), StrCat(R"({"type":"attack-pattern","spec_version":"2.1","id":")", FixtureId("attack-pattern", 'a'),
                       R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
                       R"("name":"Phishing","created_by_ref":")", kJpnCert, R"(","object_marking_refs":[")",
                       kTlpClear, R"("],"external_references":[{"source_name":"mitre-attack","external_id":"T1566"}],)",
                       R"("kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"initial-access"}]})"));
    Add(Jan(9) + 1, Relationship('4', "indicates", FixtureId("indicator", '1'), FixtureId("attack-pattern", 'a'), kTlpGreen));
    Add(Jan(9) + 2, Relationship('5', "indicates", FixtureId("indicator", '2'), FixtureId("attack-pattern", 'a'), kTlpRed));
    Add(Jan(10), StrCat(R"({"type":"intrusion-set","spec_version":"2.1","id":")", FixtureId("intrusion-set", 'b'),
                        R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
                        R"("name":"APT-X","created_by_ref":")", kJpnCert, R"(","object_marking_refs":[")", kTlpGreen,
                        R"("],"external_references":[{"source_name":"mitre-attack","external_id":"G9999"}]})"));
    Add(Jan(10) + 1, Relationship('6', "uses", FixtureId("intrusion-set", 'b'), FixtureId("attack-pattern", 'a'), kTlpGreen));
    Add(Jan(16), Sighting('7', FixtureId("indicator", '1'), 5, kTlpGreen));
    Add(Jan(16) + 1, Sighting('8', FixtureId("indicator", '2'), 7, kTlpRed));
    clock_.Set(Jan(16) + 2);
    ASSERT_TRUE(db_->SavePushProgress("usa-node", peer.mappings[0], Jan(16) + 1, {}, Jan(16) + 2).ok());
    // The link's passes: fine on the 24th at 06:00, failing at 10:00, 10:30 and on the 25th at
    // 09:00, back at 12:00: three errors, an outage of 30 hours (from the last success).
    const int64_t hour = 3600'000'000;
    ASSERT_TRUE(db_->SavePushProgress("usa-node", peer.mappings[0], Jan(16) + 1, {}, Jan(24) + 6 * hour).ok());
    for (int64_t at : {Jan(24) + 10 * hour, Jan(24) + 21 * hour / 2, Jan(25) + 9 * hour}) {
      ASSERT_TRUE(db_->SaveSyncError("usa-node", peer.mappings[0], "connection refused", at).ok());
    }
    ASSERT_TRUE(db_->SavePullPass("usa-node", peer.mappings[0], Jan(25) + 11 * hour).ok());  // the push decides
    ASSERT_TRUE(db_->SavePushProgress("usa-node", peer.mappings[0], Jan(16) + 1, {}, Jan(25) + 12 * hour).ok());
    // Pulled from the USA node on 20 January; created on the 19th.
    clock_.Set(Jan(20));
    std::vector<store::NewObject> pulled = {Make(Indicator('9', "Delta", kUsaCert, kTlpGreen, "2026-01-19T00:00:00.000Z"))};
    std::vector<std::string> dates = {"2026-01-19T12:00:00.000Z"};
    auto added = db_->AddPulledObjects(collection_, pulled, {"usa-node", "remote-1", dates, dates[0]});
    ASSERT_TRUE(added.ok()) << added.status();
    Add(Jan(23), Sighting('c', FixtureId("indicator", '9'), 2, kTlpGreen));
    clock_.Set(Jan(32) + 3600'000'000);  // when the brief is made
  }

 private:
  static std::string Indicator(char n, std::string_view name, std::string_view creator, std::string_view marking,
                               std::string_view created = "2026-01-01T00:00:00.000Z") {
    return StrCat(R"({"type":"indicator","spec_version":"2.1","id":")", FixtureId("indicator", n), R"(","created":")",
                  created, R"(","modified":")", created, R"(","name":")", name,
                  R"(","pattern":"[ipv4-addr:value = '198.51.100.)", static_cast<int>(n - '0'),
                  R"(']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","created_by_ref":")", creator,
                  R"(","object_marking_refs":[")", marking, R"("]})");
  }
  static std::string Relationship(char n, std::string_view kind, std::string_view from, std::string_view to,
                                  std::string_view marking) {
    return StrCat(R"({"type":"relationship","spec_version":"2.1","id":")", FixtureId("relationship", n),
                  R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","relationship_type":")",
                  kind, R"(","source_ref":")", from, R"(","target_ref":")", to, R"(","created_by_ref":")", kJpnCert,
                  R"(","object_marking_refs":[")", marking, R"("]})");
  }
  static std::string Sighting(char n, std::string_view of, int count, std::string_view marking) {
    return StrCat(R"({"type":"sighting","spec_version":"2.1","id":")", FixtureId("sighting", n),
                  R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","sighting_of_ref":")",
                  of, R"(","count":)", count, R"(,"created_by_ref":")", kJpnCert, R"(","object_marking_refs":[")",
                  marking, R"("]})");
  }

  store::NewObject Make(std::string json) { return objects_.Make(std::move(json)); }
  void Add(int64_t at_us, std::string json) {
    clock_.Set(at_us);
    std::vector<store::NewObject> batch = {Make(std::move(json))};
    auto added = db_->AddObjects(collection_, batch);
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_EQ((*added)[0].outcome, store::AddOutcome::kAdded) << (*added)[0].reason;
  }

  store::TempDir dir_;
  FakeClock clock_{0};
  std::optional<store::PgTestDatabase> pg_database_;  // outlives the store on it
  std::unique_ptr<store::Database> db_;
  std::string collection_;
  store::Objects objects_;
};

}  // namespace kizuna::report
