// Kizuna. TAXII status resources in the SQLite store.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

namespace sqlite_internal {

absl::Status InsertStatus(Connection& db, const StatusRecord& s) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "INSERT INTO statuses (id, api_root, organization, request_timestamp_us, total_count,"
      " success_count, failure_count, pending_count, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  st->Bind(1, s.id).Bind(2, s.api_root).Bind(3, s.organization).Bind(4, s.request_timestamp_us);
  st->Bind(5, s.total_count).Bind(6, s.success_count).Bind(7, s.failure_count).Bind(8, s.pending_count);
  st->Bind(9, s.details_json);
  absl::Status result = st->Run();
  st->Reset();
  return result;
}

}  // namespace sqlite_internal

absl::Status SqliteStore::DoSaveStatus(const StatusRecord& s) {
  absl::MutexLock lock(&write_mu_);
  return sqlite_internal::InsertStatus(*writer_, s);
}

absl::StatusOr<StatusRecord> SqliteStore::DoGetStatus(std::string_view api_root, std::string_view id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT organization, request_timestamp_us, total_count, success_count, failure_count,"
      " pending_count, details FROM statuses WHERE id = ?1 AND api_root = ?2"));
  st->Bind(1, id).Bind(2, api_root);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("status '", id, "' does not exist"));
  StatusRecord s;
  s.id = std::string(id);
  s.api_root = std::string(api_root);
  s.organization = st->Text(0);
  s.request_timestamp_us = st->Int(1);
  s.total_count = st->Int(2);
  s.success_count = st->Int(3);
  s.failure_count = st->Int(4);
  s.pending_count = st->Int(5);
  s.details_json = st->Text(6);
  st->Reset();
  return s;
}

}  // namespace kizuna::store
