// Kizuna. The store: API roots, collections and every version of every object.
#pragma once

// Store is the one interface to persistent state; SqliteStore (embedded default) implements
// it today and a PostgreSQL store can follow without changing callers. Public methods check
// arguments and then call the private Do*() hooks that an implementation provides, so the
// checks live once (the pattern of zeek/zeek's storage Backend).
//
// Model (TAXII 2.1 §3-§5):
//   - An object version is (id, version), where version is `modified`, else `created`; an
//     object without either (an SCO) has a single version. Its JSON text is kept exactly as
//     accepted.
//   - A collection holds object versions, each with the `date_added` at which it entered that
//     collection: microseconds since the epoch, strictly increasing within the collection, so
//     (collection, date_added) identifies an entry and orders every query.
//   - Queries follow TAXII filtering: added_after, match[id|type|version|spec_version], and
//     pagination by an opaque cursor that stays valid while writes continue (new entries
//     always sort after existing ones).
//
// Version selection rule (TAXII 2.1 §3.4.2 leaves open how match[version] and
// match[spec_version] combine): versions are selected within each spec version. Without
// match[spec_version], only the highest spec version held for an object takes part; with it,
// each listed spec version is considered on its own, so "first"/"last" apply per spec version.
//
// Thread-safety: all methods are safe to call concurrently; writes are serialised inside.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/stix/object.h"
#include "kizuna/store/identity.h"

