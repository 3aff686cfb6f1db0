// Kizuna. The SQLite directory: API tokens and the credentials the authenticator reads.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

using sqlite_internal::BindOptional;
using sqlite_internal::OptionalInt;

absl::StatusOr<Token> SqliteStore::DoCreateToken(const NewToken& token, int64_t now_us,
                                                 const AuditEvent& event) {
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t user_pk, sqlite_internal::UserPk(db, token.user));
    if (absl::Status refused = sqlite_internal::CheckNoRefusedRole(db, token.user, token.refused_roles); !refused.ok()) {
      return refused;  // (not KZ_RETURN_IF_ERROR: this lambda is inside one)
    }
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "INSERT INTO tokens (id, user, secret_hash, label, created_us, expires_us)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    st->Bind(1, token.id).Bind(2, user_pk).Bind(3, token.secret_hash).Bind(4, token.label);
    st->Bind(5, now_us);
    BindOptional(*st, 6, token.expires_us);
    absl::Status s = st->Run();
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

absl::StatusOr<std::vector<Token>> SqliteStore::DoListTokens(std::string_view user) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  if (!user.empty()) KZ_RETURN_IF_ERROR(sqlite_internal::UserPk(*db, user).status());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT t.id, u.name, t.label, t.created_us, t.expires_us, t.revoked_us, t.last_used_us"
      " FROM tokens t JOIN users u ON u.pk = t.user WHERE ?1 = '' OR u.name = ?1"
      " ORDER BY t.created_us, t.id"));
  st->Bind(1, user);
  std::vector<Token> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({std::string(st->Text(0)), std::string(st->Text(1)), std::string(st->Text(2)),
                   st->Int(3), OptionalInt(*st, 4), OptionalInt(*st, 5), OptionalInt(*st, 6)});
  }
  return out;
}

absl::Status SqliteStore::DoRevokeToken(std::string_view token_id, int64_t now_us,
                                        const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "UPDATE tokens SET revoked_us = ?2 WHERE id = ?1 AND revoked_us IS NULL"));
    st->Bind(1, token_id).Bind(2, now_us);
    KZ_RETURN_IF_ERROR(st->Run());
    if (db.Changes() == 1) return absl::OkStatus();
    KZ_ASSIGN_OR_RETURN(Statement * exists, db.Cached("SELECT 1 FROM tokens WHERE id = ?1"));
    exists->Bind(1, token_id);
    KZ_ASSIGN_OR_RETURN(bool row, exists->Step());
    exists->Reset();
    if (!row) return absl::NotFoundError(StrCat("token '", token_id, "' does not exist"));
    return absl::FailedPreconditionError(StrCat("token '", token_id, "' is already revoked"));
  });
}

absl::StatusOr<Credential> SqliteStore::DoGetCredential(std::string_view token_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One read transaction, so the token, user, organisation and groups agree.
  sqlite_internal::ReadTransaction read(*db);
  KZ_RETURN_IF_ERROR(read.status());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT t.id, t.secret_hash, t.label, t.created_us, t.expires_us, t.revoked_us,"
      " t.last_used_us, u.name, u.roles, u.disabled, u.created_us, o.id, o.nation, o.pk"
      " FROM tokens t JOIN users u ON u.pk = t.user JOIN organizations o ON o.pk = u.organization"
      " WHERE t.id = ?1"));
  st->Bind(1, token_id);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("token '", token_id, "' does not exist"));
  Credential c;
  c.token = {std::string(st->Text(0)), std::string(st->Text(7)), std::string(st->Text(2)),
             st->Int(3), OptionalInt(*st, 4), OptionalInt(*st, 5), OptionalInt(*st, 6)};
  c.secret_hash = st->Text(1);
  c.user = {std::string(st->Text(7)), std::string(st->Text(11)), static_cast<uint8_t>(st->Int(8)),
            st->Int(9) != 0, st->Int(10)};
  c.nation = st->Text(12);
  int64_t org_pk = st->Int(13);
  st->Reset();
  KZ_RETURN_IF_ERROR(sqlite_internal::ReadGroupNames(*db, org_pk, c.groups));
  return c;
}

absl::Status SqliteStore::DoTouchToken(std::string_view token_id, int64_t used_us) {
  absl::MutexLock lock(&write_mu_);
  KZ_ASSIGN_OR_RETURN(Statement * st, writer_->Cached(
      "UPDATE tokens SET last_used_us = ?2"
      " WHERE id = ?1 AND (last_used_us IS NULL OR last_used_us < ?2)"));
  st->Bind(1, token_id).Bind(2, used_us);
  return st->Run();
}

}  // namespace kizuna::store
