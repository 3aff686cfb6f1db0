// Kizuna. The PostgreSQL store: opening and migrating, API roots, collections, single reads,
// statuses and the pool of read connections.
#include "kizuna/store/postgres/pg_store.h"

#include <algorithm>
#include <thread>

#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/store/postgres/change_listener.h"
#include "kizuna/store/postgres/pg_adder.h"
#include "kizuna/store/postgres/pg_internal.h"

namespace kizuna::store {
namespace {

using pg::Param;

constexpr const char* kMigrations[] = {
#include "kizuna/store/postgres_migrations.inc"
};
constexpr int64_t kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);
// Collections whose primary keys a store remembers (CollectionPk); more are looked up each time.
constexpr size_t kMaxRememberedCollections = 100000;
// Lists of collections (one per API root asked for) a store remembers (DoListCollections).
constexpr size_t kMaxRememberedCollectionLists = 64;
// The session advisory lock held while migrating.
constexpr int64_t kMigrationLockKey = 0x4b697a756e61'0002;

absl::Status Migrate(pg::Connection& db, const std::string& url) {
  KZ_RETURN_IF_ERROR(db.Run("take the migration lock", "SELECT pg_advisory_lock($1)",
                            {Param::Int(kMigrationLockKey)})
                         .status());
  auto migrate = [&]() -> absl::Status {
    KZ_RETURN_IF_ERROR(
        db.Exec("create kizuna_schema",
                "CREATE TABLE IF NOT EXISTS kizuna_schema (version bigint NOT NULL);"));
    KZ_ASSIGN_OR_RETURN(
        pg::Result version,
        db.Run("read the schema version", "SELECT coalesce(max(version), 0) FROM kizuna_schema"));
    int64_t current = version.Int(0, 0);
    if (current > kSchemaVersion) {
      return absl::DataLossError(StrCat(RedactUrl(url), ": schema version ", current,
                                        " is newer than this Kizuna understands (", kSchemaVersion,
                                        ")"));
    }
    for (int64_t v = current; v < kSchemaVersion; ++v) {
      pg::Transaction tx(db);
      KZ_RETURN_IF_ERROR(tx.Begin());
      KZ_RETURN_IF_ERROR(db.Exec(StrCat("migration ", v + 1), kMigrations[v]));
      KZ_RETURN_IF_ERROR(db.Run("record the schema version",
                                "INSERT INTO kizuna_schema (version) VALUES ($1)",
                                {Param::Int(v + 1)})
                             .status());
      KZ_RETURN_IF_ERROR(tx.Commit());
    }
    return absl::OkStatus();
  };
  absl::Status migrated = migrate();
  absl::Status unlocked = db.Run("release the migration lock", "SELECT pg_advisory_unlock($1)",
                                 {Param::Int(kMigrationLockKey)})
                              .status();
  KZ_RETURN_IF_ERROR(migrated);
  return unlocked;
}

PgOptions WithDefaults(PgOptions options) {
  if (options.max_readers == 0) {
    options.max_readers =
        std::min(PgOptions::kMaxDefaultReaders,
                 PgOptions::kReadersPerCore * std::max(1u, std::thread::hardware_concurrency()));
  }
  return options;
}

}  // namespace

