// Kizuna. The PostgreSQL store: the object Store over libpq, for several nodes on one database.
#pragma once

// PgStore implements Store (store.h) with the semantics of SqliteStore, down to date_added
// and cursors: any number of processes may open one database, and a cursor (`next`) given
// out by one is valid on all. Writes go through one connection under a mutex, and every write
// transaction first takes a transaction-level advisory lock shared by all processes
// (kWriterLockKey), then reads and advances node_state.last_date_added_us: date_added values are
// given out in commit order across the database, so an entry committed after a reader's cursor
// always sorts after it. Reads use a small pool of connections and never wait for the writer.
// The schema is PostgreSQL migrations of its own (postgres/migrations/*.sql), applied at open
// under a session advisory lock, so nodes starting together migrate once.
//
// PgStore is also the Directory (pg_directory.cc, migration 002_identity.sql): every change
// runs in a write transaction under the writers' lock that appends its audit event and
// advances node_state.identity_version, which ChangeVersion reads, so a change made by any
// process on the database (and a collection policy change) moves every process's
// ChangeVersion. The partner rule "a partner node may not bring new objects created by this
// node's organisations" reads the organisations and the peers.
// SearchIndex (search_index.h) is here too (postgres/pg_search.cc): the index rows are written
// in the write transaction that adds or deletes the entries, and read by any process.
// Federation (pg_peers.cc, pg_feeds.cc, pg_pulls.cc): PgStore is also the PeerStore and the
// FeedStore, with pulls (AddPulledObjects) and their provenance, rejections and sync runs as
// SqliteStore keeps them. The secrets of peers and feeds are sealed with the node's key
// (peer_tokens.h), read from the file PgOptions::peer_key_path: every node on one database
// needs a copy of that one file. Of the processes on one database, one runs federation at a
// time (LeadFederation: a session advisory lock, kFederationLockKey, on a connection of its own).
// Each process that takes the lead advances node_state.federation_epoch under the writers'
// lock and gives it to the passes it runs (LeadFederationEpoch); a pass's federation
// bookkeeping (pull batches and their cursors, sync progress and errors, feed runs) is written
// only in a transaction that finds that epoch still current, so a leader whose session ended
// cannot move a cursor back behind the process that took over, even once it has led again
// (FenceFederationWrite).
// Changes committed by other processes reach this one's caches at once (change_listener.h).
// Thread-safety: safe for concurrent use.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/store/database.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/feeds.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/peers.h"
#include "kizuna/store/postgres/change_listener.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/postgres/pg_index_writer.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

struct PgOptions {
  // Read connections kept open; more readers than this wait for one. 0: kReadersPerCore per
  // core, as many as the event loops a node on PostgreSQL runs (node.cc), each of which may
  // read at once, but at most kMaxDefaultReaders (PostgreSQL's max_connections is 100 by
  // default, shared by every process on the database).
  static constexpr size_t kReadersPerCore = 8;
  static constexpr size_t kMaxDefaultReaders = 32;
  size_t max_readers = 0;
  // Makes the ids of new collections and organisations; must outlive the store. Null:
  // SecureRandom().
  Random* random = nullptr;
  // The file of the node's key that seals the secrets of peers and feeds (peer_tokens.h;
  // SQLite keeps it as peer-tokens.key beside the database). Never made by the store
  // (`kizuna init --store` makes it): every node on the database needs the same key, so a
  // missing file fails the first use of a secret (FailedPrecondition naming it), as does
  // an empty path (the default); everything else works.
  std::string peer_key_path;
};

class PgStore : public Database, public FeedStore {
 public:
  // The key of the advisory lock every write transaction holds (pg_advisory_xact_lock).
  static constexpr int64_t kWriterLockKey = 0x4b697a756e61'0001;  // "Kizuna", 1
  // The key of the session advisory lock a search index rebuild holds (one at a time).
  static constexpr int64_t kRebuildLockKey = 0x4b697a756e61'0003;  // "Kizuna", 3
  // The key of the session advisory lock the process that runs federation holds
  // (LeadFederation, peers.h).
  static constexpr int64_t kFederationLockKey = 0x4b697a756e61'0fed;

