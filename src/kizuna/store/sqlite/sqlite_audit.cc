// Kizuna. The SQLite directory: the audit log, the change version and change transactions.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace sqlite_internal {
namespace {

absl::StatusOr<int64_t> PkOf(Connection& db, const std::string& sql, std::string_view key,
                             std::string_view what) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  st->Bind(1, key);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat(what, " '", key, "' does not exist"));
  int64_t pk = st->Int(0);
  st->Reset();
  return pk;
}

}  // namespace

absl::Status InsertAudit(Connection& db, const AuditEvent& e) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "INSERT INTO audit_log (time_us, actor, action, target, remote, details)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  st->Bind(1, e.time_us).Bind(2, e.actor).Bind(3, e.action).Bind(4, e.target);
  st->Bind(5, e.remote).Bind(6, e.details);
  return st->Run();
}

absl::Status BumpIdentityVersion(Connection& db) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "UPDATE node_state SET value = value + 1 WHERE key = 'identity_version'"));
  return st->Run();
}

absl::StatusOr<int64_t> OrganizationPk(Connection& db, std::string_view id) {
  return PkOf(db, "SELECT pk FROM organizations WHERE id = ?1", id, "organisation");
}

absl::StatusOr<int64_t> GroupPk(Connection& db, std::string_view name) {
  return PkOf(db, "SELECT pk FROM sharing_groups WHERE name = ?1", name, "group");
}

absl::StatusOr<int64_t> UserPk(Connection& db, std::string_view name) {
  return PkOf(db, "SELECT pk FROM users WHERE name = ?1", name, "user");
}

absl::Status CheckNoRefusedRole(Connection& db, std::string_view name, uint8_t refused_roles) {
  if (refused_roles == 0) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT roles & ?2 FROM users WHERE name = ?1"));
  st->Bind(1, name).Bind(2, int64_t{refused_roles});
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  const bool refused = row && st->Int(0) != 0;
  st->Reset();
  if (!refused) return absl::OkStatus();
  return absl::FailedPreconditionError(
      StrCat("user '", name, "' now holds a role you may not grant: only a node administrator may act on it"));
}

absl::Status ReadGroupNames(Connection& db, int64_t org_pk, std::vector<std::string>& out) {
  KZ_ASSIGN_OR_RETURN(Statement * groups, db.Cached(
      "SELECT g.name FROM group_members m JOIN sharing_groups g ON g.pk = m.grp"
      " WHERE m.organization = ?1 ORDER BY g.name"));
  groups->Bind(1, org_pk);
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool more, groups->Step());
    if (!more) break;
    out.emplace_back(groups->Text(0));
  }
  groups->Reset();
  return absl::OkStatus();
}

}  // namespace sqlite_internal

using sqlite_internal::Transaction;

absl::Status SqliteStore::WriteChange(const AuditEvent& event,
                                      absl::FunctionRef<absl::Status(Connection&)> change) {
  absl::MutexLock lock(&write_mu_);
  Connection& db = *writer_;
  Transaction tx(db);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_RETURN_IF_ERROR(change(db));
  KZ_RETURN_IF_ERROR(sqlite_internal::InsertAudit(db, event));
  KZ_RETURN_IF_ERROR(sqlite_internal::BumpIdentityVersion(db));
  return tx.Commit();
}

absl::Status SqliteStore::DoAppendAudit(std::span<const AuditEvent> events) {
  absl::MutexLock lock(&write_mu_);
  Connection& db = *writer_;
  Transaction tx(db);
  KZ_RETURN_IF_ERROR(tx.Begin());
  for (const AuditEvent& e : events) KZ_RETURN_IF_ERROR(sqlite_internal::InsertAudit(db, e));
  return tx.Commit();
}

absl::StatusOr<std::vector<AuditEvent>> SqliteStore::DoReadAudit(const AuditQuery& query) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  constexpr const char* kColumns = "seq, time_us, actor, action, target, remote, details";
  std::string sql =
      query.newest
          ? StrCat("SELECT ", kColumns, " FROM (SELECT ", kColumns,
                   " FROM audit_log WHERE seq > ?1 ORDER BY seq DESC LIMIT ?2) ORDER BY seq")
          : StrCat("SELECT ", kColumns, " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(sql));
  st->Bind(1, query.after_seq).Bind(2, static_cast<int64_t>(query.limit));
  std::vector<AuditEvent> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    AuditEvent& e = out.emplace_back();
    e.seq = st->Int(0);
    e.time_us = st->Int(1);
    e.actor = st->Text(2);
    e.action = st->Text(3);
    e.target = st->Text(4);
    e.remote = st->Text(5);
    e.details = st->Text(6);
  }
  return out;
}

absl::StatusOr<int64_t> SqliteStore::DoChangeVersion() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT value FROM node_state WHERE key = 'identity_version'"));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::DataLossError("the store has no identity_version");
  int64_t version = st->Int(0);
  st->Reset();
  return version;
}

}  // namespace kizuna::store
