// Kizuna. The PostgreSQL directory: API tokens, client certificates mapped to users, and the
// credentials the authenticator reads (the SQLite directory's semantics, sqlite/).
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_identity_rows.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {

using pg::Param;
using pg_internal::OptionalInt;

absl::StatusOr<Token> PgStore::DoCreateToken(const NewToken& token, int64_t now_us,
                                             const AuditEvent& event) {
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t user_pk, pg_internal::UserPk(db, token.user));
    if (absl::Status refused = pg_internal::CheckNoRefusedRole(db, token.user, token.refused_roles);
        !refused.ok()) {
      return refused;  // (not KZ_RETURN_IF_ERROR: this lambda is inside one)
    }
    absl::Status s =
        db.Run("create a token",
               "INSERT INTO tokens (id, \"user\", secret_hash, label, created_us, expires_us)"
               " VALUES ($1, $2, $3, $4, $5, $6)",
               {Param::Text(token.id), Param::Int(user_pk), Param::Text(token.secret_hash),
                Param::Text(token.label), Param::Int(now_us), Param::OptionalInt(token.expires_us)})
            .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("token id '", token.id, "' is taken"));
    }
    return s;
  }));
  Token out;
  out.id = token.id;
  out.user = token.user;
  out.label = token.label;
  out.created_us = now_us;
  out.expires_us = token.expires_us;
  return out;
}

absl::StatusOr<std::vector<Token>> PgStore::DoListTokens(std::string_view user) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  if (!user.empty()) KZ_RETURN_IF_ERROR(pg_internal::UserPk(*db, user).status());
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("list tokens",
              "SELECT t.id, u.name, t.label, t.created_us, t.expires_us, t.revoked_us,"
              " t.last_used_us FROM tokens t JOIN users u ON u.pk = t.\"user\""
              " WHERE $1 = '' OR u.name = $1 ORDER BY t.created_us, t.id COLLATE \"C\"",
              {Param::Text(user)}));
  std::vector<Token> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)), std::string(r.Text(i, 2)),
                   r.Int(i, 3), OptionalInt(r, i, 4), OptionalInt(r, i, 5), OptionalInt(r, i, 6)});
  }
  return out;
}

absl::Status PgStore::DoRevokeToken(std::string_view token_id, int64_t now_us,
                                    const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(
        pg::Result r,
        db.Run("revoke a token",
               "UPDATE tokens SET revoked_us = $2 WHERE id = $1 AND revoked_us IS NULL",
               {Param::Text(token_id), Param::Int(now_us)}));
    if (r.Affected() == 1) return absl::OkStatus();
    KZ_ASSIGN_OR_RETURN(
        pg::Result exists,
        db.Run("find a token", "SELECT 1 FROM tokens WHERE id = $1", {Param::Text(token_id)}));
    if (exists.rows() == 0)
      return absl::NotFoundError(StrCat("token '", token_id, "' does not exist"));
    return absl::FailedPreconditionError(StrCat("token '", token_id, "' is already revoked"));
  });
}