namespace pg_internal {

int64_t SchemaVersion() { return kSchemaVersion; }

absl::StatusOr<int64_t> CollectionPk(pg::Connection& db, std::string_view id) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db.Run("find a collection", "SELECT pk FROM collections WHERE id = $1", {Param::Text(id)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("collection '", id, "' does not exist"));
  return r.Int(0, 0);
}

absl::Status InsertAudit(pg::Connection& db, const AuditEvent& e) {
  return db
      .Run("append to the audit log",
           "INSERT INTO audit_log (time_us, actor, action, target, remote, details)"
           " VALUES ($1, $2, $3, $4, $5, $6)",
           {Param::Int(e.time_us), Param::Text(e.actor), Param::Text(e.action),
            Param::Text(TextForPg(e.target)), Param::Text(e.remote),
            Param::Text(TextForPg(e.details))})
      .status();
}

absl::Status InsertStatus(pg::Connection& db, const StatusRecord& s) {
  return db
      .Run("save a status",
           "INSERT INTO statuses (id, api_root, organization, request_timestamp_us, total_count,"
           " success_count, failure_count, pending_count, details)"
           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
           {Param::Text(s.id), Param::Text(s.api_root), Param::Text(s.organization),
            Param::Int(s.request_timestamp_us), Param::Int(s.total_count),
            Param::Int(s.success_count), Param::Int(s.failure_count), Param::Int(s.pending_count),
            Param::Text(s.details_json)})
      .status();
}

}  // namespace pg_internal

absl::StatusOr<std::unique_ptr<PgStore>> PgStore::Open(const std::string& url, Clock& clock,
                                                       PgOptions options) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> writer, pg::Connection::Open(url));
  KZ_RETURN_IF_ERROR(Migrate(*writer, url));
  auto store = std::make_unique<PgStore>(std::move(writer), url, clock, options);
  KZ_ASSIGN_OR_RETURN(
      store->listener_,
      pg::ChangeListener::Start(url, [s = store.get()](std::string_view payload, int pid) {
        s->HeardChange(payload, pid);
      }));
  return store;
}

void PgStore::HeardChange(std::string_view payload, int backend_pid) {
  // Also for this store's own writes: counted when made, and again now, harmlessly.
  if (payload == "collections") CountCatalogChange();
  // This store's own writes were counted when they were made.
  if (backend_pid == writer_pid_.load(std::memory_order_acquire)) return;
  if (payload == "directory") {
    CountDirectoryChangeElsewhere();
  } else if (payload == "entries" || payload == "deletes" || payload == "collections") {
    CountChangeElsewhere(payload == "deletes");
  }
}

PgStore::PgStore(std::unique_ptr<pg::Connection> writer, std::string url, Clock& clock,
                 PgOptions options)
    : Database(clock, options.random != nullptr ? *options.random : SecureRandom()),
      url_(std::move(url)),
      clock_(clock),
      random_(options.random != nullptr ? *options.random : SecureRandom()),
      options_(WithDefaults(options)),
      writer_(std::move(writer)),
      writer_pid_(writer_->BackendPid()) {}

PgStore::~PgStore() = default;

absl::StatusOr<int64_t> PgStore::CollectionPk(pg::Connection& db, std::string_view id) {
  {
    absl::MutexLock lock(&pk_mu_);
    auto found = collection_pks_.find(std::string(id));
    if (found != collection_pks_.end()) return found->second;
  }
  KZ_ASSIGN_OR_RETURN(int64_t pk, pg_internal::CollectionPk(db, id));
  absl::MutexLock lock(&pk_mu_);
  if (collection_pks_.size() < kMaxRememberedCollections)
    collection_pks_.emplace(std::string(id), pk);
  return pk;
}

absl::Status PgStore::BeginWrite(pg::Transaction& tx) {
  if (!writer_->Healthy()) {
    // The server restarted or the connection dropped: connect again, in place (the caller's
    // transaction refers to this connection).
    KZ_RETURN_IF_ERROR(writer_->Reconnect());
    writer_pid_.store(writer_->BackendPid(), std::memory_order_release);
  }
  // BEGIN and the writers' lock in one round trip (the key is a constant, not a value). READ
  // COMMITTED whatever the database's default: each statement after the lock then sees what
  // the writer before committed (the federation epoch's fence reads it).
  return tx.Begin(StrCat("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(",
                         kWriterLockKey, ")"));
}

