// Kizuna. The SQLite directory: client certificates mapped to users.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

absl::StatusOr<UserCertificate> SqliteStore::DoAddUserCertificate(
    const UserCertificate& certificate, const AuditEvent& event) {
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t user_pk, sqlite_internal::UserPk(db, certificate.user));
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("INSERT INTO user_certificates (sha256, user, "
                                                  "label, created_us) VALUES (?1, ?2, ?3, ?4)"));
    st->Bind(1, certificate.sha256)
        .Bind(2, user_pk)
        .Bind(3, certificate.label)
        .Bind(4, certificate.created_us);
    absl::Status s = st->Run();
    st->Reset();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(
          StrCat("certificate ", certificate.sha256, " is already mapped to a user"));
    }
    return s;
  }));
  return certificate;
}

absl::Status SqliteStore::DoRemoveUserCertificate(std::string_view sha256,
                                                  const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st,
                        db.Cached("DELETE FROM user_certificates WHERE sha256 = ?1"));
    st->Bind(1, sha256);
    KZ_RETURN_IF_ERROR(st->Run());
    st->Reset();
    if (db.Changes() != 1)
      return absl::NotFoundError(StrCat("certificate ", sha256, " is not mapped to a user"));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<UserCertificate>> SqliteStore::DoListUserCertificates(
    std::string_view user) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  if (!user.empty()) KZ_RETURN_IF_ERROR(sqlite_internal::UserPk(*db, user).status());
  KZ_ASSIGN_OR_RETURN(
      Statement * st,
      db->Cached("SELECT c.sha256, u.name, c.label, c.created_us FROM user_certificates c JOIN "
                 "users u ON u.pk = c.user"
                 " WHERE coalesce(?1, '') = '' OR u.name = ?1 ORDER BY c.created_us, c.sha256"));
  st->Bind(1, user);
  std::vector<UserCertificate> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(
        {std::string(st->Text(0)), std::string(st->Text(1)), std::string(st->Text(2)), st->Int(3)});
  }
  st->Reset();
  return out;
}

absl::StatusOr<CertificateCredential> SqliteStore::DoGetCertificateCredential(
    std::string_view sha256) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One read transaction, so the mapping, user, organisation and groups agree.
  sqlite_internal::ReadTransaction read(*db);
  KZ_RETURN_IF_ERROR(read.status());
  KZ_ASSIGN_OR_RETURN(Statement * st,
                      db->Cached("SELECT c.sha256, c.label, c.created_us, u.name, u.roles, "
                                 "u.disabled, u.created_us, o.id, o.nation, o.pk"
                                 " FROM user_certificates c JOIN users u ON u.pk = c.user JOIN "
                                 "organizations o ON o.pk = u.organization"
                                 " WHERE c.sha256 = ?1"));
  st->Bind(1, sha256);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("certificate ", sha256, " is not mapped to a user"));
  CertificateCredential c;
  c.certificate = {std::string(st->Text(0)), std::string(st->Text(3)), std::string(st->Text(1)),
                   st->Int(2)};
  c.user = {std::string(st->Text(3)), std::string(st->Text(7)), static_cast<uint8_t>(st->Int(4)),
            st->Int(5) != 0, st->Int(6)};
  c.nation = st->Text(8);
  const int64_t org_pk = st->Int(9);
  st->Reset();
  KZ_RETURN_IF_ERROR(sqlite_internal::ReadGroupNames(*db, org_pk, c.groups));
  return c;
}

}  // namespace kizuna::store
