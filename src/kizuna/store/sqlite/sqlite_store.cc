// Kizuna.
#include "kizuna/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/jcs.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/sqlite/adder.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/index_writer.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/text_rank.h"

namespace kizuna::store {
namespace {

using sqlite_internal::CollectionPk;
using sqlite_internal::SpecCode;
using sqlite_internal::Transaction;

constexpr const char* kMigrations[] = {
#include "kizuna/store/migrations.inc"
};
constexpr int64_t kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

absl::Status Migrate(Connection& db, const std::string& path) {
  KZ_ASSIGN_OR_RETURN(Statement * version, db.Cached("PRAGMA user_version"));
  KZ_ASSIGN_OR_RETURN(bool row, version->Step());
  int64_t current = row ? version->Int(0) : 0;
  version->Reset();
  if (current > kSchemaVersion) {
    return absl::DataLossError(StrCat(path, ": schema version ", current,
                                      " is newer than this Kizuna understands (", kSchemaVersion, ")"));
  }
  for (int64_t v = current; v < kSchemaVersion; ++v) {
    Transaction tx(db);
    KZ_RETURN_IF_ERROR(tx.Begin());
    KZ_RETURN_IF_ERROR(db.Exec(kMigrations[v]));
    KZ_RETURN_IF_ERROR(db.Exec(StrCat("PRAGMA user_version = ", v + 1)));
    KZ_RETURN_IF_ERROR(tx.Commit());
  }
  return absl::OkStatus();
}

// The key of the peers' tokens: a file beside the database.
std::string PeerTokenKeyPath(const std::string& database) {
  return DataDirFile(std::filesystem::path(database).parent_path().string(), kPeerTokenKeyFile);
}

}  // namespace

namespace sqlite_internal {

absl::StatusOr<IdHashKey> ReadIdHashKey(Connection& db) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "SELECT value FROM node_state WHERE key IN ('id_hash_key_0', 'id_hash_key_1') ORDER BY key"));
  IdHashKey key;
  for (int i = 0; i < 2; ++i) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return absl::DataLossError("the store has no id hash key");
    int64_t half = st->Int(0);
    std::memcpy(key.bytes + 8 * i, &half, 8);
  }
  st->Reset();
  return key;
}

int64_t CurrentSchemaVersion() { return kSchemaVersion; }

}  // namespace sqlite_internal

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, Clock& clock,
                                                               SqliteOptions options) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::Open(path, false));
  absl::Status migrated = Migrate(*writer, path);
  if (!migrated.ok()) {
    if (migrated.code() == absl::StatusCode::kInternal) {
      return absl::DataLossError(StrCat(path, " is not a Kizuna database: ", View(migrated.message())));
    }
    return migrated;
  }
  KZ_RETURN_IF_ERROR(sqlite_internal::AddEntryIdFunction(*writer));
  KZ_RETURN_IF_ERROR(sqlite_internal::PackUnpackedIds(*writer));
  KZ_RETURN_IF_ERROR(sqlite_internal::SealPeerTokens(*writer, PeerTokenKeyPath(path)));
  KZ_ASSIGN_OR_RETURN(sqlite_internal::IdHashKey key, sqlite_internal::ReadIdHashKey(*writer));
  return std::make_unique<SqliteStore>(std::move(writer), path, clock, options, key);
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> writer, std::string path, Clock& clock,
                         SqliteOptions options, sqlite_internal::IdHashKey id_hash_key)
    : Database(clock, options.random != nullptr ? *options.random : SecureRandom()),
      path_(std::move(path)),
      clock_(clock),
      options_(options),
      id_hash_key_(id_hash_key),
      writer_(std::move(writer)) {
  writer_->WatchCorruption(&corruption_seen());
}

SqliteStore::~SqliteStore() = default;

absl::Status SqliteStore::DoCreateApiRoot(const ApiRoot& root) {
  absl::MutexLock lock(&write_mu_);
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      "INSERT INTO api_roots (name, title, description, max_content_length) VALUES (?1, ?2, ?3, ?4)"));
  st->Bind(1, root.name).Bind(2, root.title).Bind(3, root.description).Bind(4, root.max_content_length);
  absl::Status s = st->Run();
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(StrCat("API root '", root.name, "' already exists"));
  }
  return s;
}

absl::StatusOr<std::vector<ApiRoot>> SqliteStore::DoListApiRoots() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT name, title, description, max_content_length FROM api_roots ORDER BY name"));
  std::vector<ApiRoot> roots;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    roots.push_back({std::string(st->Text(0)), std::string(st->Text(1)), std::string(st->Text(2)),
                     st->Int(3)});
  }
  return roots;
}

