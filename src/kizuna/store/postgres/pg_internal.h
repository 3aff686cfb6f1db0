// Kizuna. Helpers shared by the PostgreSQL store's source files; not for other modules.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/store.h"

namespace kizuna::store::pg_internal {

// Shared with the SQLite store: spec version codes (20, 21) and word lists.
using sqlite_internal::BlockText;
using sqlite_internal::JoinWords;
using sqlite_internal::JsonArray;
using sqlite_internal::Network;
using sqlite_internal::PeerAdder;
using sqlite_internal::SpecCode;
using sqlite_internal::SpecFromCode;
using sqlite_internal::SplitWords;

// The schema version this build's migrations make (the number of migrations).
int64_t SchemaVersion();

// Returns the primary key of collection `id`, or NotFound.
absl::StatusOr<int64_t> CollectionPk(pg::Connection& db, std::string_view id);

// Appends `event` to the audit log (in the caller's transaction).
absl::Status InsertAudit(pg::Connection& db, const AuditEvent& event);

// Advances node_state.identity_version, the directory's change version (in the caller's
// write transaction).
absl::Status BumpIdentityVersion(pg::Connection& db);

// Writes a TAXII status resource (in the caller's transaction, if any).
absl::Status InsertStatus(pg::Connection& db, const StatusRecord& status);

// One entry of an object id in a collection, for recomputing its version flags.
struct FlagEntry {
  int64_t date_added_us = 0, version_ns = 0, spec = 0;
  bool first = true, last = true, top = true;  // as stored (or to be stored)
  bool changed = false;                        // set by RecomputeFlags
};
// Sets first/last/top of every entry from the versions of `entries` (all the entries of one id
// in one collection): first/last per spec version, top for the highest spec version held. Marks
// the entries whose flags changed.
void RecomputeFlags(std::vector<FlagEntry>& entries);

// Reads the entries of `stix_id` in collection `collection_pk`, recomputes their flags and
// writes the ones that changed (in the caller's transaction).
absl::Status RefreshFlags(pg::Connection& db, int64_t collection_pk, std::string_view stix_id);

// Writes the changed flags of `entries` (in the caller's transaction).
absl::Status WriteFlags(pg::Connection& db, const std::vector<FlagEntry>& entries);

// The columns of entries `e` that ReadStoredObject reads, in its order (JSON last).
inline constexpr std::string_view kStoredObjectColumns =
    "e.date_added_us, e.stix_id, e.type, e.version_ns, e.spec_version, e.version, e.created_by_ref,"
    " e.revoked, e.markings, e.granular_refs, e.origin, e.is_first AND e.is_last, e.added_by,"
    " e.added_by_nation, e.json";
inline constexpr int kStoredObjectJsonColumn = 14;
// Reads row `i` of `r`, selected with kStoredObjectColumns, into `o`.
void ReadStoredObject(const pg::Result& r, int i, StoredObject& o);

// Federation (pg_pulls.cc).
// The organisation (maybe empty) and nation of peer `peer`, recorded as the adder of what is
// pulled from it. NotFound for an unknown peer.
absl::StatusOr<PeerAdder> PeerAdderOf(pg::Connection& db, std::string_view peer);
// Inside the transaction of a pulled batch: writes the provenance of the entries `results`
// added, advances the mapping's pull cursor and counters and audits the invalid objects, as
// sqlite_internal::RecordPull. NotFound when the peer has no such mapping.
absl::Status RecordPull(pg::Connection& db, std::string_view collection_id, const PullBatch& pull,
                        std::span<const NewObject> objects, const std::vector<AddResult>& results,
                        int64_t now_us);
// Inside the transaction of a pulled batch, before anything is written: store::CheckPullCursor
// (pull_cursor.h) against the mapping's pull cursor as stored.
absl::Status CheckPullCursor(pg::Connection& db, std::string_view collection_id,
                             const PullBatch& pull);
// `text` as PostgreSQL's text takes it, for text that comes from elsewhere (a peer's or a feed
// server's answers, its errors): NULs left out, each byte that does not begin a valid UTF-8
// sequence replaced by U+FFFD, cut to at most `max_bytes` octets between characters. SQLite
// keeps any bytes; a write of such text must not fail on PostgreSQL alone.
std::string TextForPg(std::string_view text, size_t max_bytes = std::string::npos);

}  // namespace kizuna::store::pg_internal
