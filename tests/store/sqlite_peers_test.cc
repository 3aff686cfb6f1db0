// Kizuna. Peers, mappings, pull cursors and provenance, and the federation leader, in the SQLite
// and PostgreSQL stores.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "federation_test_util.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/peers.h"

namespace kizuna::store {
namespace {

// The cases run once per backend (TEST_P); SqliteOnlyPeersTest holds those of the SQLite
// store's own machinery (its migrations).
class SqlitePeersTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  virtual StoreBackend backend() const { return GetParam(); }
  void SetUp() override {
    if (backend() == StoreBackend::kPostgres && !PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
    fed_.emplace(backend(), dir_, clock_);
    absl::Status opened = fed_->Open();
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_TRUE(store().CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store().CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
  }
  Store& store() { return fed_->store(); }
  PeerStore& peers() { return fed_->peers(); }

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

  // Stores a pulled page of the indicators `ids` through `s` (this process's store or
  // another's), as a page of usa's remote-1 asked after `after`, its cursor `date`, under the
  // lead of `epoch` (0: the process's own).
  absl::Status Pull(Store& s, std::vector<std::string_view> ids, const std::string& after,
                    const std::string& date, int64_t epoch = 0) {
    std::vector<NewObject> batch;
    for (std::string_view id : ids) {
      batch.push_back(objects_.Make(Indicator(id, "2020-01-01T00:00:00.000Z")));
    }
    std::vector<std::string> dates(ids.size(), date);
    return s
        .AddPulledObjects(collection_, batch,
                          PullBatch{.peer = "usa",
                                    .remote_collection = "remote-1",
                                    .remote_date_added = dates,
                                    .cursor = date,
                                    .after = after,
                                    .lead_epoch = epoch})
        .status();
  }

  TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::optional<FederationStore> fed_;
  std::string collection_;
  Objects objects_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SqlitePeersTest,
                         ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres),
                         StoreBackendName);

class SqliteOnlyPeersTest : public SqlitePeersTest {
 protected:
  StoreBackend backend() const override { return StoreBackend::kSqlite; }
};

class PgOnlyPeersTest : public SqlitePeersTest {
 protected:
  StoreBackend backend() const override { return StoreBackend::kPostgres; }
};

// A process of a node on PostgreSQL whose copy of the data directory lacks the key makes no
// key of its own (the others could not open what it sealed): it refuses, naming the file.
TEST_F(PgOnlyPeersTest, AMissingKeyIsNamedAndNotMade) {
  const std::string key = dir_.File("peer-tokens.key");
  ASSERT_EQ(std::remove(key.c_str()), 0);
  absl::Status added = peers().AddPeer("cli", Usa());
  EXPECT_EQ(added.code(), absl::StatusCode::kFailedPrecondition) << added;
  EXPECT_NE(added.message().find(key + " is missing"), std::string::npos) << added;
  EXPECT_FALSE(std::filesystem::exists(key));
  EXPECT_EQ(peers().GetPeer("usa").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(SqlitePeersTest, AddListGetRemove) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  auto all = peers().ListPeers();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  const Peer& p = (*all)[0];
  EXPECT_EQ(p.token, "secret");
  EXPECT_EQ(p.communities, (std::vector<std::string>{"jpn-usa", "jpn-usa-kor"}));
  ASSERT_EQ(p.mappings.size(), 1u);
  EXPECT_EQ(p.mappings[0].direction, SyncDirection::kBoth);
  EXPECT_EQ(p.mappings[0].pull_cursor, "");
  EXPECT_EQ(peers().GetPeer("usa")->nation, "USA");
  EXPECT_EQ(peers().AddPeer("cli", Usa()).code(), absl::StatusCode::kAlreadyExists);
  auto audit = fed_->Audit();
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->back().action, "peer.add");
  EXPECT_EQ(audit->back().details.find("secret"), std::string::npos) << "tokens stay out of the audit log";
  ASSERT_TRUE(peers().RemovePeer("cli", "usa").ok());
  EXPECT_EQ(peers().GetPeer("usa").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(peers().RemovePeer("cli", "usa").code(), absl::StatusCode::kNotFound);
}

// Issue 24: peers that are not Kizuna take Basic, a client certificate, or both.
TEST_P(SqlitePeersTest, BasicAndClientCertificatesAreKeptAndTheSecretSealed) {
  Peer p = Usa();
  p.auth = PeerAuth::kBasic;
  p.basic_user = "user1";
  p.token = "Password1 with spaces";
  p.client_cert = "/etc/kizuna/node.pem";
  p.client_key = "/etc/kizuna/node.key";
  ASSERT_TRUE(peers().AddPeer("cli", p).ok());
  auto got = peers().GetPeer("usa");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->auth, PeerAuth::kBasic);
  EXPECT_EQ(got->basic_user, "user1");
  EXPECT_EQ(got->token, "Password1 with spaces");
  EXPECT_EQ(got->client_cert, "/etc/kizuna/node.pem");
  EXPECT_EQ(got->client_key, "/etc/kizuna/node.key");
  EXPECT_FALSE(fed_->DatabaseHolds("Password1"));
  EXPECT_TRUE(fed_->DatabaseHolds("/etc/kizuna/node.pem")) << "the search finds what is there";
  const AuditEvent added = fed_->Audit()->back();
  EXPECT_NE(added.details.find("\"basic_user\":\"user1\""), std::string::npos) << added.details;
  EXPECT_EQ(added.details.find("Password1"), std::string::npos) << "the password stays out of the audit log";

  // Update: the certificate alone, no header; the mappings and their progress stay.
  got->auth = PeerAuth::kNone;
  got->basic_user.clear();
  got->token.clear();
  ASSERT_TRUE(peers().UpdatePeer("cli", *got).ok());
  auto updated = peers().GetPeer("usa");
  EXPECT_EQ(updated->auth, PeerAuth::kNone);
  EXPECT_EQ(updated->token, "");
  EXPECT_EQ(updated->mappings.size(), 1u);
  EXPECT_EQ(fed_->Audit()->back().action, "peer.update");
  got->name = "nobody";
  EXPECT_EQ(peers().UpdatePeer("cli", *got).code(), absl::StatusCode::kNotFound);
}

TEST_P(SqlitePeersTest, RefusesCredentialsThatCannotWork) {
  auto refused = [&](const Peer& p, std::string_view what) {
    absl::Status s = peers().AddPeer("cli", p);
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
  EXPECT_TRUE(peers().ListPeers()->empty());
}

TEST_P(SqlitePeersTest, RefusesBadPeers) {
  Peer p = Usa();
  p.nation = "XYZ";
  absl::Status s = peers().AddPeer("cli", p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'XYZ'"), absl::string_view::npos) << s;
  p = Usa();
  p.mappings[0].local_collection = "no-such-collection";
  EXPECT_EQ(peers().AddPeer("cli", p).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(peers().ListPeers()->empty()) << "nothing of a refused peer is kept";
  p = Usa();
  p.mappings.clear();
  EXPECT_EQ(peers().AddPeer("cli", p).code(), absl::StatusCode::kInvalidArgument);
  p = Usa();
  p.url = "ftp://x";
  EXPECT_EQ(peers().AddPeer("cli", p).code(), absl::StatusCode::kInvalidArgument);
  // Finding 8 of issue 16: plain HTTP only to this machine.
  p.url = "http://10.0.0.1:8443";
  s = peers().AddPeer("cli", p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'http://10.0.0.1:8443'"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("loopback"), absl::string_view::npos) << s;
  p.url = "http://127.0.0.1:8080";
  EXPECT_TRUE(peers().AddPeer("cli", p).ok());
}

TEST_P(SqlitePeersTest, PulledObjectsKeepProvenanceAndTheCursor) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  Objects objects;
  std::vector<NewObject> batch = {objects.Make(Indicator("000000000001", "2020-01-01T00:00:00.000Z")),
                                  objects.Make(Indicator("000000000002", "2020-01-01T00:00:00.000Z"))};
  std::vector<std::string> dates = {"2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00.000002Z"};
  PullBatch pull{"usa", "remote-1", dates, "2026-01-01T00:00:00.000002Z"};
  auto added = store().AddPulledObjects(collection_, batch, pull);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ((*added)[0].outcome, AddOutcome::kAdded);
  Peer p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-01T00:00:00.000002Z");
  EXPECT_EQ(p.mappings[0].pulled, 2);
  auto prov = store().GetProvenance(collection_, IndicatorId("000000000002"));
  ASSERT_TRUE(prov.ok()) << prov.status();
  ASSERT_EQ(prov->size(), 1u);
  EXPECT_EQ((*prov)[0].peer, "usa");
  EXPECT_EQ((*prov)[0].remote_date_added, "2026-01-01T00:00:00.000002Z");
  auto page = store().GetObjects(collection_, PageRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects[0].origin, "usa");
  EXPECT_EQ(page->objects[0].json.find("usa"), std::string::npos) << "provenance stays beside the object";
  // The same versions again add nothing; the cursor still moves.
  pull.after = pull.cursor;
  pull.cursor = "2026-01-02T00:00:00Z";
  added = store().AddPulledObjects(collection_, batch, pull);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ((*added)[0].outcome, AddOutcome::kAlreadyPresent);
  p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pulled, 2);
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-02T00:00:00Z");
  // Local writes have no provenance.
  std::vector<NewObject> local = {objects.Make(Indicator("000000000003", "2020-01-01T00:00:00.000Z"))};
  ASSERT_TRUE(store().AddObjects(collection_, local).ok());
  EXPECT_TRUE(store().GetProvenance(collection_, IndicatorId("000000000003"))->empty());
}

// Issue 18, item 6: what a peer sends is added by the peer, whose organisation and nation
// the entries record (the owner of objects without created_by_ref).
TEST_P(SqlitePeersTest, PulledEntriesRecordThePeerAsTheirAdder) {
  Peer usa = Usa();
  usa.organization = "identity--0c000000-0000-4000-8000-00000000000c";
  ASSERT_TRUE(peers().AddPeer("cli", usa).ok());
  Peer kor = Usa();
  kor.name = "kor";
  kor.nation = "KOR";
  ASSERT_TRUE(peers().AddPeer("cli", kor).ok());
  Objects objects;
  std::vector<NewObject> batch = {
      objects.Make(Indicator("000000000001", "2020-01-01T00:00:00.000Z"))};
  std::vector<std::string> dates = {"2026-01-01T00:00:00.000001Z"};
  ASSERT_TRUE(
      store().AddPulledObjects(collection_, batch, {"usa", "remote-1", dates, dates[0]}).ok());
  std::vector<NewObject> other = {
      objects.Make(Indicator("000000000002", "2020-01-01T00:00:00.000Z"))};
  ASSERT_TRUE(
      store().AddPulledObjects(collection_, other, {"kor", "remote-1", dates, dates[0]}).ok());
  // The same version from another peer adds nothing and changes no adder.
  auto again = store().AddPulledObjects(collection_, batch,
                                        {.peer = "kor",
                                         .remote_collection = "remote-1",
                                         .remote_date_added = dates,
                                         .cursor = dates[0],
                                         .after = dates[0]});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].outcome, AddOutcome::kAlreadyPresent);
  auto page = store().GetObjects(collection_, PageRequest{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].added_by, usa.organization);
  EXPECT_EQ(page->objects[0].added_by_nation, "USA");
  EXPECT_EQ(page->objects[1].added_by, "") << "a peer without an organisation";
  EXPECT_EQ(page->objects[1].added_by_nation, "KOR");
}

TEST_P(SqlitePeersTest, APullForAnUnmappedCollectionWritesNothing) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  Objects objects;
  std::vector<NewObject> batch = {objects.Make(Indicator("000000000001", "2020-01-01T00:00:00.000Z"))};
  std::vector<std::string> dates = {"2026-01-01T00:00:00Z"};
  PullBatch pull{"usa", "remote-2", dates, "2026-01-01T00:00:00Z"};
  EXPECT_EQ(store().AddPulledObjects(collection_, batch, pull).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store().GetObjects(collection_, PageRequest{})->objects.empty());
  std::vector<std::string> two = {"a", "b"};
  pull.remote_date_added = two;
  EXPECT_EQ(store().AddPulledObjects(collection_, batch, pull).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SqlitePeersTest, PushProgressAndErrors) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  PeerMapping m = peers().GetPeer("usa")->mappings[0];
  ASSERT_TRUE(peers().SaveSyncError("usa", m, "peer usa: connection refused", 5).ok());
  EXPECT_EQ(peers().GetPeer("usa")->mappings[0].last_error, "peer usa: connection refused");
  const std::vector<int64_t> three = {1000, 1100, 1234};
  ASSERT_TRUE(peers().SavePushProgress("usa", m, 1234, three, 6).ok());
  PeerMapping after = peers().GetPeer("usa")->mappings[0];
  EXPECT_EQ(after.push_cursor_us, 1234);
  EXPECT_EQ(after.pushed, 3);
  EXPECT_EQ(after.last_error, "") << "a success clears the error";
  EXPECT_EQ(after.last_push_us, 6);
  ASSERT_TRUE(peers().SavePushProgress("usa", m, 1000, {}, 7).ok());
  EXPECT_EQ(peers().GetPeer("usa")->mappings[0].push_cursor_us, 1234)
      << "the cursor never moves back";
  m.remote_collection = "other";
  EXPECT_EQ(peers().SavePushProgress("usa", m, 1, three, 1).code(), absl::StatusCode::kNotFound);
}

// The history of passes (migration 20): consecutive passes with one outcome make one run; a
// run of failures ends with its UTC day; a pull of a mapping that also pushes leaves the
// outcome to the push.
TEST_P(SqlitePeersTest, PassesAreKeptAsRuns) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  const PeerMapping m = peers().GetPeer("usa")->mappings[0];
  const int64_t day = 86'400'000'000;
  ASSERT_TRUE(peers().SavePushProgress("usa", m, 0, {}, 10 * day).ok());
  ASSERT_TRUE(peers().SavePushProgress("usa", m, 0, {}, 10 * day + 5).ok());
  ASSERT_TRUE(peers().SaveSyncError("usa", m, "refused", 10 * day + 6).ok());
  ASSERT_TRUE(peers().SaveSyncError("usa", m, "refused", 10 * day + 7).ok());
  ASSERT_TRUE(peers().SaveSyncError("usa", m, "refused", 11 * day).ok());
  ASSERT_TRUE(peers().SavePullPass("usa", m, 11 * day + 1).ok());
  ASSERT_TRUE(peers().SavePushProgress("usa", m, 0, {}, 11 * day + 2).ok());
  const std::vector<std::vector<int64_t>> runs =
      fed_->IntRows("SELECT ok, first_us, last_us, failures FROM sync_runs ORDER BY pk", 4);
  const std::vector<std::vector<int64_t>> want = {{1, 10 * day, 10 * day + 5, 0},
                                                  {0, 10 * day + 6, 10 * day + 7, 2},
                                                  {0, 11 * day, 11 * day, 1},
                                                  {1, 11 * day + 2, 11 * day + 2, 0}};
  EXPECT_EQ(runs, want);
  ASSERT_TRUE(peers().RemovePeer("cli", "usa").ok());
  EXPECT_EQ(fed_->IntRows("SELECT count(*) FROM sync_runs", 1),
            (std::vector<std::vector<int64_t>>{{0}}))
      << "a removed peer's history goes with it";
}

