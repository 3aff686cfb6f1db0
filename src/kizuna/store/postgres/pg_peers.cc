// Kizuna. Peers, their collection mappings, sync progress and runs, and the federation leader
// lock in the PostgreSQL store (as the SQLite store's sqlite_peers.cc).
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/federation_audit.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace {

using pg::Param;

constexpr int64_t kDayUs = 86'400'000'000;
// Runs that ended longer ago than this are deleted when a run begins (as SQLite).
constexpr int64_t kSyncRunsKeptUs = 800 * kDayUs;

// The parameters INSERT and UPDATE share: $1 name, $2-$8 and $10-$13 ($9 is created_us).
std::vector<Param> SettingsParams(const Peer& p, const std::string& sealed,
                                  const std::string& communities, int64_t created_us) {
  return {Param::Text(p.name),       Param::Text(p.url),
          Param::Text(p.api_root),   Param::Bytes(sealed),
          Param::Text(p.ca_file),    Param::Text(p.nation),
          Param::Text(communities),  Param::Text(p.organization),
          Param::Int(created_us),    Param::Text(PeerAuthName(p.auth)),
          Param::Text(p.basic_user), Param::Text(p.client_cert),
          Param::Text(p.client_key)};
}

absl::Status InsertMappings(pg::Connection& db, const Peer& p) {
  for (const PeerMapping& m : p.mappings) {
    KZ_ASSIGN_OR_RETURN(pg::Result exists,
                        db.Run("find a collection", "SELECT 1 FROM collections WHERE id = $1",
                               {Param::Text(m.local_collection)}));
    if (exists.rows() == 0)
      return absl::NotFoundError(StrCat("collection '", m.local_collection, "' does not exist"));
    KZ_RETURN_IF_ERROR(
        db.Run("add a peer mapping",
               "INSERT INTO peer_mappings (peer, local_collection, remote_collection,"
               " direction) VALUES ($1, $2, $3, $4)",
               {Param::Text(p.name), Param::Text(m.local_collection),
                Param::Text(m.remote_collection), Param::Text(SyncDirectionName(m.direction))})
            .status());
  }
  return absl::OkStatus();
}

std::optional<int64_t> OptionalInt(const pg::Result& r, int row, int column) {
  if (r.IsNull(row, column)) return std::nullopt;
  return r.Int(row, column);
}

// Adds a pass of `mapping` with outcome `ok` at `now_us` to the mapping's last run when it has
// that outcome (and, for failures, began the same UTC day), else begins a run; as SQLite's
// RecordSyncPass (migration 20 there).
absl::Status RecordSyncPass(pg::Connection& db, std::string_view peer, const PeerMapping& mapping,
                            bool ok, int64_t now_us) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result last,
      db.Run("read the last sync run",
             "SELECT pk, ok, first_us FROM sync_runs WHERE peer = $1 AND local_collection = $2"
             " AND remote_collection = $3 ORDER BY pk DESC LIMIT 1",
             {Param::Text(peer), Param::Text(mapping.local_collection),
              Param::Text(mapping.remote_collection)}));
  if (last.rows() == 1 && last.Bool(0, 1) == ok &&
      (ok || last.Int(0, 2) / kDayUs == now_us / kDayUs)) {
    return db
        .Run("extend a sync run",
             "UPDATE sync_runs SET last_us = greatest(last_us, $2), failures = failures + $3"
             " WHERE pk = $1",
             {Param::Int(last.Int(0, 0)), Param::Int(now_us), Param::Int(ok ? 0 : 1)})
        .status();
  }
  KZ_RETURN_IF_ERROR(db.Run("delete old sync runs", "DELETE FROM sync_runs WHERE last_us < $1",
                            {Param::Int(now_us - kSyncRunsKeptUs)})
                         .status());
  return db
      .Run("begin a sync run",
           "INSERT INTO sync_runs (peer, local_collection, remote_collection, ok, first_us,"
           " last_us, failures) VALUES ($1, $2, $3, $4, $5, $5, $6)",
           {Param::Text(peer), Param::Text(mapping.local_collection),
            Param::Text(mapping.remote_collection), Param::Bool(ok), Param::Int(now_us),
            Param::Int(ok ? 0 : 1)})
      .status();
}

}  // namespace