namespace kizuna::store {

struct ApiRoot {
  std::string name;         // the URL path segment, e.g. "jpn-usa"
  std::string title;
  std::string description;
  int64_t max_content_length = 0;  // octets; 0 means the server default
};

struct Collection {
  std::string id;           // a UUID
  std::string api_root;     // ApiRoot::name
  std::string alias;        // unique within the API root; may be empty
  std::string title;
  std::string description;
  int64_t created_us = 0;
  // Policy settings (identity/release.h): the sharing communities the collection
  // serves, and the release of objects without release markings, in its text form.
  std::vector<std::string> communities = {};
  std::string default_release = "creator-nation";
  // An exercise collection (docs/exercise.md): the only kind that accepts objects carrying
  // the exercise marking (stix/exercise_marking.h). Set at creation, never changed.
  bool exercise = false;
};

// One object version to add.
struct NewObject {
  std::string_view json;          // the exact text; copied by the store
  const stix::ObjectIndex* index;  // its indexed properties; not owned
};

enum class AddOutcome : uint8_t {
  kAdded,           // a new version entered the collection
  kAlreadyPresent,  // this version was already in the collection: nothing changed
  kConflict,        // a different object with the same id and version is stored: rejected
  kRefused,         // the writer may not write this object (see Writer); `reason` says why
};

// Why a kConflict version is not stored, in words for the writer.
inline constexpr std::string_view kConflictReason =
    "a different object with the same id and version is already stored";

struct AddResult {
  AddOutcome outcome = AddOutcome::kAdded;
  // Of the entry, new or existing; on conflict, of the stored version in this collection, or 0
  // when only other collections hold it; 0 when refused.
  int64_t date_added_us = 0;
  // kRefused: why, in words for the writer. It names no fact the writer could not already
  // see (no creator, marking or content of objects it may not read). kConflict: for the
  // operator, kConflictReason and the collection that holds the other version; else empty.
  std::string reason = {};
  // kRefused by the creator rule: versions of another creator are held, maybe where the writer
  // cannot read them, which it must not learn of (taxii AddObjects answers as for an add).
  bool other_creator = false;
};

// Who writes, for the rules every write obeys (docs/security.md, "Who may write what"):
//   - Marking definitions are never versioned or replaced (STIX 2.1 §7.2): the first
//     definition of an id the node holds is the only one, even after its entries are
//     deleted; another definition under that id is refused. The predefined TLP ids are
//     constants (validation enforces their content).
//   - Only an object's creator makes new versions of it (STIX 2.1 §3.6): a new version must
//     carry the creator (created_by_ref) of the versions the node holds, in any collection.
// and, by kind of writer:
enum class WriterKind : uint8_t {
  kOperator,  // the command line with the data directory (`kizuna import`): any creator
  kUser,      // a user of this node: only objects created by its organisation; an object
              // without created_by_ref is attributed to that organisation (the entry's
              // creator; the JSON is kept as sent). Predefined TLP definitions are exempt.
  kPartner,   // a partner node (a pull, or a POST by a user with the `peer` role): objects of
              // any creator (it relays), but no new version of an object first written on
              // this node; its entries record it as their origin
};

// Every entry records who added it (StoredObject::added_by): the writer's organisation and
// nation, or for a pull the peer's (looked up by the store). The first adder of a version in a
// collection stays its adder: the same version sent again adds nothing. An object without
// created_by_ref is released and deleted as its adder's (policy/delete_rule.h).
struct Writer {
  WriterKind kind = WriterKind::kOperator;
  std::string_view name = "cli";  // who, for the audit log: a user name, "cli", or the peer;
                                  // kPartner: the origin recorded with the entries
  std::string_view organization;  // kUser: the user's organisation (identity id); kPartner:
                                  // the `peer` user's organisation (a pull: ignored)
  std::string_view nation = {};   // of `organization` (ISO 3166-1 alpha-3); a pull: ignored
};

// The first definition of a marking id the node holds (Store::FindMarkingDefinition).
struct MarkingDefinitionRecord {
  std::string json;
  // The organisation of the user of this node who introduced it; empty when the operator or
  // a partner node did. The policy applies such a definition only to that organisation's
  // own objects (docs/security.md).
  std::string local_author;
};

// What match[version] asks for. Default: the last version only.
struct VersionFilter {
  bool first = false;
  bool last = true;
  bool all = false;
  std::vector<int64_t> exact_ns;  // versions named by timestamp (nanoseconds)
};

struct ObjectFilter {
  std::optional<int64_t> added_after_us;      // strictly later
  std::vector<std::string> ids;                // match[id]; empty = any
  std::vector<std::string> types;              // match[type]; empty = any
  VersionFilter versions;                      // match[version]
  std::vector<stix::SpecVersion> spec_versions;  // match[spec_version]; empty = highest held
};

// An opaque position in a collection: entries after it come next. Encoded by the TAXII
// layer into `next` tokens.
struct Cursor {
  int64_t after_date_added_us = 0;
};

struct PageRequest {
  ObjectFilter filter;
  size_t limit = 100;                 // REQUIRES: 1..kMaxPageLimit
  std::optional<Cursor> after;        // continue after this position
};

inline constexpr size_t kMaxPageLimit = 10000;

// One entry of a collection: an object version and its indexed properties.
struct StoredObject {
  std::string id;
  std::string type;
  std::string version;        // the version timestamp text as in the object, or for
                              // unversioned objects the TAXII time it was first stored
  int64_t version_ns = 0;
  stix::SpecVersion spec_version = stix::SpecVersion::k21;
  int64_t date_added_us = 0;
  std::string created_by_ref;
  bool revoked = false;
  std::string markings;        // marking-definition ids, space-separated, as stored: the object
                               // markings, then the `granular_refs` granular marking refs
  uint32_t granular_refs = 0;  // how many of the last ids in `markings` are granular marking refs
  std::string origin;          // the peer the entry was pulled from, or the peer user that pushed
                               // it; empty when written here
  std::string added_by = {};   // the organisation that added the entry (Writer); empty when the
                               // operator did, or a peer without an organisation
  std::string added_by_nation = {};  // the nation of who added it; empty when the operator did
  bool single_version = false;  // the only version of its spec version in the collection
  std::string json;           // empty in manifest and versions queries, except for entries
                              // with granular markings (the policy needs their selectors)
};

struct Page {
  std::vector<StoredObject> objects;
  bool more = false;          // another page exists after `next`
  Cursor next;                // position after the last object of this page
};

enum class WithJson : uint8_t { kNo, kYes };

// Where a batch of pulled objects came from (federation), stored with them.
struct PullBatch {
  std::string_view peer;               // peers.name
  std::string_view remote_collection;  // the peer's collection id
  // The peer's date_added of each object (TAXII timestamp text), in input order; recorded as
  // provenance of the entries added.
  std::span<const std::string> remote_date_added;
  // The mapping's pull cursor after this batch (the peer's date_added pulled through); saved
  // in the same transaction as the objects, so a restart resumes exactly here.
  std::string_view cursor;
  // Objects of the page that failed the checks before the store, as (id, reason): counted on
  // the mapping with the objects the store rejects, and audited ("object.invalid"), in the
  // same transaction.
  std::span<const std::pair<std::string_view, std::string_view>> invalid = {};
  // The pull cursor the page was asked for after ("" = from the start): the batch is stored
  // only while the mapping's cursor is still that one, so of two passes pulling one mapping
  // at once (the node's and `kizuna sync run --once`) the second to store a page from the
  // same cursor stores nothing (Aborted): a pull cursor never moves back, and pages pulled
  // again cannot bring back objects deleted here since.
  std::string_view after = {};
  // The epoch of the lead the pass runs under (PeerStore::LeadFederationEpoch); 0 for a
  // process that does not lead.
  int64_t lead_epoch = 0;
};

// The provenance of one entry that was pulled from a peer.
struct Provenance {
  int64_t date_added_us = 0;      // of the entry here
  std::string version;            // the entry's version
  std::string peer;
  std::string remote_collection;
  std::string remote_date_added;  // its date_added at the peer
  int64_t received_us = 0;
};

// A TAXII status resource: the outcome of one Add Objects request.
struct StatusRecord {
  std::string id;              // a UUID
  std::string api_root;
  std::string organization;    // of the principal that made the request
  int64_t request_timestamp_us = 0;
  int64_t total_count = 0, success_count = 0, failure_count = 0, pending_count = 0;
  // The members of the status resource after the counts, as JSON text without braces:
  // `"successes":[...],"failures":[...]` and any custom properties (taxii/handlers/status_details.h).
  std::string details_json;
};

// Receives a status being read (Store::ReadStatus): the status without its details_json, and
// the size of its details in octets. Returns the string the details are to be appended to, or
// null to skip them.
using StatusSink = absl::FunctionRef<std::string*(const StatusRecord& status, size_t details_size)>;

// What a TAXII Add Objects request writes beside its objects: its status resource and the
// audit events of the write (an event's `time_us` of 0 becomes the write's time). A status
// with an empty id is not saved (a write that is no Add Objects request, e.g. a revocation).
struct AddRecords {
  StatusRecord status;
  std::vector<AuditEvent> audit;
};
// Builds the AddRecords of a write from its results (in input order).
using RecordAdd = std::function<absl::StatusOr<AddRecords>(std::span<const AddResult> results)>;
// Builds the audit event of a delete from the number of entries it removed.
using RecordDelete = std::function<absl::StatusOr<AuditEvent>(int64_t removed)>;

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // API roots. CreateApiRoot returns AlreadyExists if the name is taken, InvalidArgument if
  // it is not a valid path segment ([a-z0-9-_.]{1,64}).
  absl::Status CreateApiRoot(const ApiRoot& root);
  absl::StatusOr<std::vector<ApiRoot>> ListApiRoots();
  absl::StatusOr<ApiRoot> GetApiRoot(std::string_view name);  // NotFound if absent