absl::StatusOr<Credential> PgStore::DoGetCredential(std::string_view token_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One statement (one snapshot), so the token, user, organisation and groups agree.
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run(
          "read a token's credential",
          StrCat("SELECT t.id, t.secret_hash, t.label, t.created_us, t.expires_us, t.revoked_us,"
                 " t.last_used_us, u.name, u.roles, u.disabled, u.created_us, o.id, o.nation,"
                 " g.name FROM tokens t JOIN users u ON u.pk = t.\"user\""
                 " JOIN organizations o ON o.pk = u.organization",
                 pg_internal::kJoinGroups, " WHERE t.id = $1", pg_internal::kOrderGroups),
          {Param::Text(token_id)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("token '", token_id, "' does not exist"));
  Credential c;
  c.token = {
      std::string(r.Text(0, 0)), std::string(r.Text(0, 7)), std::string(r.Text(0, 2)), r.Int(0, 3),
      OptionalInt(r, 0, 4),      OptionalInt(r, 0, 5),      OptionalInt(r, 0, 6)};
  c.secret_hash = r.Text(0, 1);
  c.user = {std::string(r.Text(0, 7)), std::string(r.Text(0, 11)),
            static_cast<uint8_t>(r.Int(0, 8)), r.Bool(0, 9), r.Int(0, 10)};
  c.nation = r.Text(0, 12);
  c.groups = pg_internal::GroupNames(r, 13);
  return c;
}

absl::Status PgStore::DoTouchToken(std::string_view token_id, int64_t used_us) {
  // One autocommitted row update, not a change: it takes neither the writers' lock (it must
  // not wait behind another process's object writes on the request path) nor a transaction.
  absl::MutexLock lock(&write_mu_);
  return writer_
      ->Run("record a token's use",
            "UPDATE tokens SET last_used_us = $2"
            " WHERE id = $1 AND (last_used_us IS NULL OR last_used_us < $2)",
            {Param::Text(token_id), Param::Int(used_us)})
      .status();
}

absl::StatusOr<UserCertificate> PgStore::DoAddUserCertificate(const UserCertificate& certificate,
                                                              const AuditEvent& event) {
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t user_pk, pg_internal::UserPk(db, certificate.user));
    absl::Status s = db.Run("map a certificate",
                            "INSERT INTO user_certificates (sha256, \"user\", label, created_us)"
                            " VALUES ($1, $2, $3, $4)",
                            {Param::Text(certificate.sha256), Param::Int(user_pk),
                             Param::Text(certificate.label), Param::Int(certificate.created_us)})
                         .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(
          StrCat("certificate ", certificate.sha256, " is already mapped to a user"));
    }
    return s;
  }));
  return certificate;
}

absl::Status PgStore::DoRemoveUserCertificate(std::string_view sha256, const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run("unmap a certificate",
                                             "DELETE FROM user_certificates WHERE sha256 = $1",
                                             {Param::Text(sha256)}));
    if (r.Affected() != 1)
      return absl::NotFoundError(StrCat("certificate ", sha256, " is not mapped to a user"));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<UserCertificate>> PgStore::DoListUserCertificates(
    std::string_view user) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  if (!user.empty()) KZ_RETURN_IF_ERROR(pg_internal::UserPk(*db, user).status());
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("list certificates",
              "SELECT c.sha256, u.name, c.label, c.created_us FROM user_certificates c"
              " JOIN users u ON u.pk = c.\"user\" WHERE $1 = '' OR u.name = $1"
              " ORDER BY c.created_us, c.sha256 COLLATE \"C\"",
              {Param::Text(user)}));
  std::vector<UserCertificate> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)), std::string(r.Text(i, 2)),
                   r.Int(i, 3)});
  }
  return out;
}

absl::StatusOr<CertificateCredential> PgStore::DoGetCertificateCredential(std::string_view sha256) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One statement (one snapshot), so the mapping, user, organisation and groups agree.
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run(
          "read a certificate's credential",
          StrCat("SELECT c.sha256, c.label, c.created_us, u.name, u.roles, u.disabled,"
                 " u.created_us, o.id, o.nation, g.name FROM user_certificates c"
                 " JOIN users u ON u.pk = c.\"user\" JOIN organizations o ON o.pk = u.organization",
                 pg_internal::kJoinGroups, " WHERE c.sha256 = $1", pg_internal::kOrderGroups),
          {Param::Text(sha256)}));
  if (r.rows() == 0)
    return absl::NotFoundError(StrCat("certificate ", sha256, " is not mapped to a user"));
  CertificateCredential c;
  c.certificate = {std::string(r.Text(0, 0)), std::string(r.Text(0, 3)), std::string(r.Text(0, 1)),
                   r.Int(0, 2)};
  c.user = {std::string(r.Text(0, 3)), std::string(r.Text(0, 7)), static_cast<uint8_t>(r.Int(0, 4)),
            r.Bool(0, 5), r.Int(0, 6)};
  c.nation = r.Text(0, 8);
  c.groups = pg_internal::GroupNames(r, 9);
  return c;
}

}  // namespace kizuna::store
