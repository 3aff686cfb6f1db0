// Kizuna. Peers, mappings, pull cursors and provenance in the SQLite store.
#include "kizuna/store/peers.h"

#include <gtest/gtest.h>

#include "kizuna/store/peer_tokens.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

class SqlitePeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
    ASSERT_TRUE(db_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = db_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
  }

  Peer Usa() const {
    Peer p;
    p.name = "usa";
    p.url = "https://127.0.0.1:9443";
    p.api_root = "intel";
    p.token = "secret";
    p.nation = "USA";
    p.communities = {"jpn-usa", "jpn-usa-kor"};
    PeerMapping& m = p.mappings.emplace_back();
    m.local_collection = collection_;
    m.remote_collection = "remote-1";
    return p;
  }

  TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<SqliteStore> db_;
  std::string collection_;
};

TEST_F(SqlitePeersTest, AddListGetRemove) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  auto all = db_->ListPeers();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  const Peer& p = (*all)[0];
  EXPECT_EQ(p.token, "secret");
  EXPECT_EQ(p.communities, (std::vector<std::string>{"jpn-usa", "jpn-usa-kor"}));
  ASSERT_EQ(p.mappings.size(), 1u);
  EXPECT_EQ(p.mappings[0].direction, SyncDirection::kBoth);
  EXPECT_EQ(p.mappings[0].pull_cursor, "");
  EXPECT_EQ(db_->GetPeer("usa")->nation, "USA");
  EXPECT_EQ(db_->AddPeer("cli", Usa()).code(), absl::StatusCode::kAlreadyExists);
  auto audit = db_->ReadAudit({});
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->back().action, "peer.add");
  EXPECT_EQ(audit->back().details.find("secret"), std::string::npos) << "tokens stay out of the audit log";
  ASSERT_TRUE(db_->RemovePeer("cli", "usa").ok());
  EXPECT_EQ(db_->GetPeer("usa").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(db_->RemovePeer("cli", "usa").code(), absl::StatusCode::kNotFound);
}

// Issue 24: peers that are not Kizuna take Basic, a client certificate, or both.
TEST_F(SqlitePeersTest, BasicAndClientCertificatesAreKeptAndTheSecretSealed) {
  Peer p = Usa();
  p.auth = PeerAuth::kBasic;
  p.basic_user = "user1";
  p.token = "Password1 with spaces";
  p.client_cert = "/etc/kizuna/node.pem";
  p.client_key = "/etc/kizuna/node.key";
  ASSERT_TRUE(db_->AddPeer("cli", p).ok());
  auto got = db_->GetPeer("usa");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->auth, PeerAuth::kBasic);
  EXPECT_EQ(got->basic_user, "user1");
  EXPECT_EQ(got->token, "Password1 with spaces");
  EXPECT_EQ(got->client_cert, "/etc/kizuna/node.pem");
  EXPECT_EQ(got->client_key, "/etc/kizuna/node.key");
  for (std::string_view file : {"kizuna.db", "kizuna.db-wal"}) {
    EXPECT_EQ(FileBytes(dir_.File(file)).find("Password1"), std::string::npos) << file;
  }
  const AuditEvent added = db_->ReadAudit({})->back();
  EXPECT_NE(added.details.find("\"basic_user\":\"user1\""), std::string::npos) << added.details;
  EXPECT_EQ(added.details.find("Password1"), std::string::npos) << "the password stays out of the audit log";

  // Update: the certificate alone, no header; the mappings and their progress stay.
  got->auth = PeerAuth::kNone;
  got->basic_user.clear();
  got->token.clear();
  ASSERT_TRUE(db_->UpdatePeer("cli", *got).ok());
  auto updated = db_->GetPeer("usa");
  EXPECT_EQ(updated->auth, PeerAuth::kNone);
  EXPECT_EQ(updated->token, "");
  EXPECT_EQ(updated->mappings.size(), 1u);
  EXPECT_EQ(db_->ReadAudit({})->back().action, "peer.update");
  got->name = "nobody";
  EXPECT_EQ(db_->UpdatePeer("cli", *got).code(), absl::StatusCode::kNotFound);
}