  // Collections. CreateCollection fills in `id` (a new UUIDv4) when empty and `created_us`,
  // and returns the stored collection; NotFound if the API root does not exist,
  // AlreadyExists if the id or the alias is taken in that API root.
  absl::StatusOr<Collection> CreateCollection(Collection collection);
  absl::StatusOr<std::vector<Collection>> ListCollections(std::string_view api_root);
  // Finds a collection by id or alias within `api_root` (any API root when empty).
  absl::StatusOr<Collection> FindCollection(std::string_view api_root, std::string_view id_or_alias);
  // Sets the policy settings of collection `collection_id`: the communities it serves
  // (community names) and its default release (identity::ParseDefaultRelease). Returns
  // InvalidArgument for a malformed name or default, NotFound for an unknown collection.
  absl::Status SetCollectionPolicy(std::string_view collection_id,
                                   const std::vector<std::string>& communities,
                                   std::string_view default_release);

  // Adds `objects` to collection `collection_id` in one transaction, as the operator:
  // either every result is durable when this returns OK, or nothing was written. Results
  // are in input order. Objects the rules above refuse are kRefused, and one "object.refuse"
  // audit event lists them (in the same transaction).
  // REQUIRES: every index was produced from its json (IndexObject).
  absl::StatusOr<std::vector<AddResult>> AddObjects(std::string_view collection_id,
                                                    std::span<const NewObject> objects);

