// Kizuna. Scheduled feeds and their state in the SQLite store.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/federation_audit.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

std::optional<int64_t> OptionalInt(const Statement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Int(column);
}

}  // namespace

absl::Status SqliteStore::DoAddFeed(std::string_view actor, const Feed& f) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "feed.add", f.name);
  event.details = FeedDetails(f);
  KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
  const std::string sealed =
      f.secret.empty() ? std::string() : sealer.Seal(FeedSealName(f.name), f.secret);
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * exists, db.Cached("SELECT 1 FROM collections WHERE id = ?1"));
    exists->Bind(1, f.collection);
    KZ_ASSIGN_OR_RETURN(bool found, exists->Step());
    exists->Reset();
    if (!found) return absl::NotFoundError(StrCat("collection '", f.collection, "' does not exist"));
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "INSERT INTO feeds (name, url, format, collection, as_user, every_us, field_map, timeout_ms, max_bytes,"
        " auth, basic_user, sealed_secret, ca_file, created_us)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
    st->Bind(1, f.name).Bind(2, f.url).Bind(3, FeedKindName(f.kind)).Bind(4, f.collection).Bind(5, f.as_user);
    st->Bind(6, f.every_us).Bind(7, f.field_map).Bind(8, f.timeout_ms).Bind(9, f.max_bytes);
    st->Bind(10, PeerAuthName(f.auth)).Bind(11, f.basic_user).BindBlob(12, sealed).Bind(13, f.ca_file);
    st->Bind(14, event.time_us);
    absl::Status s = st->Run();
    st->Reset();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("feed '", f.name, "' already exists"));
    }
    return s;
  });
}

absl::StatusOr<std::vector<Feed>> SqliteStore::DoListFeeds(std::string_view name) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT name, url, format, collection, as_user, every_us, field_map, timeout_ms, max_bytes, auth,"
      " basic_user, sealed_secret, ca_file, created_us, etag, last_modified, runs, not_modified, new_objects,"
      " updated_objects, rejected_objects, last_run_us, last_success_us, last_error, last_error_us, failures"
      " FROM feeds WHERE coalesce(?1, '') = '' OR name = ?1 ORDER BY name"));
  st->Bind(1, name);
  std::vector<Feed> feeds;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Feed& f = feeds.emplace_back();
    f.name = st->Text(0);
    f.url = st->Text(1);
    f.kind = ParseFeedKind(st->Text(2)).value_or(FeedKind::kLines);
    f.collection = st->Text(3);
    f.as_user = st->Text(4);
    f.every_us = st->Int(5);
    f.field_map = st->Text(6);
    f.timeout_ms = st->Int(7);
    f.max_bytes = st->Int(8);
    f.auth = ParsePeerAuth(st->Text(9)).value_or(PeerAuth::kNone);
    f.basic_user = st->Text(10);
    f.secret = st->Text(11);  // sealed: opened below, once the statement is done
    f.ca_file = st->Text(12);
    f.created_us = st->Int(13);
    f.etag = st->Text(14);
    f.last_modified = st->Text(15);
    f.runs = st->Int(16);
    f.not_modified = st->Int(17);
    f.new_objects = st->Int(18);
    f.updated_objects = st->Int(19);
    f.rejected_objects = st->Int(20);
    f.last_run_us = OptionalInt(*st, 21);
    f.last_success_us = OptionalInt(*st, 22);
    f.last_error = st->Text(23);
    f.last_error_us = OptionalInt(*st, 24);
    f.failures = static_cast<int>(st->Int(25));
  }
  st->Reset();
  for (Feed& f : feeds) {
    if (f.secret.empty()) continue;
    KZ_ASSIGN_OR_RETURN(TokenSealer sealer, Sealer());
    KZ_ASSIGN_OR_RETURN(f.secret, sealer.Open(FeedSealName(f.name), f.secret));
  }
  return feeds;
}

absl::Status SqliteStore::DoRemoveFeed(std::string_view actor, std::string_view name) {
  AuditEvent event = FederationEvent(clock_.NowMicros(), actor, "feed.remove", name);
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("DELETE FROM feeds WHERE name = ?1"));
    st->Bind(1, name);
    KZ_RETURN_IF_ERROR(st->Run());
    st->Reset();
    if (db.Changes() != 1) return absl::NotFoundError(StrCat("feed '", name, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status SqliteStore::DoSaveFeedRun(std::string_view name, const FeedRunRecord& r) {
  absl::MutexLock lock(&write_mu_);
  // The validators are decided on what is stored when the write begins: another process's
  // run (`kizuna feed run`) may have stored its own since this run read the feed.
  sqlite_internal::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(
      Statement * read,
      writer_->Cached("SELECT format, etag, last_modified FROM feeds WHERE name = ?1"));
  read->Bind(1, name);
  KZ_ASSIGN_OR_RETURN(bool found, read->Step());
  if (!found) {
    read->Reset();
    return absl::NotFoundError(StrCat("feed '", name, "' does not exist"));
  }
  const FeedKind kind = ParseFeedKind(read->Text(0)).value_or(FeedKind::kLines);
  const FeedValidators kept =
      ValidatorsAfterRun(kind, {std::string(read->Text(1)), std::string(read->Text(2))}, r);
  read->Reset();
  KZ_ASSIGN_OR_RETURN(
      Statement * st,
      writer_->Cached(
          r.ok
              ? "UPDATE feeds SET runs = runs + 1, not_modified = not_modified + ?2, etag = ?3,"
                " last_modified = ?4, new_objects = new_objects + ?5, updated_objects = "
                "updated_objects + ?6,"
                " rejected_objects = rejected_objects + ?7, last_run_us = ?8, last_success_us = ?8,"
                " last_error = '', last_error_us = NULL, failures = 0 WHERE name = ?1 AND ?9 = ?9"
              : "UPDATE feeds SET runs = runs + 1, etag = ?3, last_modified = ?4, new_objects = "
                "new_objects + ?5,"
                " updated_objects = updated_objects + ?6, rejected_objects = rejected_objects + ?7,"
                " last_run_us = ?8, last_error = ?9, last_error_us = ?8, failures = failures + 1"
                " WHERE name = ?1 AND ?2 = ?2"));
  st->Bind(1, name)
      .Bind(2, static_cast<int64_t>(r.not_modified))
      .Bind(3, kept.etag)
      .Bind(4, kept.last_modified);
  st->Bind(5, r.new_objects).Bind(6, r.updated_objects).Bind(7, r.rejected_objects).Bind(8, r.time_us);
  st->Bind(9, r.error);
  KZ_RETURN_IF_ERROR(st->Run());
  st->Reset();
  return tx.Commit();
}

}  // namespace kizuna::store