absl::Status PgStore::DoCreateApiRoot(const ApiRoot& root) {
  absl::MutexLock lock(&write_mu_);
  absl::Status s = writer_
                       ->Run("create an API root",
                             "INSERT INTO api_roots (name, title, description, max_content_length)"
                             " VALUES ($1, $2, $3, $4)",
                             {Param::Text(root.name), Param::Text(root.title),
                              Param::Text(root.description), Param::Int(root.max_content_length)})
                       .status();
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(StrCat("API root '", root.name, "' already exists"));
  }
  CountCatalogChange();
  return s;
}

absl::StatusOr<std::vector<ApiRoot>> PgStore::DoListApiRoots() {
  const int64_t changes = catalog_changes_.load(std::memory_order_acquire);
  const auto read_time = std::chrono::steady_clock::now();
  {
    absl::MutexLock lock(&catalog_mu_);
    if (roots_read_.Fresh(changes)) return roots_;
  }
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("list API roots",
                              "SELECT name, title, description, max_content_length FROM api_roots"
                              " ORDER BY name COLLATE \"C\""));
  std::vector<ApiRoot> roots;
  for (int i = 0; i < r.rows(); ++i) {
    roots.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)),
                     std::string(r.Text(i, 2)), r.Int(i, 3)});
  }
  absl::MutexLock lock(&catalog_mu_);
  if (changes == catalog_changes_.load(std::memory_order_acquire)) {
    roots_read_ = {changes, read_time};
    roots_ = roots;
  }
  return roots;
}

absl::StatusOr<Collection> PgStore::DoCreateCollection(Collection c) {
  if (c.id.empty()) c.id = stix::NewUuidV4(random_);
  c.created_us = clock_.NowMicros();
  absl::MutexLock lock(&write_mu_);
  KZ_ASSIGN_OR_RETURN(pg::Result root,
                      writer_->Run("find an API root", "SELECT 1 FROM api_roots WHERE name = $1",
                                   {Param::Text(c.api_root)}));
  if (root.rows() == 0)
    return absl::NotFoundError(StrCat("API root '", c.api_root, "' does not exist"));
  std::string communities = pg_internal::JoinWords(c.communities);
  absl::Status s =
      writer_
          ->Run("create a collection",
                "INSERT INTO collections (id, api_root, alias, title, description, created_us,"
                " communities, default_release, exercise) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "$9)",
                {Param::Text(c.id), Param::Text(c.api_root), Param::TextOrNull(c.alias),
                 Param::Text(c.title), Param::Text(c.description), Param::Int(c.created_us),
                 Param::Text(communities), Param::Text(c.default_release), Param::Bool(c.exercise)})
          .status();
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(StrCat("a collection with id '", c.id, "' or alias '", c.alias,
                                           "' already exists in API root '", c.api_root, "'"));
  }
  KZ_RETURN_IF_ERROR(s);
  CountCatalogChange();
  return c;
}

absl::StatusOr<std::vector<Collection>> PgStore::DoListCollections(std::string_view api_root) {
  const int64_t changes = catalog_changes_.load(std::memory_order_acquire);
  const auto read_time = std::chrono::steady_clock::now();
  {
    absl::MutexLock lock(&catalog_mu_);
    auto found = collections_.find(std::string(api_root));
    if (found != collections_.end() && found->second.read.Fresh(changes))
      return found->second.collections;
  }
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run(
          "list collections",
          "SELECT id, api_root, coalesce(alias, ''), title, description, created_us, communities,"
          " default_release, exercise FROM collections WHERE $1 = '' OR api_root = $1"
          " ORDER BY api_root COLLATE \"C\", created_us, id COLLATE \"C\"",
          {Param::Text(api_root)}));
  std::vector<Collection> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)), std::string(r.Text(i, 2)),
                   std::string(r.Text(i, 3)), std::string(r.Text(i, 4)), r.Int(i, 5),
                   pg_internal::SplitWords(r.Text(i, 6)), std::string(r.Text(i, 7)), r.Bool(i, 8)});
  }
  absl::MutexLock lock(&catalog_mu_);
  if (changes == catalog_changes_.load(std::memory_order_acquire)) {
    // Lists of other roots read before this change are stale: dropped (and the map stays as
    // small as the node's API roots, plus "" for all).
    for (auto it = collections_.begin(); it != collections_.end();) {
      if (it->second.read.read_at != changes) {
        collections_.erase(it++);
      } else {
        ++it;
      }
    }
    if (collections_.size() < kMaxRememberedCollectionLists)
      collections_[std::string(api_root)] = CollectionsRead{{changes, read_time}, out};
  }
  return out;
}