  // As AddObjects, and saves what `record` builds from the results in the same transaction: the status resource and the audit events are
  // durable exactly when the objects are, and a write is never acknowledged without them.
  // `record` runs once, on the writing thread while it holds the store's writer: it may read
  // from the store (what was committed before) but must not write to it. Its error, or an
  // invalid status or audit event, cancels the whole write. `writer` is a user or a partner
  // node (a TAXII POST by a user with the `peer` role): the entries a partner adds record its
  // name as where they came from, with a provenance row, so the policy treats them as
  // received (never forwarded under TLP:AMBER).
  absl::StatusOr<std::vector<AddResult>> AddObjectsRecorded(std::string_view collection_id,
                                                            std::span<const NewObject> objects,
                                                            const Writer& writer,
                                                            const RecordAdd& record);

  // As AddObjects, for objects pulled from a peer (a kPartner writer named `batch.peer`):
  // the entries added record `batch.peer` as their origin and get a provenance row, and the
  // mapping's pull cursor becomes
  // `batch.cursor`, all in the one transaction. InvalidArgument when remote_date_added does
  // not match `objects`; NotFound when the peer has no such mapping; Aborted, storing nothing,
  // when the mapping's cursor is no longer `batch.after` (another pass moved it);
  // FailedPrecondition when `batch.lead_epoch`'s lead has ended (PgStore).
  absl::StatusOr<std::vector<AddResult>> AddPulledObjects(std::string_view collection_id,
                                                          std::span<const NewObject> objects,
                                                          const PullBatch& batch);

  // Called after every write that added at least one entry through this object (TAXII POST,
  // import, pull), with the collection id; for the federation engine to push at once. Set it
  // once, before the store is shared between threads; it runs on the writing thread and must
  // be quick.
  void SetCommitListener(std::function<void(std::string_view collection_id)> listener);

  // How many changes to what the reading endpoints serve (entries added or deleted, API roots
  // or collections created or changed) went through this object, or, on PostgreSQL, were
  // committed by another process (heard from the database). Read without I/O, for caches of
  // responses in this process (taxii::ResponseCache).
  int64_t LocalContentChanges() const { return content_changes_.load(std::memory_order_acquire); }
  // How many deletes (of at least one entry) this object has made: a count kept and brought
  // up to date from the entries added since must be counted again when it moves.
  int64_t LocalDeletes() const { return deletes_.load(std::memory_order_acquire); }

  // Whether a call through this object has met a damaged database since it was opened (for
  // SQLite, SQLITE_CORRUPT or SQLITE_NOTADB on any read or write; the call itself returned
  // DataLoss). The node's `/healthz` then answers 503 until it is restarted, and a restart
  // runs the start check (`kizuna check`). Read without I/O.
  bool CorruptionSeen() const { return corruption_seen_.load(std::memory_order_acquire); }

  // The largest date_added given out on the node (0 when none): it moves on every write,
  // also by another process, so polling it notices writes such as `kizuna import`.
  absl::StatusOr<int64_t> LastDateAdded();
  // A mark of the node's deletes (0 before the first): every removal of entries sets it to a
  // new random value in its own transaction (a trigger on the entries table, SQLite migration
  // 24, PostgreSQL migration 9), whichever process deletes, so polling it with LastDateAdded
  // notices every change to what collections hold, deletes by `kizuna delete` in another
  // process included. Node-wide. Compare it for equality only: it is not a count and does
  // not grow, so a store restored from a backup that then deletes as many entries does not
  // come back to a mark it had. (The store's identity: store::StoreId, store_id.h.)
  absl::StatusOr<int64_t> EntriesDeleted();

  // Returns the JSON of the latest version of `object_id` held in any collection, or
  // NotFound.
  absl::StatusOr<std::string> FindObject(std::string_view object_id);

  // FindObject for many ids at once: for each of `object_ids`, in order, the JSON of its
  // latest version held in any collection, or nullopt. Faster per id than FindObject where
  // most ids are new (the SQLite store skips the ids it has never held without a query).
  absl::StatusOr<std::vector<std::optional<std::string>>> FindObjects(
      std::span<const std::string> object_ids);

