// Kizuna. What the SQLite store keeps for policy and federation: collection policy settings,
// provenance of pulled entries, object lookup by id across collections, the write high-water
// mark.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/pull_cursor.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace sqlite_internal {

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) StrAppend(out, out.empty() ? "" : " ", w);
  return out;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t space = text.find(' ');
    if (space != 0) out.emplace_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return out;
}

absl::Status CheckPullCursor(Connection& db, std::string_view collection_id,
                             const PullBatch& pull) {
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db.Cached("SELECT pull_cursor FROM peer_mappings WHERE peer = ?1 AND "
                                "local_collection = ?2 AND remote_collection = ?3"));
  st->BindView(1, pull.peer).BindView(2, collection_id).BindView(3, pull.remote_collection);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<std::string> stored;
  if (row) stored.emplace(st->Text(0));
  st->Reset();
  return store::CheckPullCursor(collection_id, pull, stored);
}

absl::Status RecordPull(Connection& db, std::string_view collection_id, const PullBatch& pull,
                        std::span<const NewObject> objects, const std::vector<AddResult>& results, int64_t now_us) {
  KZ_ASSIGN_OR_RETURN(Statement * prov, db.Cached(
      "INSERT OR REPLACE INTO provenance (date_added_us, peer, remote_collection, remote_date_added,"
      " received_us) VALUES (?1, ?2, ?3, ?4, ?5)"));
  int64_t added = 0, rejected = static_cast<int64_t>(pull.invalid.size());
  std::string last_rejection;
  if (!pull.invalid.empty()) {
    last_rejection = StrCat(pull.invalid.back().first, ": ", pull.invalid.back().second);
    AuditEvent event = ObjectsRejectedEvent(pull.peer, "object.invalid", collection_id, pull.invalid);
    event.time_us = now_us;
    KZ_RETURN_IF_ERROR(InsertAudit(db, event));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome == AddOutcome::kConflict || results[i].outcome == AddOutcome::kRefused) {
      ++rejected;
      last_rejection = StrCat(objects[i].index->id, ": ",
                              results[i].outcome == AddOutcome::kRefused
                                  ? std::string_view(results[i].reason)
                                  : kConflictReason);
    }
    if (results[i].outcome != AddOutcome::kAdded) continue;
    ++added;
    prov->Bind(1, results[i].date_added_us).BindView(2, pull.peer).BindView(3, pull.remote_collection);
    prov->BindView(4, pull.remote_date_added[i]).Bind(5, now_us);
    KZ_RETURN_IF_ERROR(prov->Run());
    prov->Reset();
  }
  KZ_ASSIGN_OR_RETURN(Statement * cursor, db.Cached(
      "UPDATE peer_mappings SET pull_cursor = ?4, pulled = pulled + ?5, rejected = rejected + ?6,"
      " last_rejection = CASE WHEN ?6 > 0 THEN ?7 ELSE last_rejection END"
      " WHERE peer = ?1 AND local_collection = ?2 AND remote_collection = ?3"));
  cursor->BindView(1, pull.peer).BindView(2, collection_id).BindView(3, pull.remote_collection);
  cursor->BindView(4, pull.cursor).Bind(5, added).Bind(6, rejected).Bind(7, last_rejection.substr(0, 1024));
  KZ_RETURN_IF_ERROR(cursor->Run());
  cursor->Reset();
  if (db.Changes() != 1) {
    return absl::NotFoundError(StrCat("peer '", pull.peer, "' has no mapping of collection '", collection_id,
                                      "' to '", pull.remote_collection, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PeerAdder> PeerAdderOf(Connection& db, std::string_view peer) {
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db.Cached("SELECT organization, nation FROM peers WHERE name = ?1"));
  st->BindView(1, peer);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  PeerAdder out;
  if (row) out = {std::string(st->Text(0)), std::string(st->Text(1))};
  st->Reset();
  if (!row) return absl::NotFoundError(StrCat("peer '", peer, "' does not exist"));
  return out;
}

absl::Status RecordPush(Connection& db, std::string_view origin, const std::vector<AddResult>& results,
                        int64_t now_us) {
  KZ_ASSIGN_OR_RETURN(Statement * prov, db.Cached(
      "INSERT OR REPLACE INTO provenance (date_added_us, peer, remote_collection, remote_date_added,"
      " received_us) VALUES (?1, ?2, '', '', ?3)"));
  for (const AddResult& r : results) {
    if (r.outcome != AddOutcome::kAdded) continue;
    prov->Bind(1, r.date_added_us).BindView(2, origin).Bind(3, now_us);
    KZ_RETURN_IF_ERROR(prov->Run());
    prov->Reset();
  }
  return absl::OkStatus();
}

}  // namespace sqlite_internal

absl::Status SqliteStore::DoSetCollectionPolicy(std::string_view collection_id, const std::string& communities,
                                                std::string_view default_release) {
  absl::MutexLock lock(&write_mu_);
  // What a collection releases is the directory's concern too: `kizuna bus` and the
  // authentication caches watch Directory::ChangeVersion.
  sqlite_internal::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      "UPDATE collections SET communities = ?2, default_release = ?3 WHERE id = ?1"));
  st->Bind(1, collection_id).Bind(2, communities).Bind(3, default_release);
  KZ_RETURN_IF_ERROR(st->Run());
  st->Reset();
  if (writer_->Changes() != 1) return absl::NotFoundError(StrCat("collection '", collection_id, "' does not exist"));
  KZ_RETURN_IF_ERROR(sqlite_internal::BumpIdentityVersion(*writer_));
  return tx.Commit();
}