TEST_F(SqlitePeersTest, RefusesCredentialsThatCannotWork) {
  auto refused = [&](const Peer& p, std::string_view what) {
    absl::Status s = db_->AddPeer("cli", p);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << what;
    EXPECT_NE(std::string(s.message()).find(what), std::string::npos) << s;
  };
  Peer p = Usa();
  p.auth = PeerAuth::kBasic;
  refused(p, "needs a user name");
  p.basic_user = "us:er";
  refused(p, "without ':'");
  p = Usa();
  p.auth = PeerAuth::kNone;
  p.token.clear();
  refused(p, "needs a client certificate");
  p.client_cert = "/c.pem";
  refused(p, "needs its key");
  p.client_key = "/c.key";
  p.url = "http://127.0.0.1:9443";
  refused(p, "over https:// only");
  p = Usa();
  p.token = "two words";
  refused(p, "without spaces");
  EXPECT_TRUE(db_->ListPeers()->empty());
}

TEST_F(SqlitePeersTest, RefusesBadPeers) {
  Peer p = Usa();
  p.nation = "XYZ";
  absl::Status s = db_->AddPeer("cli", p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'XYZ'"), absl::string_view::npos) << s;
  p = Usa();
  p.mappings[0].local_collection = "no-such-collection";
  EXPECT_EQ(db_->AddPeer("cli", p).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(db_->ListPeers()->empty()) << "nothing of a refused peer is kept";
  p = Usa();
  p.mappings.clear();
  EXPECT_EQ(db_->AddPeer("cli", p).code(), absl::StatusCode::kInvalidArgument);
  p = Usa();
  p.url = "ftp://x";
  EXPECT_EQ(db_->AddPeer("cli", p).code(), absl::StatusCode::kInvalidArgument);
  // Finding 8 of issue 16: plain HTTP only to this machine.
  p.url = "http://10.0.0.1:8443";
  s = db_->AddPeer("cli", p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'http://10.0.0.1:8443'"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("loopback"), absl::string_view::npos) << s;
  p.url = "http://127.0.0.1:8080";
  EXPECT_TRUE(db_->AddPeer("cli", p).ok());
}

TEST_F(SqlitePeersTest, PulledObjectsKeepProvenanceAndTheCursor) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  Objects objects;
  std::vector<NewObject> batch = {objects.Make(Indicator("000000000001", "2020-01-01T00:00:00.000Z")),
                                  objects.Make(Indicator("000000000002", "2020-01-01T00:00:00.000Z"))};
  std::vector<std::string> dates = {"2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00.000002Z"};
  PullBatch pull{"usa", "remote-1", dates, "2026-01-01T00:00:00.000002Z"};
  auto added = db_->AddPulledObjects(collection_, batch, pull);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ((*added)[0].outcome, AddOutcome::kAdded);
  Peer p = *db_->GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-01T00:00:00.000002Z");
  EXPECT_EQ(p.mappings[0].pulled, 2);
  auto prov = db_->GetProvenance(collection_, IndicatorId("000000000002"));
  ASSERT_TRUE(prov.ok()) << prov.status();
  ASSERT_EQ(prov->size(), 1u);
  EXPECT_EQ((*prov)[0].peer, "usa");
  EXPECT_EQ((*prov)[0].remote_date_added, "2026-01-01T00:00:00.000002Z");
  auto page = db_->GetObjects(collection_, PageRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects[0].origin, "usa");
  EXPECT_EQ(page->objects[0].json.find("usa"), std::string::npos) << "provenance stays beside the object";
  // The same versions again add nothing; the cursor still moves.
  pull.cursor = "2026-01-02T00:00:00Z";
  added = db_->AddPulledObjects(collection_, batch, pull);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ((*added)[0].outcome, AddOutcome::kAlreadyPresent);
  p = *db_->GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pulled, 2);
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-02T00:00:00Z");
  // Local writes have no provenance.
  std::vector<NewObject> local = {objects.Make(Indicator("000000000003", "2020-01-01T00:00:00.000Z"))};
  ASSERT_TRUE(db_->AddObjects(collection_, local).ok());
  EXPECT_TRUE(db_->GetProvenance(collection_, IndicatorId("000000000003"))->empty());
}

// Issue 18, item 6: what a peer sends is added by the peer, whose organisation and nation
// the entries record (the owner of objects without created_by_ref).
TEST_F(SqlitePeersTest, PulledEntriesRecordThePeerAsTheirAdder) {
  Peer usa = Usa();
  usa.organization = "identity--0c000000-0000-4000-8000-00000000000c";
  ASSERT_TRUE(db_->AddPeer("cli", usa).ok());
  Peer kor = Usa();
  kor.name = "kor";
  kor.nation = "KOR";
  ASSERT_TRUE(db_->AddPeer("cli", kor).ok());
  Objects objects;
  std::vector<NewObject> batch = {
      objects.Make(Indicator("000000000001", "2020-01-01T00:00:00.000Z"))};
  std::vector<std::string> dates = {"2026-01-01T00:00:00.000001Z"};
  ASSERT_TRUE(db_->AddPulledObjects(collection_, batch, {"usa", "remote-1", dates, dates[0]}).ok());
  std::vector<NewObject> other = {
      objects.Make(Indicator("000000000002", "2020-01-01T00:00:00.000Z"))};
  ASSERT_TRUE(db_->AddPulledObjects(collection_, other, {"kor", "remote-1", dates, dates[0]}).ok());
  // The same version from another peer adds nothing and changes no adder.
  auto again = db_->AddPulledObjects(collection_, batch, {"kor", "remote-1", dates, dates[0]});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].outcome, AddOutcome::kAlreadyPresent);
  auto page = db_->GetObjects(collection_, PageRequest{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].added_by, usa.organization);
  EXPECT_EQ(page->objects[0].added_by_nation, "USA");
  EXPECT_EQ(page->objects[1].added_by, "") << "a peer without an organisation";
  EXPECT_EQ(page->objects[1].added_by_nation, "KOR");
}

