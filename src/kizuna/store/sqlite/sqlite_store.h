// Kizuna. The embedded store: one SQLite database file in WAL mode.
#pragma once

// Writes go through one connection under a mutex (SQLite allows one writer); reads use a
// pool of read connections, so readers never wait for writers (WAL snapshots). Every
// AddObjects call is one transaction committed with synchronous=FULL: when it returns OK
// the objects survive a crash or kill -9. The same database holds the identity Directory
// (sqlite_directory.cc, sqlite_tokens.cc, sqlite_grants.cc, sqlite_audit.cc) and the peers
// (sqlite_peers.cc), whose tokens are sealed with a key in the file peer-tokens.key beside
// the database (peer_tokens.h).
// Thread-safety: safe for concurrent use.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/sqlite/id_filter.h"
#include "kizuna/store/sqlite/index_writer.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/database.h"
#include "kizuna/store/feeds.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

struct SqliteOptions {
  // Read connections kept open; more readers than this wait for one. Default: enough for
  // the server's thread pool on a small machine.
  size_t max_readers = 8;
  // Makes the ids of new collections and organisations; must outlive the store and be
  // thread-safe while it is shared. Null: SecureRandom(). Tests pass a SeededRandom.
  Random* random = nullptr;
};

class SqliteStore : public Database, public FeedStore {
 public:
  // Opens or creates the database at `path` and applies pending migrations. Returns
  // Unavailable if the file cannot be opened, DataLoss if it is not a Kizuna database or
  // was written by a newer Kizuna. `clock` must outlive the store.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path, Clock& clock,
                                                           SqliteOptions options = {});

  SqliteStore(std::unique_ptr<Connection> writer, std::string path, Clock& clock,
              SqliteOptions options, sqlite_internal::IdHashKey id_hash_key);
  ~SqliteStore() override;

  // This store's identity (store_id.h StoreId). DataLoss when node_state has none.
  absl::StatusOr<int64_t> StoreId();

  void SetIndexer(std::shared_ptr<const EntryIndexer> indexer) override { indexer_ = std::move(indexer); }
  void DeferIndexing(bool defer) override { defer_indexing_ = defer; }

  // Closes the idle read connections, and with them their page caches (up to 128 MB each):
  // for a long-running command after it read much once (the matcher's compile). Later reads
  // open connections again.
  void CloseIdleReaders();

 private:
  // A read connection borrowed from the pool; returned to it on destruction.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore& store, std::unique_ptr<Connection> conn)
        : store_(&store), conn_(std::move(conn)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease() {
      if (conn_) store_->ReleaseReader(std::move(conn_));
    }
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    SqliteStore* store_;
    std::unique_ptr<Connection> conn_;
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
  absl::StatusOr<std::vector<std::optional<std::string>>> DoFindObjects(
      std::span<const std::string> object_ids) override;
  absl::StatusOr<MarkingDefinitionRecord> DoFindMarkingDefinition(std::string_view marking_id) override;
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
  // The reports' reads (sqlite_report_view.cc).
  absl::StatusOr<std::unique_ptr<Connection>> DoOpenReportView(const ReportScope& scope) override;
  absl::Status DoPutExerciseResult(const ExerciseResultRow& row) override;
  absl::StatusOr<std::vector<ExerciseResultRow>> DoExerciseResultsHeld(int64_t from_us,
                                                                       int64_t to_us) override;
  absl::Status DoSaveStatus(const StatusRecord& status) override;
  absl::Status DoReadStatus(std::string_view api_root, std::string_view id, int64_t not_before_us,
                            StatusSink sink) override;
  absl::StatusOr<int64_t> DoDeleteStatusesBefore(int64_t before_us, int64_t max_count) override;

  // Directory hooks.
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
  absl::Status DoSetUserPassword(std::string_view user, std::string_view password_hash, uint8_t refused_roles,
                                 const AuditEvent& event) override;
  absl::Status DoUpdateUserKeepingAnAdmin(std::string_view user, std::optional<bool> disabled,
                                          std::optional<uint8_t> roles, std::span<const AuditEvent> events) override;
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
  absl::StatusOr<std::vector<UserCertificate>> DoListUserCertificates(std::string_view user) override;
  absl::StatusOr<CertificateCredential> DoGetCertificateCredential(std::string_view sha256) override;
  absl::StatusOr<Grant> DoChangeGrant(std::string_view collection_id, const Grantee& grantee,
                                      Permissions add, Permissions remove,
                                      const AuditEvent& event) override;
  absl::StatusOr<std::vector<Grant>> DoListGrants(std::string_view collection_id) override;
  absl::Status DoAppendAudit(std::span<const AuditEvent> events) override;
  absl::StatusOr<std::vector<AuditEvent>> DoReadAudit(const AuditQuery& query) override;
  absl::StatusOr<int64_t> DoChangeVersion() override;

  // PeerStore hooks (sqlite_peers.cc).
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
  // The one node serving a data directory always leads, under no epoch (peers.h): the writes'
  // lead_epoch is not looked at.
  absl::StatusOr<std::optional<int64_t>> DoLeadFederation() override { return int64_t{0}; }

  // FeedStore hooks (sqlite_feeds.cc).
  absl::Status DoAddFeed(std::string_view actor, const Feed& feed) override;
  absl::StatusOr<std::vector<Feed>> DoListFeeds(std::string_view name) override;
  absl::Status DoRemoveFeed(std::string_view actor, std::string_view name) override;
  absl::Status DoSaveFeedRun(std::string_view name, const FeedRunRecord& run) override;

  // SearchIndex hooks (sqlite_search.cc).
  absl::StatusOr<std::vector<IndexHit>> DoFindValues(std::span<const std::string> values, int64_t after_us,
                                                     size_t limit) override;
  absl::StatusOr<std::vector<IndexHit>> DoFindValueRange(std::string_view from, std::string_view to,
                                                         std::string_view after_value, int64_t after_entry,
                                                         size_t limit) override;
  absl::StatusOr<std::vector<IndexHit>> DoFindRanges(bool v6, const std::array<uint8_t, 16>& address,
                                                     int prefix, size_t limit) override;
  absl::StatusOr<std::vector<IndexHit>> DoValuesOf(int64_t date_added_us) override;
  absl::StatusOr<std::vector<int64_t>> DoFindText(const TextQuery& query) override;
  absl::StatusOr<std::vector<LocatedObject>> DoReadEntries(std::span<const int64_t> date_added_us) override;
  absl::StatusOr<std::vector<LocatedObject>> DoReadObject(std::string_view object_id) override;
  absl::StatusOr<IndexState> DoGetIndexState() override;
  absl::StatusOr<IndexHead> DoGetIndexHead() override;
  absl::StatusOr<RebuildSummary> DoRebuildIndex(const RebuildProgress& progress, size_t batch) override;
  absl::StatusOr<RebuildSummary> DoCatchUpIndex(const RebuildProgress& progress, size_t batch,
                                                size_t max_batches) override;
  // The index writer of a write transaction on `db`: none without an indexer, or when the
  // index is stale or was built by another indexer version (it stays stale until rebuilt);
  // with the stored cursor when the index is behind.
  absl::StatusOr<std::optional<sqlite_internal::IndexWriter>> IndexWriterFor(Connection& db)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // Runs `change` on the writer in one transaction that also appends `event` to the audit
  // log and advances the identity change version; commits only if all succeed.
  absl::Status WriteChange(const AuditEvent& event,
                           absl::FunctionRef<absl::Status(Connection&)> change);

  // Brings id_filter_ up to date with entries other processes may have added, and rebuilds
  // it larger when full. Called inside a transaction (its reads must see one snapshot): at
  // the start of each write transaction, and in a read transaction by DoFindObjects.
  absl::Status SyncIdFilter() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // The sealer of peer tokens, with the key beside the database (loaded, or made, on first use).
  absl::StatusOr<TokenSealer> Sealer();

  // Returns a read connection from the pool (opening one if the pool has room), waiting
  // while all `max_readers` are in use.
  absl::StatusOr<ReaderLease> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> conn);

  const std::string path_;
  Clock& clock_;
  const SqliteOptions options_;
  const sqlite_internal::IdHashKey id_hash_key_;
  absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  sqlite_internal::IdFilter id_filter_ ABSL_GUARDED_BY(write_mu_);
  int64_t id_filter_through_us_ ABSL_GUARDED_BY(write_mu_) = -1;  // entries up to here are in it
  std::shared_ptr<const EntryIndexer> indexer_;  // set before the store is shared
  bool defer_indexing_ = false;                  // likewise
  absl::Mutex sealer_mu_;
  std::optional<TokenSealer> sealer_ ABSL_GUARDED_BY(sealer_mu_);
  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
  size_t open_readers_ ABSL_GUARDED_BY(readers_mu_) = 0;
};

}  // namespace kizuna::store