// Issue 19, item 13: `sync status` said "pushed 2" for one object: a pass of the node and
// one of `kizuna sync run` that both sent it each added it to the count.
TEST_P(SqlitePeersTest, AnEntryPushedByTwoPassesCountsOnce) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  const PeerMapping before = peers().GetPeer("usa")->mappings[0];  // both passes read this cursor
  const std::vector<int64_t> one = {5000};
  ASSERT_TRUE(peers().SavePushProgress("usa", before, 5000, one, 6).ok());
  ASSERT_TRUE(peers().SavePushProgress("usa", before, 5000, one, 7).ok());
  EXPECT_EQ(peers().GetPeer("usa")->mappings[0].pushed, 1);
  const std::vector<int64_t> next = {5000, 6000};  // a later pass that overlaps the first
  ASSERT_TRUE(peers().SavePushProgress("usa", before, 6000, next, 8).ok());
  EXPECT_EQ(peers().GetPeer("usa")->mappings[0].pushed, 2);
}

// Finding 8 of issue 16: a copy of the database file alone gives away no partner token.
TEST_P(SqlitePeersTest, TokensAreSealedOutsideTheDatabase) {
  Peer p = Usa();
  p.token = "kz_0123456789abcdef_partner-token-in-clear";
  ASSERT_TRUE(peers().AddPeer("cli", p).ok());
  EXPECT_EQ(peers().GetPeer("usa")->token, p.token);
  EXPECT_FALSE(fed_->DatabaseHolds("partner-token-in-clear"));
  EXPECT_TRUE(fed_->DatabaseHolds("127.0.0.1:9443")) << "the search finds what is there";
  EXPECT_EQ(FileBytes(dir_.File("peer-tokens.key")).size(), TokenSealer::kKeyBytes);
  // With another key, the stored token does not open: it needs the key file.
  fed_->Close();
  ASSERT_EQ(std::remove(dir_.File("peer-tokens.key").c_str()), 0);
  absl::Status opened = fed_->Open();
  ASSERT_TRUE(opened.ok()) << opened;
  auto listed = peers().ListPeers();
  EXPECT_EQ(listed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(listed.status().message().find("remove the peer and add it again"),
            absl::string_view::npos)
      << listed.status();
  EXPECT_TRUE(peers().RemovePeer("cli", "usa").ok())
      << "a peer whose token is lost can still be removed";
}

// Finding 8 of issue 16: tokens a store kept in clear (schema 7) are sealed when it opens, and
// leave the database's files.
TEST_F(SqliteOnlyPeersTest, MigrationSealsTokensKeptInClear) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  fed_->Close();
  const std::string path = dir_.File("kizuna.db");
  RawExec(path, StrCat(kUndoMigrationTwenty, kUndoMigrationFeeds, kUndoMigrationSeventeen, kUndoMigrationSixteen, kUndoMigrationEighteen, kUndoMigrationFifteen, kUndoMigrationSearch, kUndoMigrationThirteen, kUndoMigrationTwelve, kUndoMigrationEleven,
                       "ALTER TABLE peers DROP COLUMN sealed_token;"
                       "UPDATE peers SET token = 'kz_0123456789abcdef_kept-in-clear'; PRAGMA "
                       "user_version = 8;"));
  ASSERT_EQ(std::remove(dir_.File("peer-tokens.key").c_str()), 0);
  ASSERT_NE(FileBytes(path).find("kept-in-clear"), std::string::npos) << "the old state holds it in clear";
  absl::Status opened = fed_->Open();
  ASSERT_TRUE(opened.ok()) << opened;
  EXPECT_EQ(peers().GetPeer("usa")->token, "kz_0123456789abcdef_kept-in-clear");
  EXPECT_FALSE(fed_->DatabaseHolds("kept-in-clear"));
}