  // Returns the first definition of marking `marking_id` the node held (kept even when its
  // entries are deleted), or NotFound. The policy resolves markings with it.
  absl::StatusOr<MarkingDefinitionRecord> FindMarkingDefinition(std::string_view marking_id);

  // Returns the provenance of the entries of `object_id` in the collection that were pulled
  // from peers, oldest first; empty when it was written here.
  absl::StatusOr<std::vector<Provenance>> GetProvenance(std::string_view collection_id,
                                                        std::string_view object_id);

  // Returns one page of entries matching `request`, oldest date_added first.
  absl::StatusOr<Page> GetObjects(std::string_view collection_id, const PageRequest& request,
                                  WithJson with_json = WithJson::kYes);
  // As GetObjects, into `page`, whose objects' buffers are reused: a reader that pages
  // through a whole collection allocates once, not per entry. On error `page` is unspecified.
  absl::Status GetObjectsInto(std::string_view collection_id, const PageRequest& request,
                              WithJson with_json, Page& page);

  // Returns one page of the versions of object `object_id` selected by the filter (TAXII Get
  // an Object): as GetObjects restricted to that id; an empty page when none match.
  absl::StatusOr<Page> GetObject(std::string_view collection_id, std::string_view object_id,
                                 const PageRequest& request);

  // Returns the versions of object `object_id` in the collection (date_added order) that
  // match the filter's added_after and spec_versions (version, id and type filters are
  // ignored), without JSON.
  absl::StatusOr<Page> GetVersions(std::string_view collection_id, std::string_view object_id,
                                   const PageRequest& request);

  // Deletes the versions of `object_id` selected by the filter's versions and spec_versions
  // from the collection (set `versions.all` to delete every version). Returns the number of
  // entries removed (0 when none matched). Content no collection holds any more is erased.
  absl::StatusOr<int64_t> DeleteObject(std::string_view collection_id, std::string_view object_id,
                                       const ObjectFilter& filter);
  // As DeleteObject, and when it removes anything, saves the audit event `record` builds in
  // the same transaction (a `time_us` of 0 becomes the delete's time): the event is durable
  // exactly when the delete is. `record` runs on the writing thread and must not write to
  // the store; its error, or an invalid event, cancels the delete.
  absl::StatusOr<int64_t> DeleteObjectRecorded(std::string_view collection_id,
                                               std::string_view object_id,
                                               const ObjectFilter& filter,
                                               const RecordDelete& record);

  // Number of current objects (last version, highest spec version) in a collection.
  absl::StatusOr<int64_t> CountObjects(std::string_view collection_id);
  // The date_added of the `n`-th newest (n >= 1) current object (last version, highest spec
  // version) of type `type` in a collection added before `before_us`; 0 when it holds fewer.
  // One indexed read of the store, whatever the collection's size. Only a bound of a window to
  // read through the released read (the console's sightings page): it says nothing of what
  // is released and is never shown. InvalidArgument for n < 1; NotFound for an unknown
  // collection.
  absl::StatusOr<int64_t> NthNewestCurrent(std::string_view collection_id, std::string_view type,
                                           int64_t before_us, int64_t n);

  // Saves a status resource durably. AlreadyExists if its id is taken.
  absl::Status SaveStatus(const StatusRecord& status);
  // Returns the status `id` of `api_root`, or NotFound; NotFound too when it was requested
  // before `not_before_us` (it has expired, whether or not DeleteStatusesBefore removed it).
  absl::StatusOr<StatusRecord> GetStatus(std::string_view api_root, std::string_view id,
                                         int64_t not_before_us = 0);
  // As GetStatus, without holding the details twice: calls `sink` with the status (details_json
  // empty) and the size of its details, then appends the details, read from the database in
  // place, to the string `sink` returns (unless null). Returns NotFound as GetStatus does,
  // without calling `sink`. The store's writer is not involved: reads never wait for writes.
  absl::Status ReadStatus(std::string_view api_root, std::string_view id, int64_t not_before_us,
                          StatusSink sink);
  // Deletes, in one short write transaction, those of the `max_count` oldest statuses (in
  // the order they were written) that were requested before `before_us`. Returns how many it
  // deleted; 0 when the oldest have not expired. InvalidArgument unless max_count >= 1.
  absl::StatusOr<int64_t> DeleteStatusesBefore(int64_t before_us, int64_t max_count);