TEST_F(SqlitePeersTest, APullForAnUnmappedCollectionWritesNothing) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  Objects objects;
  std::vector<NewObject> batch = {objects.Make(Indicator("000000000001", "2020-01-01T00:00:00.000Z"))};
  std::vector<std::string> dates = {"2026-01-01T00:00:00Z"};
  PullBatch pull{"usa", "remote-2", dates, "2026-01-01T00:00:00Z"};
  EXPECT_EQ(db_->AddPulledObjects(collection_, batch, pull).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(db_->GetObjects(collection_, PageRequest{})->objects.empty());
  std::vector<std::string> two = {"a", "b"};
  pull.remote_date_added = two;
  EXPECT_EQ(db_->AddPulledObjects(collection_, batch, pull).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SqlitePeersTest, PushProgressAndErrors) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  PeerMapping m = db_->GetPeer("usa")->mappings[0];
  ASSERT_TRUE(db_->SaveSyncError("usa", m, "peer usa: connection refused", 5).ok());
  EXPECT_EQ(db_->GetPeer("usa")->mappings[0].last_error, "peer usa: connection refused");
  const std::vector<int64_t> three = {1000, 1100, 1234};
  ASSERT_TRUE(db_->SavePushProgress("usa", m, 1234, three, 6).ok());
  PeerMapping after = db_->GetPeer("usa")->mappings[0];
  EXPECT_EQ(after.push_cursor_us, 1234);
  EXPECT_EQ(after.pushed, 3);
  EXPECT_EQ(after.last_error, "") << "a success clears the error";
  EXPECT_EQ(after.last_push_us, 6);
  ASSERT_TRUE(db_->SavePushProgress("usa", m, 1000, {}, 7).ok());
  EXPECT_EQ(db_->GetPeer("usa")->mappings[0].push_cursor_us, 1234) << "the cursor never moves back";
  m.remote_collection = "other";
  EXPECT_EQ(db_->SavePushProgress("usa", m, 1, three, 1).code(), absl::StatusCode::kNotFound);
}

// The history of passes (migration 20): consecutive passes with one outcome make one run; a
// run of failures ends with its UTC day; a pull of a mapping that also pushes leaves the
// outcome to the push.
TEST_F(SqlitePeersTest, PassesAreKeptAsRuns) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  const PeerMapping m = db_->GetPeer("usa")->mappings[0];
  const int64_t day = 86'400'000'000;
  ASSERT_TRUE(db_->SavePushProgress("usa", m, 0, {}, 10 * day).ok());
  ASSERT_TRUE(db_->SavePushProgress("usa", m, 0, {}, 10 * day + 5).ok());
  ASSERT_TRUE(db_->SaveSyncError("usa", m, "refused", 10 * day + 6).ok());
  ASSERT_TRUE(db_->SaveSyncError("usa", m, "refused", 10 * day + 7).ok());
  ASSERT_TRUE(db_->SaveSyncError("usa", m, "refused", 11 * day).ok());
  ASSERT_TRUE(db_->SavePullPass("usa", m, 11 * day + 1).ok());
  ASSERT_TRUE(db_->SavePushProgress("usa", m, 0, {}, 11 * day + 2).ok());
  auto sql = Connection::Open(dir_.File("kizuna.db"), true);
  ASSERT_TRUE(sql.ok()) << sql.status();
  auto st = (*sql)->Cached("SELECT ok, first_us, last_us, failures FROM sync_runs ORDER BY pk");
  ASSERT_TRUE(st.ok()) << st.status();
  std::vector<std::vector<int64_t>> runs;
  while (*(*st)->Step()) runs.push_back({(*st)->Int(0), (*st)->Int(1), (*st)->Int(2), (*st)->Int(3)});
  (*st)->Reset();
  const std::vector<std::vector<int64_t>> want = {{1, 10 * day, 10 * day + 5, 0},
                                                  {0, 10 * day + 6, 10 * day + 7, 2},
                                                  {0, 11 * day, 11 * day, 1},
                                                  {1, 11 * day + 2, 11 * day + 2, 0}};
  EXPECT_EQ(runs, want);
  ASSERT_TRUE(db_->RemovePeer("cli", "usa").ok());
  auto left = (*sql)->Cached("SELECT count(*) FROM sync_runs");
  ASSERT_TRUE(left.ok() && *(*left)->Step());
  EXPECT_EQ((*left)->Int(0), 0) << "a removed peer's history goes with it";
  (*left)->Reset();
}

