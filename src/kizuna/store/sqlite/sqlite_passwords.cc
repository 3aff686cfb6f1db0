// Kizuna. The SQLite directory: users' console passwords (migration 016).
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

absl::Status SqliteStore::DoSetUserPassword(std::string_view user, std::string_view password_hash,
                                            uint8_t refused_roles, const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_RETURN_IF_ERROR(sqlite_internal::CheckNoRefusedRole(db, user, refused_roles));
    KZ_ASSIGN_OR_RETURN(Statement * st,
                        db.Cached("UPDATE users SET password_hash = ?2 WHERE name = ?1"));
    st->Bind(1, user).Bind(2, password_hash);
    KZ_RETURN_IF_ERROR(st->Run());
    st->Reset();
    if (db.Changes() == 0) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::StatusOr<PasswordCredential> SqliteStore::DoGetPasswordCredential(std::string_view user) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One read transaction, so the user, organisation and groups agree.
  sqlite_internal::ReadTransaction read(*db);
  KZ_RETURN_IF_ERROR(read.status());
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db->Cached("SELECT u.name, o.id, u.roles, u.disabled, u.created_us,"
                                 " u.password_hash, o.nation, o.pk"
                                 " FROM users u JOIN organizations o ON o.pk = u.organization"
                                 " WHERE u.name = ?1"));
  st->Bind(1, user);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
  }
  PasswordCredential c;
  c.user = {std::string(st->Text(0)), std::string(st->Text(1)), static_cast<uint8_t>(st->Int(2)),
            st->Int(3) != 0, st->Int(4)};
  c.password_hash = st->Text(5);
  c.nation = st->Text(6);
  const int64_t org_pk = st->Int(7);
  st->Reset();
  KZ_RETURN_IF_ERROR(sqlite_internal::ReadGroupNames(*db, org_pk, c.groups));
  return c;
}

}  // namespace kizuna::store