// Issue 25: of the processes serving one database, one runs federation at a time. SQLite: the
// one node serving it always leads.
TEST_P(SqlitePeersTest, OneProcessLeadsFederation) {
  EXPECT_EQ(peers().LeadFederation().value_or(false), true);
  EXPECT_EQ(peers().LeadFederation().value_or(false), true) << "and goes on leading";
  if (backend() == StoreBackend::kSqlite) return;
  auto other = fed_->OpenPg();  // another process
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->LeadFederation().value_or(true), false);
  EXPECT_EQ((*other)->LeadFederation().value_or(true), false) << "while the leader lives";
  EXPECT_EQ(peers().LeadFederation().value_or(false), true);
  fed_->Close();  // the leader's process ends: its connection closes
  EXPECT_EQ((*other)->LeadFederation().value_or(false), true) << "taken over at the next call";
  ASSERT_TRUE(fed_->Open().ok());
  EXPECT_EQ(peers().LeadFederation().value_or(true), false) << "a restarted process follows";
}

// A leader whose process dies without closing anything (no destructor runs) is taken over.
TEST_P(SqlitePeersTest, ALeaderThatDiesIsTakenOver) {
  if (backend() == StoreBackend::kSqlite) GTEST_SKIP() << "one SQLite node always leads";
  fed_->Close();
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto leader = fed_->OpenPg();
    char led = leader.ok() && (*leader)->LeadFederation().value_or(false) ? 'y' : 'n';
    (void)!::write(ready[1], &led, 1);
    char any;
    (void)!::read(done[0], &any, 1);  // until the parent has checked
    ::_exit(0);                       // no destructor: the socket closes with the process
  }
  char led = 0;
  ASSERT_EQ(::read(ready[0], &led, 1), 1);
  EXPECT_EQ(led, 'y');
  auto follower = fed_->OpenPg();
  ASSERT_TRUE(follower.ok()) << follower.status();
  EXPECT_EQ((*follower)->LeadFederation().value_or(true), false) << "the other process leads";
  ASSERT_EQ(::write(done[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  // The server notices the closed connection and releases the lock at once; allow it a moment.
  bool leads = false;
  for (int i = 0; i < 100 && !leads; ++i) {
    leads = (*follower)->LeadFederation().value_or(false);
    if (!leads) ::usleep(20'000);
  }
  EXPECT_TRUE(leads) << "the next call after the leader died takes over";
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

// A leader whose session the server ended (a restart, pg_terminate_backend) stops leading; the
// lock goes to the next process that asks.
TEST_P(SqlitePeersTest, ALeaderWhoseSessionEndedStopsLeading) {
  if (backend() == StoreBackend::kSqlite) GTEST_SKIP() << "one SQLite node always leads";
  ASSERT_EQ(peers().LeadFederation().value_or(false), true);
  auto other = fed_->OpenPg();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(fed_->IntRows(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"
                " AND granted AND database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())",
                1),
            (std::vector<std::vector<int64_t>>{{1}}));
  bool leads = false;
  for (int i = 0; i < 100 && !leads; ++i) {
    leads = (*other)->LeadFederation().value_or(false);
    if (!leads) ::usleep(20'000);
  }
  EXPECT_TRUE(leads);
  EXPECT_EQ(peers().LeadFederation().value_or(true), false)
      << "the old leader learns it lost the lock";
}

// Ends the sessions that hold advisory locks on the test's database (the federation lock of
// the leader), as a server restart or pg_terminate_backend would; then lets `other` take over.
bool EndTheLeadersSessionAndTakeOver(FederationStore& fed, PeerStore& other) {
  if (fed.IntRows(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"
          " AND granted AND database = (SELECT oid FROM pg_database"
          " WHERE datname = current_database())",
          1) != std::vector<std::vector<int64_t>>{{1}}) {
    return false;
  }
  for (int i = 0; i < 100; ++i) {
    if (other.LeadFederation().value_or(false)) return true;
    ::usleep(20'000);
  }
  return false;
}

// A leader whose session ended may still be finishing a pass when another process has taken
// over: none of its federation bookkeeping is written any more, so it cannot move the new
// leader's pull cursor back (nor record a pass or an error for it). A process that never led
// (`kizuna sync run --once`) writes as before.
TEST_P(SqlitePeersTest, AFormerLeaderCannotMoveTheCursorBack) {
  if (backend() == StoreBackend::kSqlite) GTEST_SKIP() << "one SQLite node always leads";
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  ASSERT_EQ(peers().LeadFederation().value_or(false), true);
  const PeerMapping m = peers().GetPeer("usa")->mappings[0];
  ASSERT_TRUE(Pull(store(), {"000000000001"}, "", "2026-01-01T00:00:00Z").ok())
      << "it writes while it leads";

  auto other = fed_->OpenPg();  // another process
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(EndTheLeadersSessionAndTakeOver(*fed_, **other));
  ASSERT_TRUE(Pull(**other, {"000000000003"}, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z").ok())
      << "the new leader pulls on";

  // The former leader finishes its pass: a batch with an older cursor, then the pass's records.
  absl::Status s = Pull(store(), {"000000000002"}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(peers().SavePullPass("usa", m, 5).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(peers().SavePushProgress("usa", m, 1, {}, 5).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(peers().SaveSyncError("usa", m, "timed out", 5).code(),
            absl::StatusCode::kFailedPrecondition);
  Peer p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-03T00:00:00Z") << "the cursor did not move back";
  EXPECT_EQ(p.mappings[0].pulled, 2);
  EXPECT_EQ(p.mappings[0].last_error, "");
  auto page = store().GetObject(collection_, IndicatorId("000000000002"), PageRequest{});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->objects.empty()) << "nor its objects";
  EXPECT_EQ(peers().LeadFederation().value_or(true), false);
  EXPECT_EQ(peers().SavePullPass("usa", m, 6).code(), absl::StatusCode::kFailedPrecondition)
      << "still fenced once it knows it follows";
  EXPECT_TRUE((*other)->SavePullPass("usa", m, 7).ok()) << "the leader's records go in";

  auto cli = fed_->OpenPg();  // `kizuna sync run --once`: never leads, not fenced
  ASSERT_TRUE(cli.ok()) << cli.status();
  EXPECT_TRUE((*cli)->SavePullPass("usa", m, 8).ok());

  // The lead comes back to a process that lost it (the other one ends): it writes again.
  other->reset();
  bool leads = false;
  for (int i = 0; i < 100 && !leads; ++i) {
    leads = peers().LeadFederation().value_or(false);
    if (!leads) ::usleep(20'000);
  }
  ASSERT_TRUE(leads);
  EXPECT_TRUE(Pull(store(), {"000000000004"}, "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z").ok());
}

// A pass's writes carry the epoch of the lead it began under: a process whose lead ended
// and which took the lead again (its other runner asked meanwhile) cannot finish a pass of
// the former lead, whose cursors were read before the other process's writes; the passes of
// its new lead write.
TEST_P(SqlitePeersTest, APassOfAFormerLeadCannotWriteAfterItsProcessLeadsAgain) {
  if (backend() == StoreBackend::kSqlite) GTEST_SKIP() << "one SQLite node always leads";
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  Feed feed;
  feed.name = "ipsum";
  feed.url = "https://feeds.example/ipsum.txt";
  feed.collection = collection_;
  feed.as_user = "feeder";
  ASSERT_TRUE(fed_->feeds().AddFeed("cli", feed).ok());
  auto run = [](int64_t time_us, int64_t epoch) {
    FeedRunRecord r;
    r.time_us = time_us;
    r.lead_epoch = epoch;
    return r;
  };
  const PeerMapping m = peers().GetPeer("usa")->mappings[0];
  const std::optional<int64_t> first = peers().LeadFederationEpoch().value_or(std::nullopt);
  ASSERT_TRUE(first.has_value());
  ASSERT_GT(*first, 0);
  EXPECT_EQ(peers().LeadFederationEpoch().value_or(std::nullopt), first) << "the same lead";

  auto other = fed_->OpenPg();
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(EndTheLeadersSessionAndTakeOver(*fed_, **other));
  const std::optional<int64_t> others = (*other)->LeadFederationEpoch().value_or(std::nullopt);
  ASSERT_TRUE(others.has_value());
  ASSERT_TRUE(Pull(**other, {"000000000001"}, "", "2026-01-01T00:00:00Z", *others).ok());
  other->reset();  // it ends; this process leads again (its other runner asked)
  std::optional<int64_t> again;
  for (int i = 0; i < 100 && !again; ++i) {
    again = peers().LeadFederationEpoch().value_or(std::nullopt);
    if (!again) ::usleep(20'000);
  }
  ASSERT_TRUE(again.has_value());
  EXPECT_GT(*again, *others);

  // The pass begun under `first` finishes: each of its writes fails, though this process leads.
  absl::Status s =
      Pull(store(), {"000000000002"}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", *first);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(s.message().find("lead this pass began under has ended"), std::string::npos) << s;
  EXPECT_EQ(peers().SavePullPass("usa", m, 5, *first).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(peers().SavePushProgress("usa", m, 1, {}, 5, *first).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(peers().SaveSyncError("usa", m, "timed out", 5, *first).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(fed_->feeds().SaveFeedRun("ipsum", run(5, *first)).code(),
            absl::StatusCode::kFailedPrecondition);
  Peer p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-01T00:00:00Z");
  EXPECT_EQ(p.mappings[0].pulled, 1);
  EXPECT_EQ(p.mappings[0].push_cursor_us, 0);
  EXPECT_FALSE(p.mappings[0].last_pull_us.has_value());
  EXPECT_EQ(p.mappings[0].last_error, "");
  EXPECT_EQ(fed_->feeds().GetFeed("ipsum")->runs, 0);

  // A pass of the lead it holds now writes.
  EXPECT_TRUE(
      Pull(store(), {"000000000002"}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", *again).ok());
  EXPECT_TRUE(peers().SavePullPass("usa", m, 6, *again).ok());
  EXPECT_TRUE(peers().SavePushProgress("usa", m, 1, {}, 6, *again).ok());
  EXPECT_TRUE(fed_->feeds().SaveFeedRun("ipsum", run(6, *again)).ok());
  p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-02T00:00:00Z");
  EXPECT_EQ(p.mappings[0].last_pull_us, 6);
  EXPECT_EQ(p.mappings[0].push_cursor_us, 1);
  EXPECT_EQ(fed_->feeds().GetFeed("ipsum")->runs, 1);
}

// Two passes pulling one mapping at once (the node's and `kizuna sync run --once`, which
// takes no lead) on either store: a page is stored only while the mapping's cursor is the one
// it was asked after, so the pass that read the cursor first and stores after the other
// stores nothing, the cursor never moves back, and an object deleted here after the other
// pass pulled it does not come back.
TEST_P(SqlitePeersTest, APageAskedBeforeAnotherPassMovedTheCursorIsNotStored) {
  ASSERT_TRUE(peers().AddPeer("cli", Usa()).ok());
  auto once = fed_->OpenAnother();  // `kizuna sync run --once`, in a process of its own
  ASSERT_TRUE(once.ok()) << once.status();
  // Both passes read the cursor "" and ask for the first page; the node's stores it first.
  ASSERT_TRUE(Pull(store(), {"000000000001"}, "", "2026-01-01T00:00:00Z").ok());
  ObjectFilter every_version;
  every_version.versions.all = true;
  ASSERT_EQ(*store().DeleteObject(collection_, IndicatorId("000000000001"), every_version), 1)
      << "deleted here after it was pulled";
  absl::Status late = Pull(**once, {"000000000001", "000000000002"}, "", "2026-01-02T00:00:00Z");
  EXPECT_EQ(late.code(), absl::StatusCode::kAborted) << late;
  EXPECT_NE(late.message().find("moved from '' to '2026-01-01T00:00:00Z'"), std::string::npos)
      << late;
  Peer p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-01T00:00:00Z") << "the cursor did not move back";
  EXPECT_EQ(p.mappings[0].pulled, 1);
  for (std::string_view id : {"000000000001", "000000000002"}) {
    auto page = store().GetObject(collection_, IndicatorId(id), PageRequest{});
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_TRUE(page->objects.empty()) << id << ": nothing of the late page is stored";
  }
  // The late pass, asking again from the cursor stored, goes on.
  EXPECT_TRUE(Pull(**once, {"000000000002"}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z").ok());
  p = *peers().GetPeer("usa");
  EXPECT_EQ(p.mappings[0].pull_cursor, "2026-01-02T00:00:00Z");
  EXPECT_EQ(p.mappings[0].pulled, 2);
  // A mapping that does not exist is named, not taken for a moved cursor.
  std::vector<NewObject> none;
  std::vector<std::string> no_dates;
  absl::Status missing = store()
                             .AddPulledObjects(collection_, none,
                                               PullBatch{.peer = "usa",
                                                         .remote_collection = "remote-2",
                                                         .remote_date_added = no_dates,
                                                         .cursor = "2026-01-03T00:00:00Z",
                                                         .after = "2026-01-02T00:00:00Z"})
                             .status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
  EXPECT_NE(missing.message().find("to 'remote-2'"), std::string::npos) << missing;
}

}  // namespace
}  // namespace kizuna::store
