// Kizuna. Peers and their collection mappings in the SQLite store.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/federation_audit.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

// Binds the columns INSERT and UPDATE share: ?1 name, ?2-?8 and ?10-?13.
void BindSettings(Statement& st, const Peer& p, const std::string& sealed) {
  st.Bind(1, p.name).Bind(2, p.url).Bind(3, p.api_root).BindBlob(4, sealed).Bind(5, p.ca_file);
  st.Bind(6, p.nation).Bind(7, sqlite_internal::JoinWords(p.communities)).Bind(8, p.organization);
  st.Bind(10, PeerAuthName(p.auth)).Bind(11, p.basic_user).Bind(12, p.client_cert).Bind(13, p.client_key);
}

absl::Status InsertMappings(Connection& db, const Peer& p) {
  KZ_ASSIGN_OR_RETURN(Statement * exists, db.Cached("SELECT 1 FROM collections WHERE id = ?1"));
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "INSERT INTO peer_mappings (peer, local_collection, remote_collection, direction) VALUES (?1, ?2, ?3, ?4)"));
  for (const PeerMapping& m : p.mappings) {
    exists->Bind(1, m.local_collection);
    KZ_ASSIGN_OR_RETURN(bool found, exists->Step());
    exists->Reset();
    if (!found) return absl::NotFoundError(StrCat("collection '", m.local_collection, "' does not exist"));
    st->Bind(1, p.name).Bind(2, m.local_collection).Bind(3, m.remote_collection).Bind(4, SyncDirectionName(m.direction));
    KZ_RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  return absl::OkStatus();
}

std::optional<int64_t> OptionalInt(const Statement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Int(column);
}

}  // namespace

namespace sqlite_internal {

absl::Status SealPeerTokens(Connection& db, const std::string& key_path) {
  std::vector<std::pair<std::string, std::string>> clear;  // (name, token)
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT name, token FROM peers WHERE token != ''"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    clear.emplace_back(st->Text(0), st->Text(1));
  }
  st->Reset();
  if (clear.empty()) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(TokenSealer sealer, TokenSealer::LoadOrCreate(key_path));
  // Zeroes the space the clear tokens leave (Debian's SQLite does by default; others may not).
  KZ_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON"));
  Transaction tx(db);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(Statement * seal, db.Cached("UPDATE peers SET sealed_token = ?2, token = '' WHERE name = ?1"));
  for (const auto& [name, token] : clear) {
    seal->Bind(1, name).BindBlob(2, sealer.Seal(name, token));
    KZ_RETURN_IF_ERROR(seal->Run());
    seal->Reset();
  }
  KZ_RETURN_IF_ERROR(tx.Commit());
  // The pages that held the clear tokens go from the WAL into the database, over the old ones,
  // and the WAL is emptied. Another process reading at this moment can keep the checkpoint
  // from finishing; the next one completes it.
  return db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace sqlite_internal

namespace {

constexpr int64_t kDayUs = 86'400'000'000;
// Runs that ended longer ago than this are deleted when a run begins (a brief's previous
// period reaches a year back at most, for a period of six months).
constexpr int64_t kSyncRunsKeptUs = 800 * kDayUs;

// Adds a pass of `mapping` with outcome `ok` at `now_us` to the mapping's last run when it
// has that outcome (and, for failures, began the same UTC day), else begins a run (table
// sync_runs, migration 20).
absl::Status RecordSyncPass(Connection& db, std::string_view peer, const PeerMapping& mapping, bool ok,
                            int64_t now_us) {
  KZ_ASSIGN_OR_RETURN(Statement * last, db.Cached(
      "SELECT pk, ok, first_us FROM sync_runs WHERE peer = ?1 AND local_collection = ?2 AND remote_collection = ?3"
      " ORDER BY pk DESC LIMIT 1"));
  last->Bind(1, peer).Bind(2, mapping.local_collection).Bind(3, mapping.remote_collection);
  absl::StatusOr<bool> found = last->Step();
  int64_t pk = 0;
  if (found.ok() && *found && (last->Int(1) != 0) == ok && (ok || last->Int(2) / kDayUs == now_us / kDayUs)) {
    pk = last->Int(0);
  }
  last->Reset();
  KZ_RETURN_IF_ERROR(found.status());
  if (pk != 0) {
    KZ_ASSIGN_OR_RETURN(Statement * extend, db.Cached(
        "UPDATE sync_runs SET last_us = max(last_us, ?2), failures = failures + ?3 WHERE pk = ?1"));
    absl::Status st = extend->Bind(1, pk).Bind(2, now_us).Bind(3, ok ? 0 : 1).Run();
    extend->Reset();
    return st;
  }
  KZ_ASSIGN_OR_RETURN(Statement * prune, db.Cached("DELETE FROM sync_runs WHERE last_us < ?1"));
  absl::Status pruned = prune->Bind(1, now_us - kSyncRunsKeptUs).Run();
  prune->Reset();
  KZ_RETURN_IF_ERROR(pruned);
  KZ_ASSIGN_OR_RETURN(Statement * begin, db.Cached(
      "INSERT INTO sync_runs (peer, local_collection, remote_collection, ok, first_us, last_us, failures)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)"));
  begin->Bind(1, peer).Bind(2, mapping.local_collection).Bind(3, mapping.remote_collection);
  absl::Status st = begin->Bind(4, ok ? 1 : 0).Bind(5, now_us).Bind(6, ok ? 0 : 1).Run();
  begin->Reset();
  return st;
}

}  // namespace

absl::Status SqliteStore::DoAddPeer(std::string_view actor, const Peer& p) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "peer.add", p.name);
  event.details = PeerDetails(p);
  KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
  const std::string sealed = sealer.Seal(p.name, p.token);
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "INSERT INTO peers (name, url, api_root, token, sealed_token, ca_file, nation, communities, organization,"
        " created_us, auth, basic_user, client_cert, client_key)"
        " VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    BindSettings(*st, p, sealed);
    st->Bind(9, event.time_us);
    absl::Status s = st->Run();
    st->Reset();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("peer '", p.name, "' already exists"));
    }
    KZ_RETURN_IF_ERROR(s);
    return InsertMappings(db, p);
  });
}

