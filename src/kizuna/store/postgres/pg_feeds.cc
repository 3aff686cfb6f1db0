// Kizuna. Scheduled feeds and their state in the PostgreSQL store (as the SQLite store's
// sqlite_feeds.cc).
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/federation_audit.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace {

using pg::Param;

std::optional<int64_t> OptionalInt(const pg::Result& r, int row, int column) {
  if (r.IsNull(row, column)) return std::nullopt;
  return r.Int(row, column);
}

}  // namespace

absl::Status PgStore::DoAddFeed(std::string_view actor, const Feed& f) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "feed.add", f.name);
  event.details = FeedDetails(f);
  std::string sealed;
  if (!f.secret.empty()) {
    KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
    sealed = sealer.Seal(FeedSealName(f.name), f.secret);
  }
  return WriteAudited(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(pg::Result exists,
                        db.Run("find a collection", "SELECT 1 FROM collections WHERE id = $1",
                               {Param::Text(f.collection)}));
    if (exists.rows() == 0)
      return absl::NotFoundError(StrCat("collection '", f.collection, "' does not exist"));
    absl::Status s =
        db.Run("add a feed",
               "INSERT INTO feeds (name, url, format, collection, as_user, every_us, field_map,"
               " timeout_ms, max_bytes, auth, basic_user, sealed_secret, ca_file, created_us)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
               {Param::Text(f.name), Param::Text(f.url), Param::Text(FeedKindName(f.kind)),
                Param::Text(f.collection), Param::Text(f.as_user), Param::Int(f.every_us),
                Param::Text(f.field_map), Param::Int(f.timeout_ms), Param::Int(f.max_bytes),
                Param::Text(PeerAuthName(f.auth)), Param::Text(f.basic_user), Param::Bytes(sealed),
                Param::Text(f.ca_file), Param::Int(event.time_us)})
            .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("feed '", f.name, "' already exists"));
    }
    return s;
  });
}

absl::StatusOr<std::vector<Feed>> PgStore::DoListFeeds(std::string_view name) {
  std::vector<Feed> feeds;
  {
    KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
    KZ_ASSIGN_OR_RETURN(
        pg::Result r,
        db->Run("list feeds",
                "SELECT name, url, format, collection, as_user, every_us, field_map, timeout_ms,"
                " max_bytes, auth, basic_user, sealed_secret, ca_file, created_us, etag,"
                " last_modified, runs, not_modified, new_objects, updated_objects,"
                " rejected_objects, last_run_us, last_success_us, last_error, last_error_us,"
                " failures FROM feeds WHERE $1 = '' OR name = $1 ORDER BY name COLLATE \"C\"",
                {Param::Text(name)}));
    for (int i = 0; i < r.rows(); ++i) {
      Feed& f = feeds.emplace_back();
      f.name = r.Text(i, 0);
      f.url = r.Text(i, 1);
      f.kind = ParseFeedKind(r.Text(i, 2)).value_or(FeedKind::kLines);
      f.collection = r.Text(i, 3);
      f.as_user = r.Text(i, 4);
      f.every_us = r.Int(i, 5);
      f.field_map = r.Text(i, 6);
      f.timeout_ms = r.Int(i, 7);
      f.max_bytes = r.Int(i, 8);
      f.auth = ParsePeerAuth(r.Text(i, 9)).value_or(PeerAuth::kNone);
      f.basic_user = r.Text(i, 10);
      f.secret = r.Text(i, 11);  // sealed: opened below
      f.ca_file = r.Text(i, 12);
      f.created_us = r.Int(i, 13);
      f.etag = r.Text(i, 14);
      f.last_modified = r.Text(i, 15);
      f.runs = r.Int(i, 16);
      f.not_modified = r.Int(i, 17);
      f.new_objects = r.Int(i, 18);
      f.updated_objects = r.Int(i, 19);
      f.rejected_objects = r.Int(i, 20);
      f.last_run_us = OptionalInt(r, i, 21);
      f.last_success_us = OptionalInt(r, i, 22);
      f.last_error = r.Text(i, 23);
      f.last_error_us = OptionalInt(r, i, 24);
      f.failures = static_cast<int>(r.Int(i, 25));
    }
  }
  for (Feed& f : feeds) {
    if (f.secret.empty()) continue;
    KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
    KZ_ASSIGN_OR_RETURN(f.secret, sealer.Open(FeedSealName(f.name), f.secret));
  }
  return feeds;
}

