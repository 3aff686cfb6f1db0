// Kizuna. TAXII status resources in the SQLite store (migration 10: a rowid table, so that
// neither a write nor a lookup ever reads a status's details; they are read in place).
#include <sqlite3.h>

#include <memory>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

struct BlobCloser {
  void operator()(sqlite3_blob* blob) const { sqlite3_blob_close(blob); }
};
using BlobHandle = std::unique_ptr<sqlite3_blob, BlobCloser>;

// Statuses larger than this leave no pages in the reading connection's cache.
constexpr int kCachedStatusBytes = 4 * 1024 * 1024;

}  // namespace

namespace sqlite_internal {

absl::Status InsertStatus(Connection& db, const StatusRecord& s) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "INSERT INTO statuses (id, api_root, organization, request_timestamp_us, total_count,"
      " success_count, failure_count, pending_count, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  st->Bind(1, s.id).Bind(2, s.api_root).Bind(3, s.organization).Bind(4, s.request_timestamp_us);
  st->Bind(5, s.total_count).Bind(6, s.success_count).Bind(7, s.failure_count).Bind(8, s.pending_count);
  st->BindView(9, s.details_json);
  absl::Status result = st->Run();
  st->Reset();
  return result;
}

}  // namespace sqlite_internal

absl::Status SqliteStore::DoSaveStatus(const StatusRecord& s) {
  absl::MutexLock lock(&write_mu_);
  return sqlite_internal::InsertStatus(*writer_, s);
}

absl::Status SqliteStore::DoReadStatus(std::string_view api_root, std::string_view id,
                                       int64_t not_before_us, StatusSink sink) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT rowid, organization, request_timestamp_us, total_count, success_count, failure_count,"
      " pending_count FROM statuses WHERE id = ?1 AND api_root = ?2 AND request_timestamp_us >= ?3"));
  st->Bind(1, id).Bind(2, api_root).Bind(3, not_before_us);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("status '", id, "' does not exist"));
  int64_t rowid = st->Int(0);
  StatusRecord s;
  s.id = std::string(id);
  s.api_root = std::string(api_root);
  s.organization = st->Text(1);
  s.request_timestamp_us = st->Int(2);
  s.total_count = st->Int(3);
  s.success_count = st->Int(4);
  s.failure_count = st->Int(5);
  s.pending_count = st->Int(6);
  // The statement stays open, so the details come from the same snapshot. They are read
  // into the caller's string at once (sqlite3_blob), never through a buffer of their size.
  sqlite3_blob* raw = nullptr;
  int rc = sqlite3_blob_open(db->handle(), "main", "statuses", "details", rowid, 0, &raw);
  BlobHandle blob(raw);
  if (rc != SQLITE_OK) return SqliteError(rc, "opening a status", sqlite3_errmsg(db->handle()));
  const int size = sqlite3_blob_bytes(blob.get());
  std::string* out = sink(s, static_cast<size_t>(size));
  if (out == nullptr) return absl::OkStatus();
  const size_t at = out->size();
  out->resize(at + static_cast<size_t>(size));
  rc = sqlite3_blob_read(blob.get(), out->data() + at, size, 0);
  if (rc != SQLITE_OK) {
    out->resize(at);
    return SqliteError(rc, "reading a status", sqlite3_errmsg(db->handle()));
  }
  // The pages of a large status (one written before the bounds) would stay in this reader's
  // cache, a copy per reader that read it.
  blob.reset();
  if (size > kCachedStatusBytes) sqlite3_db_release_memory(db->handle());
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteStore::DoDeleteStatusesBefore(int64_t before_us, int64_t max_count) {
  absl::MutexLock lock(&write_mu_);
  // The first rows are the oldest requests (rowids follow the writes): the expired ones
  // among them go, without an index by time that every Add Objects would write too.
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      "DELETE FROM statuses WHERE rowid IN (SELECT rowid FROM statuses ORDER BY rowid LIMIT ?2)"
      " AND request_timestamp_us < ?1"));
  st->Bind(1, before_us).Bind(2, max_count);
  absl::Status result = st->Run();
  st->Reset();
  KZ_RETURN_IF_ERROR(result);
  return writer_->Changes();
}

}  // namespace kizuna::store