absl::StatusOr<std::vector<Peer>> SqliteStore::DoListPeers(std::string_view name) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT name, url, api_root, sealed_token, ca_file, nation, communities, organization, created_us, auth,"
      " basic_user, client_cert, client_key FROM peers"
      " WHERE coalesce(?1, '') = '' OR name = ?1 ORDER BY name"));
  st->Bind(1, name);
  std::vector<Peer> peers;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Peer& p = peers.emplace_back();
    p.name = st->Text(0);
    p.url = st->Text(1);
    p.api_root = st->Text(2);
    p.token = st->Text(3);  // sealed: opened below, once the statement is done
    p.ca_file = st->Text(4);
    p.nation = st->Text(5);
    p.communities = sqlite_internal::SplitWords(st->Text(6));
    p.organization = st->Text(7);
    p.created_us = st->Int(8);
    p.auth = ParsePeerAuth(st->Text(9)).value_or(PeerAuth::kBearer);
    p.basic_user = st->Text(10);
    p.client_cert = st->Text(11);
    p.client_key = st->Text(12);
  }
  st->Reset();
  if (!peers.empty()) {
    KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
    for (Peer& p : peers) {
      KZ_ASSIGN_OR_RETURN(p.token, sealer.Open(p.name, p.token));
    }
  }
  KZ_ASSIGN_OR_RETURN(Statement * m, db->Cached(
      "SELECT local_collection, remote_collection, direction, pull_cursor, push_cursor_us, pulled, pushed,"
      " last_pull_us, last_push_us, last_error, last_error_us, rejected, last_rejection FROM peer_mappings"
      " WHERE peer = ?1"
      " ORDER BY local_collection, remote_collection"));
  for (Peer& p : peers) {
    m->Bind(1, p.name);
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, m->Step());
      if (!row) break;
      PeerMapping& map = p.mappings.emplace_back();
      map.local_collection = m->Text(0);
      map.remote_collection = m->Text(1);
      map.direction = ParseSyncDirection(m->Text(2)).value_or(SyncDirection::kBoth);
      map.pull_cursor = m->Text(3);
      map.push_cursor_us = m->Int(4);
      map.pulled = m->Int(5);
      map.pushed = m->Int(6);
      map.last_pull_us = OptionalInt(*m, 7);
      map.last_push_us = OptionalInt(*m, 8);
      map.last_error = m->Text(9);
      map.last_error_us = OptionalInt(*m, 10);
      map.rejected = m->Int(11);
      map.last_rejection = m->Text(12);
    }
    m->Reset();
  }
  return peers;
}