absl::Status PgStore::DoSetCollectionPolicy(std::string_view collection_id,
                                            const std::string& communities,
                                            std::string_view default_release) {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      writer_->Run("set a collection's policy",
                                   "UPDATE collections SET communities = $2, default_release = $3"
                                   " WHERE id = $1",
                                   {Param::Text(collection_id), Param::Text(communities),
                                    Param::Text(default_release)}));
  if (r.Affected() != 1)
    return absl::NotFoundError(StrCat("collection '", collection_id, "' does not exist"));
  // What a collection releases is the directory's concern too: `kizuna bus` and the
  // authentication caches watch Directory::ChangeVersion (as SqliteStore does).
  KZ_RETURN_IF_ERROR(pg_internal::BumpIdentityVersion(*writer_));
  KZ_RETURN_IF_ERROR(tx.Commit());
  CountCatalogChange();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AddResult>> PgStore::DoAddObjects(std::string_view collection_id,
                                                             std::span<const NewObject> objects,
                                                             const PullBatch* pull,
                                                             const Writer& writer,
                                                             const RecordAdd* record) {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  pg::Connection& db = *writer_;
  // A pull's cursor moves with its objects: only while the pass's lead lasts (if it has one),
  // and only forward from the cursor its page was asked after (the writers' lock holds it).
  if (pull != nullptr) {
    KZ_RETURN_IF_ERROR(FenceFederationWrite(db, pull->lead_epoch));
    KZ_RETURN_IF_ERROR(pg_internal::CheckPullCursor(db, collection_id, *pull));
  }
  KZ_ASSIGN_OR_RETURN(
      pg::Result collection,
      db.Run("find a collection and the last date_added",
             "SELECT pk, exercise, (SELECT value FROM node_state WHERE key = 'last_date_added_us')"
             " FROM collections WHERE id = $1",
             {Param::Text(collection_id)}));
  if (collection.rows() == 0)
    return absl::NotFoundError(StrCat("collection '", collection_id, "' does not exist"));
  const int64_t last_added_us = collection.Int(0, 2);
  const int64_t now_us = clock_.NowMicros();
  // A pull's entries are added by the peer: its organisation and nation as configured.
  Writer adder_writer = writer;
  pg_internal::PeerAdder peer;
  if (pull != nullptr) {
    KZ_ASSIGN_OR_RETURN(peer, pg_internal::PeerAdderOf(db, pull->peer));
    adder_writer.organization = peer.organization;
    adder_writer.nation = peer.nation;
  }
  pg_internal::PgAdder adder(db, collection.Int(0, 0), collection.Bool(0, 1), now_us,
                             std::max(now_us, last_added_us + 1), adder_writer);
  KZ_RETURN_IF_ERROR(adder.Prefetch(objects));
  std::vector<AddResult> results;
  results.reserve(objects.size());
  std::vector<std::pair<std::string_view, std::string_view>> refused;
  for (const NewObject& object : objects) {
    KZ_ASSIGN_OR_RETURN(AddResult r, adder.Add(object));
    results.push_back(std::move(r));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome == AddOutcome::kRefused)
      refused.emplace_back(objects[i].index->id, results[i].reason);
  }
  if (!refused.empty()) {
    AuditEvent event = ObjectsRejectedEvent(writer.name, "object.refuse", collection_id, refused);
    event.time_us = now_us;
    KZ_RETURN_IF_ERROR(pg_internal::InsertAudit(db, event));
  }
  KZ_ASSIGN_OR_RETURN(int64_t last_given_us, adder.Finish());
  // The search index of the added entries, in this transaction (pg_search.cc).
  KZ_ASSIGN_OR_RETURN(std::optional<pg_internal::PgIndexWriter> index, IndexWriterFor(db));
  for (size_t i = 0; index && i < results.size(); ++i) {
    if (results[i].outcome != AddOutcome::kAdded) continue;
    KZ_RETURN_IF_ERROR(
        index->Add(results[i].date_added_us, objects[i].index->type, objects[i].json));
  }
  if (index) KZ_RETURN_IF_ERROR(index->Flush());
  if (!index && last_given_us > last_added_us) KZ_RETURN_IF_ERROR(pg_internal::MarkIndexStale(db));
  if (last_given_us > last_added_us) {
    KZ_RETURN_IF_ERROR(db.Run("advance the last date_added",
                              "UPDATE node_state SET value = $1 WHERE key = 'last_date_added_us'",
                              {Param::Int(last_given_us)})
                           .status());
  }
  if (pull != nullptr) {
    KZ_RETURN_IF_ERROR(pg_internal::RecordPull(db, collection_id, *pull, objects, results, now_us));
  } else if (writer.kind == WriterKind::kPartner) {
    for (const AddResult& r : results) {
      if (r.outcome != AddOutcome::kAdded) continue;
      KZ_RETURN_IF_ERROR(
          db.Run(
                "record provenance",
                "INSERT INTO provenance (date_added_us, peer, remote_collection, remote_date_added,"
                " received_us) VALUES ($1, $2, '', '', $3)",
                {Param::Int(r.date_added_us), Param::Text(writer.name), Param::Int(now_us)})
              .status());
    }
  }
  if (record != nullptr) {
    KZ_ASSIGN_OR_RETURN(AddRecords records, (*record)(results));
    if (!records.status.id.empty())
      KZ_RETURN_IF_ERROR(pg_internal::InsertStatus(db, records.status));
    for (AuditEvent& e : records.audit) {
      if (e.time_us == 0) e.time_us = now_us;
      KZ_RETURN_IF_ERROR(pg_internal::InsertAudit(db, e));
    }
  }
  KZ_RETURN_IF_ERROR(tx.Commit());
  return results;
}

