// Kizuna. Helpers shared by the SQLite store's source files; not for other modules.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/object.h"
#include "kizuna/store/sqlite/connection.h"
#include "kizuna/store/store.h"

namespace kizuna::store::sqlite_internal {

// Spec versions as stored: 20 and 21.
inline int64_t SpecCode(stix::SpecVersion v) { return v == stix::SpecVersion::k20 ? 20 : 21; }
inline stix::SpecVersion SpecFromCode(int64_t code) {
  return code == 20 ? stix::SpecVersion::k20 : stix::SpecVersion::k21;
}

// The columns of a StoredObject from `entries e`, but the JSON (ReadStoredObject reads it
// from the next column, when there is one and it is not NULL).
inline constexpr std::string_view kStoredObjectColumns =
    "e.date_added_us, e.stix_id, e.type, e.version_ns, e.spec_version, e.version,"
    " e.created_by_ref, e.revoked, e.markings, e.granular_refs, e.origin,"
    " e.is_first AND e.is_last, e.added_by, e.added_by_nation";
inline constexpr int kStoredObjectJsonColumn = 14;
// Reads a row that starts with kStoredObjectColumns (and the JSON) into `o`.
void ReadStoredObject(const Statement& st, StoredObject& o);

// The key of entries.id_hash, read from node_state when the store opens.
struct IdHashKey {
  unsigned char bytes[16];
};

// Returns the stored hash of object id `stix_id` (entries.id_hash): SipHash-2-4 under `key`.
int64_t IdHash(const IdHashKey& key, std::string_view stix_id);

// Reads the key of entries.id_hash from node_state; DataLoss when it is not there.
absl::StatusOr<IdHashKey> ReadIdHashKey(Connection& db);

// The schema version this build writes: the number of migrations (PRAGMA user_version).
int64_t CurrentSchemaVersion();

// Returns the primary key of collection `id`, or NotFound.
absl::StatusOr<int64_t> CollectionPk(Connection& db, std::string_view id);
// Returns whether the collection of primary key `collection_pk` is an exercise collection.
absl::StatusOr<bool> IsExerciseCollection(Connection& db, int64_t collection_pk);

// Recomputes is_first / is_last / is_top_spec for every entry of `stix_id` in collection
// `collection_pk` and writes the ones that changed. `pending_entries` is a JSON array of
// the entries of the id whose ids are not written yet (Adder).
absl::Status RecomputeFlags(Connection& db, int64_t collection_pk, std::string_view stix_id,
                            int64_t id_hash, std::string_view pending_entries = "[]");

// Inside the transaction of objects a peer pushed: writes the provenance of the entries
// `results` added (peer = `origin`, no remote collection or date).
absl::Status RecordPush(Connection& db, std::string_view origin, const std::vector<AddResult>& results,
                        int64_t now_us);

// The organisation (maybe empty) and nation of peer `peer`, recorded as the adder of what is
// pulled from it (Writer). NotFound for an unknown peer.
struct PeerAdder {
  std::string organization, nation;
};
absl::StatusOr<PeerAdder> PeerAdderOf(Connection& db, std::string_view peer);

// Why `writer` may not write `index` as created by `creator` into a collection (an exercise
// collection or not), before any lookup: the exercise rule and a user's creator rule; "" when
// nothing refuses it. Shared by the SQLite and PostgreSQL stores' adders.
std::string WriterRefusal(const stix::ObjectIndex& index, std::string_view creator, const Writer& writer,
                          bool exercise_collection);
// The reasons of the refusals after the lookup of the versions held.
inline constexpr std::string_view kMarkingReplacedReason =
    "a different marking definition with this id is held already: marking definitions are "
    "never versioned or replaced (STIX 2.1 §7.2)";
inline constexpr std::string_view kOtherCreatorReason =
    "the versions of this object held here have another creator: only an object's creator makes "
    "new versions of it (STIX 2.1 §3.6)";
inline constexpr std::string_view kWrittenHereReason =
    "this object was first written on this node: a partner node may not add versions of it";
// Why a partner may not bring a new object created by `creator`, one of this node's own
// organisations (docs/security.md, rule 5).
std::string OwnOrganizationReason(std::string_view creator);

// The markings column of an entry: the object marking refs, then the granular marking refs,
// space-separated.
std::string JoinMarkings(const stix::ObjectIndex& index);

// Returns true if two serialisations of one version carry the same content: the same bytes,
// or the same JSON once canonicalised (member order and whitespace do not count). Also used
// by the PostgreSQL store.
bool SameContent(std::string_view a, std::string_view b);

// A JSON array of strings or integers, for binding to `IN (SELECT value FROM json_each(?))`
// (SQLite) or `IN (SELECT jsonb_array_elements_text($n::jsonb))` (PostgreSQL), so the SQL text
// (and its cached statement) does not depend on how many values there are.
template <typename T>
std::string JsonArray(std::span<const T> values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if constexpr (std::is_integral_v<T>) {
      StrAppend(out, values[i]);
    } else {
      AppendJsonString(values[i], out);
    }
  }
  out += ']';
  return out;
}
template <typename T>
std::string JsonArray(const std::vector<T>& values) {
  return JsonArray(std::span<const T>(values));
}

// The search index's address blocks (both stores): the text of block `bytes`/`prefix`
// ("10.0.0.0/8", "2001:db8::/32"), and `address` with the bits after `prefix` cleared.
std::string BlockText(bool v6, std::string_view bytes, int64_t prefix);
std::array<uint8_t, 16> Network(const std::array<uint8_t, 16>& address, int prefix);

// Joins words with single spaces (how lists of names are stored); splits them again.
std::string JoinWords(const std::vector<std::string>& words);
std::vector<std::string> SplitWords(std::string_view text);

// Inside the transaction of a pulled batch: writes the provenance of the entries `results`
// added, advances the mapping's pull cursor and counters (added; rejected: the batch's
// invalid objects and the rejected `results`) and audits the invalid objects. NotFound when the peer has no
// mapping for this collection and remote collection.
absl::Status RecordPull(Connection& db, std::string_view collection_id, const PullBatch& pull,
                        std::span<const NewObject> objects, const std::vector<AddResult>& results, int64_t now_us);
// Inside the transaction of a pulled batch, before anything is written: store::CheckPullCursor
// (pull_cursor.h) against the mapping's pull cursor as stored.
absl::Status CheckPullCursor(Connection& db, std::string_view collection_id, const PullBatch& pull);

// Seals the peer tokens that are still in clear (migration 9) with the key in the file
// `key_path` (made when missing), empties them with secure_delete on, and checkpoints the WAL
// so that the clear text leaves the database's files. Runs its own transaction; does
// nothing when no token is in clear.
absl::Status SealPeerTokens(Connection& db, const std::string& key_path);

// Writes a TAXII status resource (in the caller's transaction, if any).
absl::Status InsertStatus(Connection& db, const StatusRecord& status);

// Runs `begin` on Begin() (BEGIN IMMEDIATE: a write; BEGIN: reads that see one snapshot) and
// `ROLLBACK` on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  absl::Status Begin(const char* begin = "BEGIN IMMEDIATE");
  absl::Status Commit();

 private:
  Connection& db_;
  bool open_ = false;
};

}  // namespace kizuna::store::sqlite_internal
