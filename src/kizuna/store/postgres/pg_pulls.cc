// Kizuna. Pulled batches in the PostgreSQL store: the peer as their adder, their provenance,
// the mapping's cursor and rejections, in the transaction of the objects (as the SQLite store's
// sqlite_federation.cc).
#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/pull_cursor.h"

namespace kizuna::store::pg_internal {

using pg::Param;

namespace {

// The length of the valid UTF-8 sequence at the start of `t` (as PostgreSQL checks it: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0.
size_t ValidSequence(std::string_view t) {
  const auto at = [&](size_t i) { return static_cast<unsigned char>(t[i]); };
  const unsigned char b = at(0);
  if (b < 0x80) return 1;
  size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) low = 0xA0;
    if (b == 0xED) high = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) low = 0x90;
    if (b == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (t.size() < n || at(1) < low || at(1) > high) return 0;
  for (size_t i = 2; i < n; ++i) {
    if ((at(i) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

std::string TextForPg(std::string_view text, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      ++i;
      continue;
    }
    const size_t n = ValidSequence(text.substr(i));
    const std::string_view piece = n == 0 ? kReplacement : text.substr(i, n);
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
    i += n == 0 ? 1 : n;
  }
  return out;
}

absl::StatusOr<PeerAdder> PeerAdderOf(pg::Connection& db, std::string_view peer) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result r, db.Run("find a peer", "SELECT organization, nation FROM peers WHERE name = $1",
                           {Param::Text(peer)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("peer '", peer, "' does not exist"));
  return PeerAdder{std::string(r.Text(0, 0)), std::string(r.Text(0, 1))};
}

absl::Status CheckPullCursor(pg::Connection& db, std::string_view collection_id,
                             const PullBatch& pull) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result r, db.Run("read the pull cursor",
                           "SELECT pull_cursor FROM peer_mappings"
                           " WHERE peer = $1 AND local_collection = $2 AND remote_collection = $3",
                           {Param::Text(pull.peer), Param::Text(collection_id),
                            Param::Text(pull.remote_collection)}));
  std::optional<std::string> stored;
  if (r.rows() == 1) stored.emplace(r.Text(0, 0));
  return store::CheckPullCursor(collection_id, pull, stored);
}

absl::Status RecordPull(pg::Connection& db, std::string_view collection_id, const PullBatch& pull,
                        std::span<const NewObject> objects, const std::vector<AddResult>& results,
                        int64_t now_us) {
  int64_t rejected = static_cast<int64_t>(pull.invalid.size());
  std::string last_rejection;
  if (!pull.invalid.empty()) {
    last_rejection = StrCat(pull.invalid.back().first, ": ", pull.invalid.back().second);
    AuditEvent event =
        ObjectsRejectedEvent(pull.peer, "object.invalid", collection_id, pull.invalid);
    event.time_us = now_us;
    KZ_RETURN_IF_ERROR(InsertAudit(db, event));
  }
  std::vector<int64_t> added;
  std::vector<std::string> remote_dates;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome == AddOutcome::kConflict || results[i].outcome == AddOutcome::kRefused) {
      ++rejected;
      last_rejection =
          StrCat(objects[i].index->id, ": ",
                 results[i].outcome == AddOutcome::kRefused ? std::string_view(results[i].reason)
                                                            : kConflictReason);
    }
    if (results[i].outcome != AddOutcome::kAdded) continue;
    added.push_back(results[i].date_added_us);
    remote_dates.emplace_back(pull.remote_date_added[i]);
  }
  const std::string rejection = TextForPg(last_rejection, 1024);
  if (!added.empty()) {
    // One statement for the page: the two arrays side by side.
    const std::string dates = JsonArray(added), remote = JsonArray(remote_dates);
    KZ_RETURN_IF_ERROR(
        db.Run(
              "record provenance",
              "INSERT INTO provenance (date_added_us, peer, remote_collection, remote_date_added,"
              " received_us) SELECT t.d::bigint, $3, $4, t.r, $5 FROM ROWS FROM"
              " (jsonb_array_elements_text($1::jsonb), jsonb_array_elements_text($2::jsonb))"
              " AS t(d, r) ON CONFLICT (date_added_us) DO UPDATE SET peer = excluded.peer,"
              " remote_collection = excluded.remote_collection,"
              " remote_date_added = excluded.remote_date_added, received_us = excluded.received_us",
              {Param::Text(dates), Param::Text(remote), Param::Text(pull.peer),
               Param::Text(pull.remote_collection), Param::Int(now_us)})
            .status());
  }
  KZ_ASSIGN_OR_RETURN(
      pg::Result cursor,
      db.Run(
          "advance the pull cursor",
          "UPDATE peer_mappings SET pull_cursor = $4, pulled = pulled + $5,"
          " rejected = rejected + $6,"
          " last_rejection = CASE WHEN $6 > 0 THEN $7 ELSE last_rejection END"
          " WHERE peer = $1 AND local_collection = $2 AND remote_collection = $3",
          {Param::Text(pull.peer), Param::Text(collection_id), Param::Text(pull.remote_collection),
           Param::Text(pull.cursor), Param::Int(static_cast<int64_t>(added.size())),
           Param::Int(rejected), Param::Text(rejection)}));
  if (cursor.Affected() != 1) {
    return absl::NotFoundError(StrCat("peer '", pull.peer, "' has no mapping of collection '",
                                      collection_id, "' to '", pull.remote_collection, "'"));
  }
  return absl::OkStatus();
}

}  // namespace kizuna::store::pg_internal