absl::StatusOr<Collection> SqliteStore::DoCreateCollection(Collection c) {
  if (c.id.empty()) c.id = stix::NewUuidV4(random());
  c.created_us = clock_.NowMicros();
  absl::MutexLock lock(&write_mu_);
  KZ_ASSIGN_OR_RETURN(Statement * root, writer_->Cached("SELECT 1 FROM api_roots WHERE name = ?1"));
  root->Bind(1, c.api_root);
  KZ_ASSIGN_OR_RETURN(bool exists, root->Step());
  root->Reset();
  if (!exists) return absl::NotFoundError(StrCat("API root '", c.api_root, "' does not exist"));
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      "INSERT INTO collections (id, api_root, alias, title, description, created_us, communities,"
      " default_release, exercise) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  st->Bind(1, c.id).Bind(2, c.api_root);
  c.alias.empty() ? st->BindNull(3) : st->Bind(3, c.alias);
  st->Bind(4, c.title).Bind(5, c.description).Bind(6, c.created_us);
  st->Bind(7, sqlite_internal::JoinWords(c.communities)).Bind(8, c.default_release);
  st->Bind(9, int64_t{c.exercise ? 1 : 0});
  absl::Status s = st->Run();
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(StrCat("a collection with id '", c.id, "' or alias '", c.alias,
                                           "' already exists in API root '", c.api_root, "'"));
  }
  KZ_RETURN_IF_ERROR(s);
  return c;
}

absl::StatusOr<std::vector<Collection>> SqliteStore::DoListCollections(std::string_view api_root) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT id, api_root, coalesce(alias, ''), title, description, created_us, communities,"
      " default_release, exercise FROM collections WHERE ?1 = '' OR api_root = ?1 ORDER BY api_root, created_us, id"));
  st->Bind(1, api_root);
  std::vector<Collection> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({std::string(st->Text(0)), std::string(st->Text(1)), std::string(st->Text(2)),
                   std::string(st->Text(3)), std::string(st->Text(4)), st->Int(5),
                   sqlite_internal::SplitWords(st->Text(6)), std::string(st->Text(7)),
                   st->Int(8) != 0});
  }
  return out;
}

absl::StatusOr<std::vector<AddResult>> SqliteStore::DoAddObjects(std::string_view collection_id,
                                                                 std::span<const NewObject> objects,
                                                                 const PullBatch* pull,
                                                                 const Writer& writer,
                                                                 const RecordAdd* record) {
  absl::MutexLock lock(&write_mu_);
  Connection& db = *writer_;
  Transaction tx(db);
  KZ_RETURN_IF_ERROR(tx.Begin());
  // A pull only forward from the cursor its page was asked after (the write transaction holds
  // the cursor from here to its commit).
  if (pull != nullptr)
    KZ_RETURN_IF_ERROR(sqlite_internal::CheckPullCursor(db, collection_id, *pull));
  KZ_RETURN_IF_ERROR(SyncIdFilter());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(db, collection_id));
  KZ_ASSIGN_OR_RETURN(Statement * last, db.Cached(
      "SELECT value FROM node_state WHERE key = 'last_date_added_us'"));
  KZ_ASSIGN_OR_RETURN(bool row, last->Step());
  int64_t last_added_us = row ? last->Int(0) : 0;
  last->Reset();
  int64_t now_us = clock_.NowMicros();
  KZ_ASSIGN_OR_RETURN(int64_t id_run,
                      sqlite_internal::StartIdRun(db, static_cast<int64_t>(id_filter_.size())));
  // A pull's entries are added by the peer: its organisation and nation as configured.
  Writer adder_writer = writer;
  sqlite_internal::PeerAdder peer;
  if (pull != nullptr) {
    KZ_ASSIGN_OR_RETURN(peer, sqlite_internal::PeerAdderOf(db, pull->peer));
    adder_writer.organization = peer.organization;
    adder_writer.nation = peer.nation;
  }
  std::vector<AddResult> results;
  results.reserve(objects.size());
  sqlite_internal::Adder adder(db, id_hash_key_, id_filter_, collection_pk, now_us,
                               std::max(now_us, last_added_us + 1), id_run, adder_writer);
  KZ_ASSIGN_OR_RETURN(std::optional<sqlite_internal::IndexWriter> index, IndexWriterFor(db));
  if (index && defer_indexing_) index->Defer(last_added_us);
  if (index) adder.set_index(&*index);
  KZ_ASSIGN_OR_RETURN(bool exercise, sqlite_internal::IsExerciseCollection(db, collection_pk));
  adder.set_exercise_collection(exercise);
  std::vector<std::pair<std::string_view, std::string_view>> refused;
  for (const NewObject& object : objects) {
    KZ_ASSIGN_OR_RETURN(AddResult r, adder.Add(object));
    results.push_back(std::move(r));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome == AddOutcome::kRefused) refused.emplace_back(objects[i].index->id, results[i].reason);
  }
  if (!refused.empty()) {
    AuditEvent event = ObjectsRejectedEvent(writer.name, "object.refuse", collection_id, refused);
    event.time_us = now_us;
    KZ_RETURN_IF_ERROR(sqlite_internal::InsertAudit(db, event));
  }
  KZ_ASSIGN_OR_RETURN(int64_t last_given_us, adder.Finish());
  if (index) KZ_RETURN_IF_ERROR(index->Finish());
  if (!index && last_given_us > last_added_us) KZ_RETURN_IF_ERROR(sqlite_internal::MarkIndexStale(db));
  if (last_given_us > last_added_us) {
    KZ_ASSIGN_OR_RETURN(Statement * update, db.Cached(
        "UPDATE node_state SET value = ?1 WHERE key = 'last_date_added_us'"));
    update->Bind(1, last_given_us);
    KZ_RETURN_IF_ERROR(update->Run());
    update->Reset();
  }
  if (pull != nullptr) {
    KZ_RETURN_IF_ERROR(sqlite_internal::RecordPull(db, collection_id, *pull, objects, results, now_us));
  } else if (writer.kind == WriterKind::kPartner) {
    KZ_RETURN_IF_ERROR(sqlite_internal::RecordPush(db, writer.name, results, now_us));
  }
  if (record != nullptr) {
    KZ_ASSIGN_OR_RETURN(AddRecords records, (*record)(results));
    if (!records.status.id.empty()) KZ_RETURN_IF_ERROR(sqlite_internal::InsertStatus(db, records.status));
    for (AuditEvent& e : records.audit) {
      if (e.time_us == 0) e.time_us = now_us;
      KZ_RETURN_IF_ERROR(sqlite_internal::InsertAudit(db, e));
    }
  }
  KZ_RETURN_IF_ERROR(tx.Commit());
  id_filter_through_us_ = std::max(id_filter_through_us_, last_given_us);
  return results;
}