absl::StatusOr<int64_t> PgStore::DoLastDateAdded() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("read the last date_added",
                              "SELECT value FROM node_state WHERE key = 'last_date_added_us'"));
  return r.rows() == 0 ? 0 : r.Int(0, 0);
}

absl::StatusOr<int64_t> PgStore::DoEntriesDeleted() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("read the mark of deleted entries",
                              "SELECT value FROM node_state WHERE key = 'entries_deleted'"));
  return r.rows() == 0 ? 0 : r.Int(0, 0);
}

absl::StatusOr<int64_t> PgStore::StoreId() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("read the store's id",
                                            "SELECT value FROM node_state WHERE key = 'store_id'"));
  if (r.rows() == 0) return absl::DataLossError("the store has no store_id in node_state");
  return r.Int(0, 0);
}

absl::StatusOr<std::string> PgStore::DoFindObject(std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("find an object",
                                            "SELECT json FROM entries WHERE stix_id = $1"
                                            " ORDER BY version_ns DESC, date_added_us DESC LIMIT 1",
                                            {Param::Text(object_id)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("no object '", object_id, "' is stored"));
  return std::string(r.Text(0, 0));
}

absl::StatusOr<MarkingDefinitionRecord> PgStore::DoFindMarkingDefinition(
    std::string_view marking_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("find a marking definition",
                              "SELECT json, coalesce(local_author, '') FROM marking_definitions"
                              " WHERE stix_id = $1",
                              {Param::Text(marking_id)}));
  if (r.rows() == 0)
    return absl::NotFoundError(StrCat("no marking definition '", marking_id, "' is held"));
  return MarkingDefinitionRecord{std::string(r.Text(0, 0)), std::string(r.Text(0, 1))};
}