// Issue 19, item 13: `sync status` said "pushed 2" for one object: a pass of the node and
// one of `kizuna sync run` that both sent it each added it to the count.
TEST_F(SqlitePeersTest, AnEntryPushedByTwoPassesCountsOnce) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  const PeerMapping before = db_->GetPeer("usa")->mappings[0];  // both passes read this cursor
  const std::vector<int64_t> one = {5000};
  ASSERT_TRUE(db_->SavePushProgress("usa", before, 5000, one, 6).ok());
  ASSERT_TRUE(db_->SavePushProgress("usa", before, 5000, one, 7).ok());
  EXPECT_EQ(db_->GetPeer("usa")->mappings[0].pushed, 1);
  const std::vector<int64_t> next = {5000, 6000};  // a later pass that overlaps the first
  ASSERT_TRUE(db_->SavePushProgress("usa", before, 6000, next, 8).ok());
  EXPECT_EQ(db_->GetPeer("usa")->mappings[0].pushed, 2);
}

// Finding 8 of issue 16: a copy of the database file alone gives away no partner token.
TEST_F(SqlitePeersTest, TokensAreSealedOutsideTheDatabase) {
  Peer p = Usa();
  p.token = "kz_0123456789abcdef_partner-token-in-clear";
  ASSERT_TRUE(db_->AddPeer("cli", p).ok());
  EXPECT_EQ(db_->GetPeer("usa")->token, p.token);
  for (std::string_view file : {"kizuna.db", "kizuna.db-wal"}) {
    EXPECT_EQ(FileBytes(dir_.File(file)).find("partner-token-in-clear"), std::string::npos) << file;
  }
  EXPECT_EQ(FileBytes(dir_.File("peer-tokens.key")).size(), TokenSealer::kKeyBytes);
  // With another key, the stored token does not open: it needs the key file.
  db_.reset();
  ASSERT_EQ(std::remove(dir_.File("peer-tokens.key").c_str()), 0);
  auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
  ASSERT_TRUE(s.ok()) << s.status();
  auto peers = (*s)->ListPeers();
  EXPECT_EQ(peers.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(peers.status().message().find("remove the peer and add it again"), absl::string_view::npos)
      << peers.status();
  EXPECT_TRUE((*s)->RemovePeer("cli", "usa").ok()) << "a peer whose token is lost can still be removed";
}

// Finding 8 of issue 16: tokens a store kept in clear (schema 7) are sealed when it opens, and
// leave the database's files.
TEST_F(SqlitePeersTest, MigrationSealsTokensKeptInClear) {
  ASSERT_TRUE(db_->AddPeer("cli", Usa()).ok());
  db_.reset();
  const std::string path = dir_.File("kizuna.db");
  RawExec(path, StrCat(kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, kUndoMigrationTwelve, kUndoMigrationEleven,
                       "ALTER TABLE peers DROP COLUMN sealed_token;"
                       "UPDATE peers SET token = 'kz_0123456789abcdef_kept-in-clear'; PRAGMA "
                       "user_version = 8;"));
  ASSERT_EQ(std::remove(dir_.File("peer-tokens.key").c_str()), 0);
  ASSERT_NE(FileBytes(path).find("kept-in-clear"), std::string::npos) << "the old state holds it in clear";
  auto s = SqliteStore::Open(path, clock_);
  ASSERT_TRUE(s.ok()) << s.status();
  db_ = std::move(*s);
  EXPECT_EQ(db_->GetPeer("usa")->token, "kz_0123456789abcdef_kept-in-clear");
  for (std::string_view file : {"kizuna.db", "kizuna.db-wal"}) {
    EXPECT_EQ(FileBytes(dir_.File(file)).find("kept-in-clear"), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace kizuna::store