  // Connects to `url` (postgresql://...), applies pending migrations and returns the store.
  // Unavailable when the server cannot be reached; DataLoss when the database holds a schema
  // newer than this Kizuna knows. `clock` must outlive the store.
  static absl::StatusOr<std::unique_ptr<PgStore>> Open(const std::string& url, Clock& clock,
                                                       PgOptions options = {});

  PgStore(std::unique_ptr<pg::Connection> writer, std::string url, Clock& clock, PgOptions options);
  ~PgStore() override;

  // This store's identity (store_id.h StoreId). DataLoss when node_state has none.
  absl::StatusOr<int64_t> StoreId();

  // SearchIndex (postgres/pg_search.cc).
  void SetIndexer(std::shared_ptr<const EntryIndexer> indexer) override {
    indexer_ = std::move(indexer);
  }
  // The PostgreSQL store keeps indexing in the write transaction (docs/search.md): its index
  // is never behind, and CatchUpIndex has nothing to do.
  void DeferIndexing(bool /*defer*/) override {}

 private:
  // A read connection borrowed from the pool; returned to it on destruction.
  class ReaderLease {
   public:
    ReaderLease(PgStore& store, std::unique_ptr<pg::Connection> conn)
        : store_(&store), conn_(std::move(conn)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease() {
      if (conn_) store_->ReleaseReader(std::move(conn_));
    }
    pg::Connection* operator->() { return conn_.get(); }
    pg::Connection& operator*() { return *conn_; }

   private:
    PgStore* store_;
    std::unique_ptr<pg::Connection> conn_;
  };