absl::StatusOr<TokenSealer> PgStore::Sealer() {
  absl::MutexLock lock(&sealer_mu_);
  if (!sealer_) {
    if (options_.peer_key_path.empty()) {
      return absl::FailedPreconditionError(
          "the PostgreSQL store seals the secrets of peers and feeds with the node's key, and "
          "was given no key file (PgOptions::peer_key_path)");
    }
    // Never made here: a process that made a key of its own would seal what the node's other
    // processes cannot open, and open nothing they sealed.
    absl::StatusOr<TokenSealer> loaded = TokenSealer::Load(options_.peer_key_path);
    if (absl::IsNotFound(loaded.status())) {
      return absl::FailedPreconditionError(StrCat(
          options_.peer_key_path, " is missing: every process of a node on PostgreSQL seals the ",
          "secrets of peers and feeds with the key `kizuna init --store` made; copy that file ",
          "from the data directory the node was set up in"));
    }
    KZ_RETURN_IF_ERROR(loaded.status());
    sealer_.emplace(*std::move(loaded));
  }
  return *sealer_;
}

absl::Status PgStore::WriteAudited(const AuditEvent& event,
                                   absl::FunctionRef<absl::Status(pg::Connection&)> change) {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  KZ_RETURN_IF_ERROR(change(*writer_));
  KZ_RETURN_IF_ERROR(pg_internal::InsertAudit(*writer_, event));
  return tx.Commit();
}

absl::Status PgStore::DoAddPeer(std::string_view actor, const Peer& p) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "peer.add", p.name);
  event.details = PeerDetails(p);
  KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
  const std::string sealed = sealer.Seal(p.name, p.token);
  const std::string communities = pg_internal::JoinWords(p.communities);
  return WriteAudited(event, [&](pg::Connection& db) -> absl::Status {
    absl::Status s =
        db.Run("add a peer",
               "INSERT INTO peers (name, url, api_root, token, sealed_token, ca_file, nation,"
               " communities, organization, created_us, auth, basic_user, client_cert, client_key)"
               " VALUES ($1, $2, $3, '', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
               SettingsParams(p, sealed, communities, event.time_us))
            .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("peer '", p.name, "' already exists"));
    }
    KZ_RETURN_IF_ERROR(s);
    return InsertMappings(db, p);
  });
}

absl::StatusOr<std::vector<Peer>> PgStore::DoListPeers(std::string_view name) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One snapshot for the peers and their mappings.
  pg::Transaction read(*db);
  KZ_RETURN_IF_ERROR(read.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("list peers",
              "SELECT name, url, api_root, sealed_token, ca_file, nation, communities,"
              " organization, created_us, auth, basic_user, client_cert, client_key FROM peers"
              " WHERE $1 = '' OR name = $1 ORDER BY name COLLATE \"C\"",
              {Param::Text(name)}));
  std::vector<Peer> peers;
  for (int i = 0; i < r.rows(); ++i) {
    Peer& p = peers.emplace_back();
    p.name = r.Text(i, 0);
    p.url = r.Text(i, 1);
    p.api_root = r.Text(i, 2);
    p.token = r.Text(i, 3);  // sealed: opened below
    p.ca_file = r.Text(i, 4);
    p.nation = r.Text(i, 5);
    p.communities = pg_internal::SplitWords(r.Text(i, 6));
    p.organization = r.Text(i, 7);
    p.created_us = r.Int(i, 8);
    p.auth = ParsePeerAuth(r.Text(i, 9)).value_or(PeerAuth::kBearer);
    p.basic_user = r.Text(i, 10);
    p.client_cert = r.Text(i, 11);
    p.client_key = r.Text(i, 12);
  }
  if (!peers.empty()) {
    KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
    for (Peer& p : peers) {
      KZ_ASSIGN_OR_RETURN(p.token, sealer.Open(p.name, p.token));
    }
  }
  KZ_ASSIGN_OR_RETURN(
      pg::Result m,
      db->Run("list peer mappings",
              "SELECT peer, local_collection, remote_collection, direction, pull_cursor,"
              " push_cursor_us, pulled, pushed, last_pull_us, last_push_us, last_error,"
              " last_error_us, rejected, last_rejection FROM peer_mappings"
              " WHERE $1 = '' OR peer = $1"
              " ORDER BY peer COLLATE \"C\", local_collection COLLATE \"C\","
              " remote_collection COLLATE \"C\"",
              {Param::Text(name)}));
  KZ_RETURN_IF_ERROR(read.Commit());
  size_t next = 0;  // peers and mappings come in the same order
  for (int i = 0; i < m.rows(); ++i) {
    while (next < peers.size() && peers[next].name != m.Text(i, 0)) ++next;
    if (next == peers.size()) break;
    PeerMapping& map = peers[next].mappings.emplace_back();
    map.local_collection = m.Text(i, 1);
    map.remote_collection = m.Text(i, 2);
    map.direction = ParseSyncDirection(m.Text(i, 3)).value_or(SyncDirection::kBoth);
    map.pull_cursor = m.Text(i, 4);
    map.push_cursor_us = m.Int(i, 5);
    map.pulled = m.Int(i, 6);
    map.pushed = m.Int(i, 7);
    map.last_pull_us = OptionalInt(m, i, 8);
    map.last_push_us = OptionalInt(m, i, 9);
    map.last_error = m.Text(i, 10);
    map.last_error_us = OptionalInt(m, i, 11);
    map.rejected = m.Int(i, 12);
    map.last_rejection = m.Text(i, 13);
  }
  return peers;
}