 protected:
  Store() = default;
  // Implementations set it when they meet a damaged database (CorruptionSeen).
  std::atomic<bool>& corruption_seen() { return corruption_seen_; }
  // Counts a change another process made, for stores that hear of them (PostgreSQL's
  // notifications): it moves LocalContentChanges, and LocalDeletes when entries were deleted.
  void CountChangeElsewhere(bool deleted);

 private:
  virtual absl::Status DoCreateApiRoot(const ApiRoot& root) = 0;
  virtual absl::StatusOr<std::vector<ApiRoot>> DoListApiRoots() = 0;
  virtual absl::StatusOr<Collection> DoCreateCollection(Collection collection) = 0;
  virtual absl::StatusOr<std::vector<Collection>> DoListCollections(std::string_view api_root) = 0;
  virtual absl::Status DoSetCollectionPolicy(std::string_view collection_id,
                                             const std::string& communities,
                                             std::string_view default_release) = 0;
  // `pull` is null except for pulls (whose writer is the partner pull->peer). `record`, when
  // not null, is called with the results before the commit and what it returns (checked) is
  // written too.
  virtual absl::StatusOr<std::vector<AddResult>> DoAddObjects(std::string_view collection_id,
                                                              std::span<const NewObject> objects,
                                                              const PullBatch* pull, const Writer& writer,
                                                              const RecordAdd* record) = 0;
  virtual absl::StatusOr<int64_t> DoLastDateAdded() = 0;
  virtual absl::StatusOr<int64_t> DoEntriesDeleted() = 0;
  virtual absl::StatusOr<std::string> DoFindObject(std::string_view object_id) = 0;
  // Default: DoFindObject for each id.
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> DoFindObjects(
      std::span<const std::string> object_ids);
  virtual absl::StatusOr<MarkingDefinitionRecord> DoFindMarkingDefinition(std::string_view marking_id) = 0;
  virtual absl::StatusOr<std::vector<Provenance>> DoGetProvenance(std::string_view collection_id,
                                                                  std::string_view object_id) = 0;
  // Fills `page` (every field; its objects' buffers may be reused).
  virtual absl::Status DoGetObjects(std::string_view collection_id, std::string_view object_id,
                                    const PageRequest& request, WithJson with_json, Page& page) = 0;
  // `record`, when not null, is called with the number removed (if any) before the commit,
  // and the event it returns (checked) is written too.
  virtual absl::StatusOr<int64_t> DoDeleteObject(std::string_view collection_id,
                                                 std::string_view object_id,
                                                 const ObjectFilter& filter,
                                                 const RecordDelete* record) = 0;
  virtual absl::StatusOr<int64_t> DoCountObjects(std::string_view collection_id) = 0;
  virtual absl::StatusOr<int64_t> DoNthNewestCurrent(std::string_view collection_id,
                                                     std::string_view type, int64_t before_us,
                                                     int64_t n) = 0;
  virtual absl::Status DoSaveStatus(const StatusRecord& status) = 0;
  virtual absl::Status DoReadStatus(std::string_view api_root, std::string_view id,
                                    int64_t not_before_us, StatusSink sink) = 0;
  virtual absl::StatusOr<int64_t> DoDeleteStatusesBefore(int64_t before_us, int64_t max_count) = 0;

  // DeleteObject and DeleteObjectRecorded (`record` checked, or null).
  absl::StatusOr<int64_t> Delete(std::string_view collection_id, std::string_view object_id,
                                 const ObjectFilter& filter, const RecordDelete* record);
  // Counts a local change and calls the commit listener when `results` added anything.
  void Committed(std::string_view collection_id, const std::vector<AddResult>& results);
  // Counts a change made through this object (LocalContentChanges).
  void CountChange();

  std::function<void(std::string_view)> commit_listener_;
  std::atomic<int64_t> content_changes_{0};
  std::atomic<int64_t> deletes_{0};
  std::atomic<bool> corruption_seen_{false};
};

}  // namespace kizuna::store