absl::StatusOr<std::vector<Provenance>> PgStore::DoGetProvenance(std::string_view collection_id,
                                                                 std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(*db, collection_id));
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("read provenance",
              "SELECT e.date_added_us, e.version, p.peer, p.remote_collection, p.remote_date_added,"
              " p.received_us FROM entries e JOIN provenance p ON p.date_added_us = e.date_added_us"
              " WHERE e.stix_id = $1 AND e.collection = $2 ORDER BY e.date_added_us",
              {Param::Text(object_id), Param::Int(collection_pk)}));
  std::vector<Provenance> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.Int(i, 0), std::string(r.Text(i, 1)), std::string(r.Text(i, 2)),
                   std::string(r.Text(i, 3)), std::string(r.Text(i, 4)), r.Int(i, 5)});
  }
  return out;
}

absl::Status PgStore::DoSaveStatus(const StatusRecord& status) {
  absl::MutexLock lock(&write_mu_);
  absl::Status s = pg_internal::InsertStatus(*writer_, status);
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(StrCat("status '", status.id, "' already exists"));
  }
  return s;
}

absl::Status PgStore::DoReadStatus(std::string_view api_root, std::string_view id,
                                   int64_t not_before_us, StatusSink sink) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run(
          "read a status",
          "SELECT organization, request_timestamp_us, total_count, success_count, failure_count,"
          " pending_count, details FROM statuses"
          " WHERE id = $1 AND api_root = $2 AND request_timestamp_us >= $3",
          {Param::Text(id), Param::Text(api_root), Param::Int(not_before_us)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("status '", id, "' does not exist"));
  StatusRecord s;
  s.id = std::string(id);
  s.api_root = std::string(api_root);
  s.organization = r.Text(0, 0);
  s.request_timestamp_us = r.Int(0, 1);
  s.total_count = r.Int(0, 2);
  s.success_count = r.Int(0, 3);
  s.failure_count = r.Int(0, 4);
  s.pending_count = r.Int(0, 5);
  std::string_view details = r.Text(0, 6);
  if (std::string* out = sink(s, details.size())) out->append(details);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PgStore::DoDeleteStatusesBefore(int64_t before_us, int64_t max_count) {
  absl::MutexLock lock(&write_mu_);
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      writer_->Run(
          "delete expired statuses",
          "DELETE FROM statuses WHERE seq IN (SELECT seq FROM statuses ORDER BY seq LIMIT $2)"
          " AND request_timestamp_us < $1",
          {Param::Int(before_us), Param::Int(max_count)}));
  return r.Affected();
}

absl::StatusOr<PgStore::ReaderLease> PgStore::AcquireReader() {
  {
    absl::MutexLock lock(&readers_mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(readers_mu_) {
      return !idle_readers_.empty() || open_readers_ < options_.max_readers;
    };
    readers_mu_.Await(absl::Condition(&ready));
    if (!idle_readers_.empty()) {
      std::unique_ptr<pg::Connection> conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(conn));
    }
    ++open_readers_;
  }
  absl::StatusOr<std::unique_ptr<pg::Connection>> conn = pg::Connection::Open(url_);
  if (!conn.ok()) {
    absl::MutexLock lock(&readers_mu_);
    --open_readers_;
    return conn.status();
  }
  return ReaderLease(*this, std::move(*conn));
}

void PgStore::ReleaseReader(std::unique_ptr<pg::Connection> conn) {
  absl::MutexLock lock(&readers_mu_);
  if (!conn->Healthy()) {
    --open_readers_;  // dropped; the next reader connects again
    return;
  }
  idle_readers_.push_back(std::move(conn));
}

}  // namespace kizuna::store
