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
// SearchIndex (search_index.h) is here too (postgres/pg_search.cc): the index rows are written
// in the write transaction that adds or deletes the entries, and read by any process.
//
// Not here yet: the Directory and PeerStore interfaces (a node needs them:
// store::OpenDatabase opens SQLite only). Until the directory lives in PostgreSQL too, the
// store knows no organisations of this node, so the rule "a partner node may not bring new
// objects created by this node's organisations" can only apply to objects first written here,
// and pulls (AddPulledObjects) return NotFound: there are no peers to pull from.
// Thread-safety: safe for concurrent use.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/store/postgres/change_listener.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/postgres/pg_index_writer.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

struct PgOptions {
  // Read connections kept open; more readers than this wait for one.
  size_t max_readers = 8;
  // Makes the ids of new collections; must outlive the store. Null: SecureRandom().
  Random* random = nullptr;
};

class PgStore : public Store, public SearchIndex {
 public:
  // The key of the advisory lock every write transaction holds (pg_advisory_xact_lock).
  static constexpr int64_t kWriterLockKey = 0x4b697a756e61'0001;  // "Kizuna", 1

  // Connects to `url` (postgresql://...), applies pending migrations and returns the store.
  // Unavailable when the server cannot be reached; DataLoss when the database holds a schema
  // newer than this Kizuna knows. `clock` must outlive the store.
  static absl::StatusOr<std::unique_ptr<PgStore>> Open(const std::string& url, Clock& clock,
                                                       PgOptions options = {});

  PgStore(std::unique_ptr<pg::Connection> writer, std::string url, Clock& clock, PgOptions options);
  ~PgStore() override;

  // SearchIndex (postgres/pg_search.cc).
  void SetIndexer(std::shared_ptr<const EntryIndexer> indexer) override {
    indexer_ = std::move(indexer);
  }

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
  absl::Status DoSaveStatus(const StatusRecord& status) override;
  absl::Status DoReadStatus(std::string_view api_root, std::string_view id, int64_t not_before_us,
                            StatusSink sink) override;
  absl::StatusOr<int64_t> DoDeleteStatusesBefore(int64_t before_us, int64_t max_count) override;

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
  absl::StatusOr<int64_t> DoGetIndexVersion() override;
  absl::StatusOr<RebuildSummary> DoRebuildIndex(const RebuildProgress& progress,
                                                size_t batch) override;
  // The index writer of a write transaction on the writer: none without an indexer, or when
  // the stored index is stale or another indexer version's (it stays stale until rebuilt).
  absl::StatusOr<std::optional<pg_internal::PgIndexWriter>> IndexWriterFor(pg::Connection& db)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // A notification of a change another process committed (change_listener.h), on the
  // listener's thread: moves the change counts callers' caches are stamped with.
  void HeardChange(std::string_view payload);

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
  absl::Mutex pk_mu_;
  absl::flat_hash_map<std::string, int64_t> collection_pks_ ABSL_GUARDED_BY(pk_mu_);
  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<pg::Connection>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
  size_t open_readers_ ABSL_GUARDED_BY(readers_mu_) = 0;
  std::shared_ptr<const EntryIndexer> indexer_;  // SearchIndex: set before the store is shared
  // Last: stopped first, before what its callback touches.
  std::unique_ptr<pg::ChangeListener> listener_;
};

}  // namespace kizuna::store