absl::Status SqliteStore::SyncIdFilter() {
  Connection& db = *writer_;
  if (id_filter_through_us_ >= 0 && !id_filter_.Full()) {
    // Entries added by another process since the filter last saw the table.
    KZ_ASSIGN_OR_RETURN(Statement * newer, db.Cached(
        "SELECT id_hash, date_added_us FROM entries WHERE date_added_us > ?1"));
    newer->Bind(1, id_filter_through_us_);
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, newer->Step());
      if (!row) break;
      id_filter_.Add(newer->Int(0));
      id_filter_through_us_ = std::max(id_filter_through_us_, newer->Int(1));
    }
    if (!id_filter_.Full()) return absl::OkStatus();
  }
  KZ_ASSIGN_OR_RETURN(Statement * count, db.Cached("SELECT count(*), max(date_added_us) FROM entries"));
  KZ_ASSIGN_OR_RETURN(bool row, count->Step());
  size_t n = row ? static_cast<size_t>(count->Int(0)) : 0;
  int64_t through = row ? count->Int(1) : 0;
  count->Reset();
  id_filter_ = sqlite_internal::IdFilter(std::max<size_t>(size_t{1} << 16, 4 * n));
  KZ_RETURN_IF_ERROR(
      sqlite_internal::ForEachIdHash(db, [&](int64_t hash) { id_filter_.Add(hash); }));
  id_filter_through_us_ = through;
  return absl::OkStatus();
}

absl::StatusOr<TokenSealer> SqliteStore::Sealer() {
  absl::MutexLock lock(&sealer_mu_);
  if (!sealer_) {
    KZ_ASSIGN_OR_RETURN(TokenSealer loaded, TokenSealer::LoadOrCreate(PeerTokenKeyPath(path_)));
    sealer_.emplace(std::move(loaded));
  }
  return *sealer_;
}

absl::StatusOr<SqliteStore::ReaderLease> SqliteStore::AcquireReader() {
  {
    absl::MutexLock lock(&readers_mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(readers_mu_) {
      return !idle_readers_.empty() || open_readers_ < options_.max_readers;
    };
    readers_mu_.Await(absl::Condition(&ready));
    if (!idle_readers_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(conn));
    }
    ++open_readers_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Open(path_, true);
  if (conn.ok()) {
    (*conn)->WatchCorruption(&corruption_seen());
    if (absl::Status added = sqlite_internal::AddEntryIdFunction(**conn); !added.ok()) conn = added;
  }
  if (conn.ok()) {
    if (absl::Status added = sqlite_internal::AddTextRankFunction(**conn); !added.ok())
      conn = added;
  }
  if (!conn.ok()) {
    absl::MutexLock lock(&readers_mu_);
    --open_readers_;
    return conn.status();
  }
  return ReaderLease(*this, std::move(*conn));
}

void SqliteStore::CloseIdleReaders() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    absl::MutexLock lock(&readers_mu_);
    closing.swap(idle_readers_);
    open_readers_ -= closing.size();
  }
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> conn) {
  conn->ResetAll();
  absl::MutexLock lock(&readers_mu_);
  idle_readers_.push_back(std::move(conn));
}

}  // namespace kizuna::store