  absl::Status DoCreateApiRoot(const ApiRoot& root) override;
  absl::StatusOr<std::vector<ApiRoot>> DoListApiRoots() override;
  absl::StatusOr<Collection> DoCreateCollection(Collection collection) override;
  absl::StatusOr<std::vector<Collection>> DoListCollections(std::string_view api_root) override;
  absl::Status DoSetCollectionPolicy(std::string_view collection_id, const std::string& communities,
                                     std::string_view default_release) override;
  absl::StatusOr<std::vector<AddResult>> DoAddObjects(std::string_view collection_id,
                                                      std::span<const NewObject> objects,
                                                      const PullBatch* pull, const Writer& writer,
                                                      const RecordAdd* record) override;
  absl::StatusOr<int64_t> DoLastDateAdded() override;
  absl::StatusOr<int64_t> DoEntriesDeleted() override;
  absl::StatusOr<std::string> DoFindObject(std::string_view object_id) override;
  absl::StatusOr<MarkingDefinitionRecord> DoFindMarkingDefinition(
      std::string_view marking_id) override;
  absl::StatusOr<std::vector<Provenance>> DoGetProvenance(std::string_view collection_id,
                                                          std::string_view object_id) override;
  absl::Status DoGetObjects(std::string_view collection_id, std::string_view object_id,
                            const PageRequest& request, WithJson with_json, Page& page) override;
  absl::StatusOr<int64_t> DoDeleteObject(std::string_view collection_id, std::string_view object_id,
                                         const ObjectFilter& filter,
                                         const RecordDelete* record) override;
  absl::StatusOr<int64_t> DoCountObjects(std::string_view collection_id) override;
  absl::StatusOr<int64_t> DoNthNewestCurrent(std::string_view collection_id, std::string_view type,
                                             int64_t before_us, int64_t n) override;
  // The reports' reads (pg_report_view.cc).
  absl::StatusOr<std::unique_ptr<Connection>> DoOpenReportView(const ReportScope& scope) override;
  absl::Status DoPutExerciseResult(const ExerciseResultRow& row) override;
  absl::StatusOr<std::vector<ExerciseResultRow>> DoExerciseResultsHeld(int64_t from_us,
                                                                       int64_t to_us) override;
  absl::Status DoSaveStatus(const StatusRecord& status) override;
  absl::Status DoReadStatus(std::string_view api_root, std::string_view id, int64_t not_before_us,
                            StatusSink sink) override;
  absl::StatusOr<int64_t> DoDeleteStatusesBefore(int64_t before_us, int64_t max_count) override;

#include "kizuna/store/database.h"
  // SearchIndex (postgres/pg_search.cc).
  absl::StatusOr<std::vector<IndexHit>> DoFindValues(std::span<const std::string> values,
                                                     int64_t after_us, size_t limit) override;
  absl::StatusOr<std::vector<IndexHit>> DoFindValueRange(std::string_view from, std::string_view to,
                                                         std::string_view after_value,
                                                         int64_t after_entry,
                                                         size_t limit) override;
  absl::StatusOr<std::vector<IndexHit>> DoFindRanges(bool v6,
                                                     const std::array<uint8_t, 16>& address,
                                                     int prefix, size_t limit) override;
  absl::StatusOr<std::vector<IndexHit>> DoValuesOf(int64_t date_added_us) override;
  absl::StatusOr<std::vector<int64_t>> DoFindText(const TextQuery& query) override;
  absl::StatusOr<std::vector<LocatedObject>> DoReadEntries(
      std::span<const int64_t> date_added_us) override;
  absl::StatusOr<std::vector<LocatedObject>> DoReadObject(std::string_view object_id) override;
  absl::StatusOr<IndexState> DoGetIndexState() override;
  absl::StatusOr<IndexHead> DoGetIndexHead() override;
  absl::StatusOr<RebuildSummary> DoCatchUpIndex(const RebuildProgress& progress, size_t batch,
                                                size_t max_batches) override;
  absl::StatusOr<RebuildSummary> DoRebuildIndex(const RebuildProgress& progress,
                                                size_t batch) override;
  // The index writer of a write transaction on the writer: none without an indexer, or when
  // the stored index is stale or another indexer version's (it stays stale until rebuilt).
  absl::StatusOr<std::optional<pg_internal::PgIndexWriter>> IndexWriterFor(pg::Connection& db)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // A notification of a change another process committed (change_listener.h), on the
  // listener's thread: moves the change counts callers' caches are stamped with.
  // Notifications sent by this store's own writer are not counted again.
  void HeardChange(std::string_view payload, int backend_pid);
  // --- Directory hooks (pg_directory.cc, pg_tokens.cc, pg_grants.cc) ---
  absl::Status DoCreateOrganization(const Organization& org, const AuditEvent& event) override;
  absl::StatusOr<std::vector<Organization>> DoListOrganizations() override;
  absl::Status DoCreateGroup(std::string_view name, const AuditEvent& event) override;
  absl::Status DoSetMembership(std::string_view group, std::string_view org, bool member,
                               const AuditEvent& event) override;
  absl::StatusOr<std::vector<Group>> DoListGroups() override;
  absl::StatusOr<User> DoCreateUser(const NewUser& user, int64_t now_us,
                                    const AuditEvent& event) override;
  absl::StatusOr<std::vector<User>> DoListUsers() override;
  absl::Status DoUpdateUser(std::string_view user, std::optional<bool> disabled,
                            std::optional<uint8_t> roles, const AuditEvent& event) override;
  absl::Status DoSetUserPassword(std::string_view user, std::string_view password_hash,
                                 uint8_t refused_roles, const AuditEvent& event) override;
  absl::Status DoUpdateUserKeepingAnAdmin(std::string_view user, std::optional<bool> disabled,
                                          std::optional<uint8_t> roles,
                                          std::span<const AuditEvent> events) override;
  absl::StatusOr<PasswordCredential> DoGetPasswordCredential(std::string_view user) override;
  absl::StatusOr<Token> DoCreateToken(const NewToken& token, int64_t now_us,
                                      const AuditEvent& event) override;
  absl::StatusOr<std::vector<Token>> DoListTokens(std::string_view user) override;
  absl::Status DoRevokeToken(std::string_view token_id, int64_t now_us,
                             const AuditEvent& event) override;
  absl::StatusOr<Credential> DoGetCredential(std::string_view token_id) override;
  absl::Status DoTouchToken(std::string_view token_id, int64_t used_us) override;
  absl::StatusOr<UserCertificate> DoAddUserCertificate(const UserCertificate& certificate,
                                                       const AuditEvent& event) override;
  absl::Status DoRemoveUserCertificate(std::string_view sha256, const AuditEvent& event) override;
  absl::StatusOr<std::vector<UserCertificate>> DoListUserCertificates(
      std::string_view user) override;
  absl::StatusOr<CertificateCredential> DoGetCertificateCredential(
      std::string_view sha256) override;
  absl::StatusOr<Grant> DoChangeGrant(std::string_view collection_id, const Grantee& grantee,
                                      Permissions add, Permissions remove,
                                      const AuditEvent& event) override;
  absl::StatusOr<std::vector<Grant>> DoListGrants(std::string_view collection_id) override;
  absl::Status DoAppendAudit(std::span<const AuditEvent> events) override;
  absl::StatusOr<std::vector<AuditEvent>> DoReadAudit(const AuditQuery& query) override;
  absl::StatusOr<int64_t> DoChangeVersion() override;
  // Runs `change` on the writer in one write transaction (BeginWrite) that also appends `event`
  // to the audit log and advances the directory's change version; commits only if all succeed.
  absl::Status WriteChange(const AuditEvent& event,
                           absl::FunctionRef<absl::Status(pg::Connection&)> change);
  // --- end of the Directory hooks ---
  // ---- Federation: PeerStore (pg_peers.cc), FeedStore (pg_feeds.cc), pulls (pg_pulls.cc) ----
  absl::Status DoAddPeer(std::string_view actor, const Peer& peer) override;
  absl::StatusOr<std::vector<Peer>> DoListPeers(std::string_view name) override;
  absl::Status DoRemovePeer(std::string_view actor, std::string_view name) override;
  absl::Status DoUpdatePeer(std::string_view actor, const Peer& peer) override;
  absl::Status DoSaveProgress(std::string_view peer, const PeerMapping& mapping,
                              SyncDirection which, int64_t cursor_us,
                              std::span<const int64_t> acknowledged, int64_t now_us,
                              int64_t lead_epoch) override;
  absl::Status DoSaveSyncError(std::string_view peer, const PeerMapping& mapping,
                               std::string_view error, int64_t now_us, int64_t lead_epoch) override;
  absl::StatusOr<std::optional<int64_t>> DoLeadFederation() override;
  absl::Status DoAddFeed(std::string_view actor, const Feed& feed) override;
  absl::StatusOr<std::vector<Feed>> DoListFeeds(std::string_view name) override;
  absl::Status DoRemoveFeed(std::string_view actor, std::string_view name) override;
  absl::Status DoSaveFeedRun(std::string_view name, const FeedRunRecord& run) override;
  // Inside a write transaction on the writer (after BeginWrite): OK when a pass that began
  // under lead `lead_epoch` (DoLeadFederation) may write federation bookkeeping: while
  // node_state.federation_epoch is still that epoch and this process has not seen its lead
  // end. Another process that took over since advanced the epoch (under the writers' lock, so
  // before or after this transaction, never during it), and so did this process if it took
  // the lead again: a pass that read its cursors under a lead that has ended fails its write
  // even when a later lead of its own process is current. FailedPrecondition otherwise.
  // `lead_epoch` 0 (a write that names no pass): checked against this process's current lead;
  // a process that never led (`kizuna sync run --once`) is not fenced (its pull batches are
  // still stored only from the mapping's current cursor, PullBatch::after).
  absl::Status FenceFederationWrite(pg::Connection& db, int64_t lead_epoch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Advances node_state.federation_epoch in a write transaction of its own; returns the new one.
  absl::StatusOr<int64_t> AdvanceFederationEpoch();
  // Runs `change` and appends `event` in one write transaction (BeginWrite).
  absl::Status WriteAudited(const AuditEvent& event,
                            absl::FunctionRef<absl::Status(pg::Connection&)> change);
  // The sealer of secrets, with the key in options_.peer_key_path (loaded on first use).
  absl::StatusOr<TokenSealer> Sealer();
  // ---- end of federation ----

  // The primary key of collection `id` (NotFound when there is none), remembered: collections
  // are never deleted, so a key once read stays true.
  absl::StatusOr<int64_t> CollectionPk(pg::Connection& db, std::string_view id);

  // Begins a write transaction on the writer and takes the writers' advisory lock.
  absl::Status BeginWrite(pg::Transaction& tx) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // A read connection from the pool (opened when the pool has room), waiting while all
  // `max_readers` are in use; a connection that broke is not returned to the pool.
  absl::StatusOr<ReaderLease> AcquireReader();
  void ReleaseReader(std::unique_ptr<pg::Connection> conn);

  const std::string url_;
  Clock& clock_;
  Random& random_;
  const PgOptions options_;
  absl::Mutex write_mu_;
  std::unique_ptr<pg::Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  std::atomic<int> writer_pid_;  // the writer's backend (HeardChange reads it on another thread)
  absl::Mutex pk_mu_;
  absl::flat_hash_map<std::string, int64_t> collection_pks_ ABSL_GUARDED_BY(pk_mu_);
  // The API roots and collections as last read (every TAXII request finds its root and its
  // collection: Store::GetApiRoot, FindCollection), kept while catalog_changes_ is what it was
  // before they were read, and for kCatalogMaxAge at most. The count moves after each API root
  // or collection this store writes, and at each 'collections' notification (another
  // process's, or any when the listener connected again), so a list read before a change is
  // not kept after it; the age bounds what a notification lost while the listener's
  // connection is down (a silent drop takes keepalives ~25 s to notice) can delay, such as a
  // collection's release policy made stricter by another process.
  static constexpr std::chrono::seconds kCatalogMaxAge{1};
  std::atomic<int64_t> catalog_changes_{0};
  void CountCatalogChange() { catalog_changes_.fetch_add(1, std::memory_order_acq_rel); }
  absl::Mutex catalog_mu_;
  struct CatalogRead {
    int64_t read_at = -1;  // catalog_changes_ before the read
    std::chrono::steady_clock::time_point read_time;
    // Whether it may answer now, catalog_changes_ being `changes`.
    bool Fresh(int64_t changes) const {
      return read_at == changes && std::chrono::steady_clock::now() - read_time < kCatalogMaxAge;
    }
  };
  CatalogRead roots_read_ ABSL_GUARDED_BY(catalog_mu_);
  std::vector<ApiRoot> roots_ ABSL_GUARDED_BY(catalog_mu_);
  struct CollectionsRead {
    CatalogRead read;
    std::vector<Collection> collections;
  };
  absl::flat_hash_map<std::string, CollectionsRead> collections_ ABSL_GUARDED_BY(catalog_mu_);
  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<pg::Connection>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
  size_t open_readers_ ABSL_GUARDED_BY(readers_mu_) = 0;
  // Federation.
  absl::Mutex sealer_mu_;
  std::optional<TokenSealer> sealer_ ABSL_GUARDED_BY(sealer_mu_);
  // The connection that holds kFederationLockKey (or asks for it). Destroyed with the store,
  // it gives the lock back before it closes, so another process takes over at its next call
  // (after a crash, the server releases it as soon as it sees the connection closed).
  struct FederationLeader {
    std::unique_ptr<pg::Connection> conn;
    bool leading = false;
    FederationLeader() = default;
    FederationLeader(const FederationLeader&) = delete;
    FederationLeader& operator=(const FederationLeader&) = delete;
    ~FederationLeader();
  };
  absl::Mutex leader_mu_;  // taken before write_mu_ (DoLeadFederation), never after
  FederationLeader leader_ ABSL_GUARDED_BY(leader_mu_);
  // The federation epoch this process set when it took the lead (FenceFederationWrite), or:
  static constexpr int64_t kNeverLed = -1;  // not fenced
  static constexpr int64_t kLostLead = 0;   // led, and lost the lock: every such write fails
  std::atomic<int64_t> leader_epoch_{kNeverLed};
  std::shared_ptr<const EntryIndexer> indexer_;  // SearchIndex: set before the store is shared
  // Last: stopped first, before what its callback touches.
  std::unique_ptr<pg::ChangeListener> listener_;
};

}  // namespace kizuna::store