absl::StatusOr<int64_t> SqliteStore::DoLastDateAdded() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT value FROM node_state WHERE key = 'last_date_added_us'"));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t last = row ? st->Int(0) : 0;
  st->Reset();
  return last;
}

absl::StatusOr<int64_t> SqliteStore::DoEntriesDeleted() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db->Cached("SELECT value FROM node_state WHERE key = 'entries_deleted'"));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t deleted = row ? st->Int(0) : 0;
  st->Reset();
  return deleted;
}

absl::StatusOr<int64_t> SqliteStore::StoreId() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db->Cached("SELECT value FROM node_state WHERE key = 'store_id'"));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  const int64_t id = row ? st->Int(0) : 0;
  st->Reset();
  if (!row) return absl::DataLossError("the store has no store_id in node_state");
  return id;
}

absl::StatusOr<std::string> SqliteStore::DoFindObject(std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kSql =
      StrCat("SELECT json FROM entries NOT INDEXED WHERE ",
             sqlite_internal::EntriesOfId("date_added_us", "?1"),
             " AND stix_id = ?2 ORDER BY version_ns DESC, date_added_us DESC LIMIT 1");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kSql));
  st->Bind(1, sqlite_internal::IdHash(id_hash_key_, object_id)).Bind(2, object_id);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("no object '", object_id, "' is stored"));
  std::string json(st->Text(0));
  st->Reset();
  return json;
}

absl::StatusOr<std::vector<std::optional<std::string>>> SqliteStore::DoFindObjects(
    std::span<const std::string> object_ids) {
  // The writer's id filter, brought up to date with what other processes added, tells the
  // ids never held (no false negatives); only the others are looked up. The update reads
  // several tables (a rebuild: the id runs, then the compacted ids), so it reads them in one
  // transaction, as a write does: another process's merge between two of its reads would
  // otherwise hide ids for good.
  std::vector<bool> maybe(object_ids.size());
  {
    absl::MutexLock lock(&write_mu_);
    sqlite_internal::Transaction read(*writer_);
    KZ_RETURN_IF_ERROR(read.Begin("BEGIN"));
    KZ_RETURN_IF_ERROR(SyncIdFilter());
    KZ_RETURN_IF_ERROR(read.Commit());
    for (size_t i = 0; i < object_ids.size(); ++i) {
      maybe[i] = id_filter_.MayContain(sqlite_internal::IdHash(id_hash_key_, object_ids[i]));
    }
  }
  std::vector<std::optional<std::string>> found(object_ids.size());
  for (size_t i = 0; i < object_ids.size(); ++i) {
    if (!maybe[i]) continue;
    absl::StatusOr<std::string> json = DoFindObject(object_ids[i]);
    if (absl::IsNotFound(json.status())) continue;
    KZ_RETURN_IF_ERROR(json.status());
    found[i] = std::move(*json);
  }
  return found;
}

absl::StatusOr<MarkingDefinitionRecord> SqliteStore::DoFindMarkingDefinition(std::string_view marking_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT json, coalesce(local_author, '') FROM marking_definitions WHERE stix_id = ?1"));
  st->Bind(1, marking_id);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("no marking definition '", marking_id, "' is held"));
  MarkingDefinitionRecord out{std::string(st->Text(0)), std::string(st->Text(1))};
  st->Reset();
  return out;
}

absl::StatusOr<std::vector<Provenance>> SqliteStore::DoGetProvenance(std::string_view collection_id,
                                                                     std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, sqlite_internal::CollectionPk(*db, collection_id));
  static const std::string kSql = StrCat(
      "SELECT e.date_added_us, e.version, p.peer, p.remote_collection, p.remote_date_added,"
      " p.received_us FROM entries e NOT INDEXED JOIN provenance p ON p.date_added_us = e.date_added_us WHERE ",
      sqlite_internal::EntriesOfId("e.date_added_us", "?1", "?2"),
      " AND e.stix_id = ?3 ORDER BY e.date_added_us");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(kSql));
  st->Bind(1, sqlite_internal::IdHash(id_hash_key_, object_id)).Bind(2, collection_pk).Bind(3, object_id);
  std::vector<Provenance> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), std::string(st->Text(1)), std::string(st->Text(2)), std::string(st->Text(3)),
                   std::string(st->Text(4)), st->Int(5)});
  }
  st->Reset();
  return out;
}

}  // namespace kizuna::store