absl::Status PgStore::DoRemoveFeed(std::string_view actor, std::string_view name) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "feed.remove", name);
  return WriteAudited(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run("remove a feed", "DELETE FROM feeds WHERE name = $1",
                                             {Param::Text(name)}));
    if (r.Affected() != 1) return absl::NotFoundError(StrCat("feed '", name, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status PgStore::DoSaveFeedRun(std::string_view name, const FeedRunRecord& run) {
  // What a feed server sent (its validators, its error) as PostgreSQL's text takes it: a byte
  // it refuses must not leave the run unrecorded (and the feed due again at once).
  FeedRunRecord r = run;
  r.error = pg_internal::TextForPg(run.error, kMaxFeedErrorBytes);
  r.etag = pg_internal::TextForPg(run.etag);
  r.last_modified = pg_internal::TextForPg(run.last_modified);
  if (run.began_at.has_value()) r.began_at = pg_internal::TextForPg(*run.began_at);
  absl::MutexLock lock(&write_mu_);
  // A write transaction for the fence (a former leader's run is not recorded) and for the
  // validators, decided on what is stored when the write begins (the row locked): another
  // process's run (`kizuna feed run`) may have stored its own since this run read the feed.
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  KZ_RETURN_IF_ERROR(FenceFederationWrite(*writer_, r.lead_epoch));
  KZ_ASSIGN_OR_RETURN(
      pg::Result stored,
      writer_->Run("read a feed's validators",
                   "SELECT format, etag, last_modified FROM feeds WHERE name = $1 FOR UPDATE",
                   {Param::Text(name)}));
  if (stored.rows() != 1) return absl::NotFoundError(StrCat("feed '", name, "' does not exist"));
  const FeedKind kind = ParseFeedKind(stored.Text(0, 0)).value_or(FeedKind::kLines);
  const FeedValidators kept =
      ValidatorsAfterRun(kind, {std::string(stored.Text(0, 1)), std::string(stored.Text(0, 2))}, r);
  const std::vector<Param> params = {Param::Text(name),
                                     Param::Bool(r.not_modified),
                                     Param::Text(kept.etag),
                                     Param::Text(kept.last_modified),
                                     Param::Int(r.new_objects),
                                     Param::Int(r.updated_objects),
                                     Param::Int(r.rejected_objects),
                                     Param::Int(r.time_us),
                                     Param::Text(r.error)};
  KZ_RETURN_IF_ERROR(
      (r.ok
           ? writer_->Run(
                 "save a feed run",
                 "UPDATE feeds SET runs = runs + 1,"
                 " not_modified = not_modified + CASE WHEN $2 THEN 1 ELSE 0 END,"
                 " etag = $3, last_modified = $4,"
                 " new_objects = new_objects + $5, updated_objects = updated_objects + $6,"
                 " rejected_objects = rejected_objects + $7, last_run_us = $8,"
                 " last_success_us = $8, last_error = '', last_error_us = NULL, failures = 0"
                 " WHERE name = $1 AND $9::text = $9",
                 params)
           : writer_->Run("save a failed feed run",
                          "UPDATE feeds SET runs = runs + 1, etag = $3, last_modified = $4,"
                          " new_objects = new_objects + $5, updated_objects = updated_objects + $6,"
                          " rejected_objects = rejected_objects + $7, last_run_us = $8,"
                          " last_error = $9, last_error_us = $8, failures = failures + 1"
                          " WHERE name = $1 AND $2::boolean = $2",
                          params))
          .status());
  return tx.Commit();
}

}  // namespace kizuna::store