absl::Status PgStore::DoUpdatePeer(std::string_view actor, const Peer& p) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "peer.update", p.name);
  event.details = PeerSettingsDetails(p);
  KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
  const std::string sealed = sealer.Seal(p.name, p.token);
  const std::string communities = pg_internal::JoinWords(p.communities);
  return WriteAudited(event, [&](pg::Connection& db) -> absl::Status {
    std::vector<Param> params = SettingsParams(p, sealed, communities, 0);
    params.erase(params.begin() + 8);  // the creation time stays
    KZ_ASSIGN_OR_RETURN(
        pg::Result r,
        db.Run("update a peer",
               "UPDATE peers SET url = $2, api_root = $3, token = '', sealed_token = $4,"
               " ca_file = $5, nation = $6, communities = $7, organization = $8, auth = $9,"
               " basic_user = $10, client_cert = $11, client_key = $12 WHERE name = $1",
               params));
    if (r.Affected() != 1) return absl::NotFoundError(StrCat("peer '", p.name, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status PgStore::DoRemovePeer(std::string_view actor, std::string_view name) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "peer.remove", name);
  return WriteAudited(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run("remove a peer", "DELETE FROM peers WHERE name = $1",
                                             {Param::Text(name)}));
    if (r.Affected() != 1) return absl::NotFoundError(StrCat("peer '", name, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status PgStore::DoSaveProgress(std::string_view peer, const PeerMapping& mapping,
                                     SyncDirection which, int64_t cursor_us,
                                     std::span<const int64_t> acknowledged, int64_t now_us,
                                     int64_t lead_epoch) {
  // The acknowledged entries as a JSON array: one statement counts those after the cursor
  // saved before and moves it, so passes of other processes cannot slip in between.
  const std::string dates =
      pg_internal::JsonArray(std::vector<int64_t>(acknowledged.begin(), acknowledged.end()));
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  pg::Connection& db = *writer_;
  KZ_RETURN_IF_ERROR(FenceFederationWrite(db, lead_epoch));
  const std::vector<Param> params = {Param::Text(peer),
                                     Param::Text(mapping.local_collection),
                                     Param::Text(mapping.remote_collection),
                                     Param::Int(cursor_us),
                                     Param::Text(dates),
                                     Param::Int(now_us)};
  absl::StatusOr<pg::Result> r =
      which == SyncDirection::kPush
          ? db.Run("save push progress",
                   "UPDATE peer_mappings SET push_cursor_us = greatest(push_cursor_us, $4),"
                   " pushed = pushed + (SELECT count(*) FROM jsonb_array_elements_text($5::jsonb)"
                   " AS a(v) WHERE a.v::bigint > push_cursor_us),"
                   " last_push_us = $6, last_error = '', last_error_us = NULL"
                   " WHERE peer = $1 AND local_collection = $2 AND remote_collection = $3",
                   params)
          : db.Run("save a pull pass",
                   "UPDATE peer_mappings SET last_pull_us = $6, last_error = '',"
                   " last_error_us = NULL WHERE peer = $1 AND local_collection = $2"
                   " AND remote_collection = $3 AND $4::bigint = $4 AND $5::text = $5",
                   params);
  KZ_RETURN_IF_ERROR(r.status());
  if (r->Affected() != 1)
    return absl::NotFoundError(StrCat("peer '", peer, "' has no such mapping"));
  // A mapping that also pushes pushes after each successful pull: its push says how the pass
  // went.
  if (which == SyncDirection::kPush || !mapping.Pushes()) {
    KZ_RETURN_IF_ERROR(RecordSyncPass(db, peer, mapping, true, now_us));
  }
  return tx.Commit();
}

absl::Status PgStore::DoSaveSyncError(std::string_view peer, const PeerMapping& mapping,
                                      std::string_view error, int64_t now_us, int64_t lead_epoch) {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  pg::Connection& db = *writer_;
  KZ_RETURN_IF_ERROR(FenceFederationWrite(db, lead_epoch));
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db.Run("save a sync error",
             "UPDATE peer_mappings SET last_error = $4, last_error_us = $5"
             " WHERE peer = $1 AND local_collection = $2 AND remote_collection = $3",
             {Param::Text(peer), Param::Text(mapping.local_collection),
              Param::Text(mapping.remote_collection),
              Param::Text(pg_internal::TextForPg(error, kMaxSyncErrorBytes)), Param::Int(now_us)}));
  if (r.Affected() != 1) return absl::OkStatus();  // the mapping is gone: nothing to record
  KZ_RETURN_IF_ERROR(RecordSyncPass(db, peer, mapping, false, now_us));
  return tx.Commit();
}

absl::StatusOr<std::optional<int64_t>> PgStore::DoLeadFederation() {
  absl::MutexLock lock(&leader_mu_);
  pg::Connection* conn = leader_.conn.get();
  if (leader_.leading) {
    // The lock lives as long as the session: a round trip tells whether it still does (the
    // server may have restarted, or ended the session).
    if (conn->Run("check the federation lock", "SELECT 1").ok()) {
      return leader_epoch_.load(std::memory_order_acquire);
    }
    leader_.leading = false;
    leader_.conn.reset();
    leader_epoch_.store(kLostLead, std::memory_order_release);
  }
  if (leader_.conn != nullptr && !leader_.conn->Healthy()) leader_.conn.reset();
  if (leader_.conn == nullptr) {
    KZ_ASSIGN_OR_RETURN(leader_.conn, pg::Connection::Open(url_));
    // The server releases the lock when it sees the session gone: with these keepalives it
    // sees a leader whose host died or was cut off within about 25 s (the defaults: 2 hours).
    KZ_RETURN_IF_ERROR(
        leader_.conn->Exec("keep the federation lock's session checked",
                           "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5;"
                           " SET tcp_keepalives_count = 3"));
  }
  KZ_ASSIGN_OR_RETURN(
      pg::Result r, leader_.conn->Run("take the federation lock", "SELECT pg_try_advisory_lock($1)",
                                      {Param::Int(kFederationLockKey)}));
  if (!r.Bool(0, 0)) return std::nullopt;
  // Taking the lead: a new epoch, committed before the first pass reads any cursor. A former
  // leader's write committed before it is read by this process's passes; one after it fails
  // (FenceFederationWrite).
  absl::StatusOr<int64_t> epoch = AdvanceFederationEpoch();
  if (!epoch.ok()) {
    leader_.conn
        ->Run("give the federation lock back", "SELECT pg_advisory_unlock($1)",
              {Param::Int(kFederationLockKey)})
        .IgnoreError();
    return epoch.status();
  }
  leader_epoch_.store(*epoch, std::memory_order_release);
  leader_.leading = true;
  return *epoch;
}

absl::StatusOr<int64_t> PgStore::AdvanceFederationEpoch() {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      writer_->Run(
          "advance the federation epoch",
          "INSERT INTO node_state (key, value) VALUES ('federation_epoch', 1)"
          " ON CONFLICT (key) DO UPDATE SET value = node_state.value + 1 RETURNING value"));
  KZ_RETURN_IF_ERROR(tx.Commit());
  return r.Int(0, 0);
}

absl::Status PgStore::FenceFederationWrite(pg::Connection& db, int64_t lead_epoch) {
  const int64_t current = leader_epoch_.load(std::memory_order_acquire);
  if (current == kNeverLed && lead_epoch == 0) return absl::OkStatus();
  // A pass's own epoch when it names one: the process's current lead may be a later one.
  const int64_t epoch = lead_epoch != 0 ? lead_epoch : current;
  if (current != kLostLead && epoch > 0) {
    KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run("read the federation epoch",
                                             "SELECT value FROM node_state"
                                             " WHERE key = 'federation_epoch'"));
    if (r.rows() == 1 && r.Int(0, 0) == epoch) return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      "the federation lead this pass began under has ended (another process took the lead "
      "since): its sync progress is not saved");
}

PgStore::FederationLeader::~FederationLeader() {
  if (!leading || conn == nullptr) return;
  conn->Run("give the federation lock back", "SELECT pg_advisory_unlock($1)",
            {Param::Int(kFederationLockKey)})
      .IgnoreError();
}

}  // namespace kizuna::store