absl::Status SqliteStore::DoUpdatePeer(std::string_view actor, const Peer& p) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "peer.update", p.name);
  event.details = PeerSettingsDetails(p);
  KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
  const std::string sealed = sealer.Seal(p.name, p.token);
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "UPDATE peers SET url = ?2, api_root = ?3, token = '', sealed_token = ?4, ca_file = ?5, nation = ?6,"
        " communities = ?7, organization = ?8, auth = ?10, basic_user = ?11, client_cert = ?12, client_key = ?13"
        " WHERE name = ?1"));  // ?9, the creation time, is left alone
    BindSettings(*st, p, sealed);
    KZ_RETURN_IF_ERROR(st->Run());
    st->Reset();
    if (db.Changes() != 1) return absl::NotFoundError(StrCat("peer '", p.name, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status SqliteStore::DoRemovePeer(std::string_view actor, std::string_view name) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "peer.remove", name);
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("DELETE FROM peers WHERE name = ?1"));
    st->Bind(1, name);
    KZ_RETURN_IF_ERROR(st->Run());
    st->Reset();
    if (db.Changes() != 1) return absl::NotFoundError(StrCat("peer '", name, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status SqliteStore::DoSaveProgress(std::string_view peer, const PeerMapping& mapping,
                                         SyncDirection which, int64_t cursor_us,
                                         std::span<const int64_t> acknowledged, int64_t now_us,
                                         int64_t /*lead_epoch*/) {
  // The acknowledged entries as a JSON array: one statement counts those after the cursor
  // saved before and moves it, so passes of other processes cannot slip in between.
  std::string dates = "[";
  for (int64_t d : acknowledged) StrAppend(dates, dates.size() > 1 ? "," : "", d);
  dates += ']';
  absl::MutexLock lock(&write_mu_);
  sqlite_internal::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      which == SyncDirection::kPush
          ? "UPDATE peer_mappings SET push_cursor_us = max(push_cursor_us, ?4),"
            " pushed = pushed + (SELECT count(*) FROM json_each(?5) WHERE value > push_cursor_us),"
            " last_push_us = ?6, last_error = '', last_error_us = NULL"
            " WHERE peer = ?1 AND local_collection = ?2 AND remote_collection = ?3"
          : "UPDATE peer_mappings SET last_pull_us = ?6, last_error = '', last_error_us = NULL"
            " WHERE peer = ?1 AND local_collection = ?2 AND remote_collection = ?3 AND ?4 = ?4 AND ?5 = ?5"));
  st->Bind(1, peer).Bind(2, mapping.local_collection).Bind(3, mapping.remote_collection);
  st->Bind(4, cursor_us).Bind(5, std::string_view(dates)).Bind(6, now_us);
  KZ_RETURN_IF_ERROR(st->Run());
  st->Reset();
  if (writer_->Changes() != 1) return absl::NotFoundError(StrCat("peer '", peer, "' has no such mapping"));
  // A mapping that also pushes pushes after each successful pull: its push says how the pass
  // went.
  if (which == SyncDirection::kPush || !mapping.Pushes()) {
    KZ_RETURN_IF_ERROR(RecordSyncPass(*writer_, peer, mapping, true, now_us));
  }
  return tx.Commit();
}

absl::Status SqliteStore::DoSaveSyncError(std::string_view peer, const PeerMapping& mapping,
                                          std::string_view error, int64_t now_us,
                                          int64_t /*lead_epoch*/) {
  absl::MutexLock lock(&write_mu_);
  sqlite_internal::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      "UPDATE peer_mappings SET last_error = ?4, last_error_us = ?5"
      " WHERE peer = ?1 AND local_collection = ?2 AND remote_collection = ?3"));
  st->Bind(1, peer).Bind(2, mapping.local_collection).Bind(3, mapping.remote_collection);
  st->Bind(4, error).Bind(5, now_us);
  KZ_RETURN_IF_ERROR(st->Run());
  st->Reset();
  if (writer_->Changes() != 1) return absl::OkStatus();  // the mapping is gone: nothing to record
  KZ_RETURN_IF_ERROR(RecordSyncPass(*writer_, peer, mapping, false, now_us));
  return tx.Commit();
}

}  // namespace kizuna::store
