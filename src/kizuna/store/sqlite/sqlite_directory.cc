// Kizuna. The SQLite directory: organisations, groups and users.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

using sqlite_internal::GroupPk;
using sqlite_internal::OrganizationPk;

absl::Status SqliteStore::DoCreateOrganization(const Organization& org, const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "INSERT INTO organizations (id, name, nation, identity_json, created_us, partner)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    st->Bind(1, org.id).Bind(2, org.name).Bind(3, org.nation).Bind(4, org.identity_json);
    st->Bind(5, org.created_us).Bind(6, int64_t{org.partner});
    absl::Status s = st->Run();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("an organisation named '", org.name,
                                             "' or with id '", org.id, "' already exists"));
    }
    return s;
  });
}

absl::StatusOr<std::vector<Organization>> SqliteStore::DoListOrganizations() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT id, name, nation, identity_json, created_us, partner FROM organizations"
      " ORDER BY name"));
  std::vector<Organization> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({std::string(st->Text(0)), std::string(st->Text(1)), std::string(st->Text(2)),
                   std::string(st->Text(3)), st->Int(4), st->Int(5) != 0});
  }
  return out;
}

absl::Status SqliteStore::DoCreateGroup(std::string_view name, const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "INSERT INTO sharing_groups (name, created_us) VALUES (?1, ?2)"));
    st->Bind(1, name).Bind(2, event.time_us);
    absl::Status s = st->Run();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("group '", name, "' already exists"));
    }
    return s;
  });
}

absl::Status SqliteStore::DoSetMembership(std::string_view group, std::string_view org,
                                          bool member, const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t group_pk, GroupPk(db, group));
    KZ_ASSIGN_OR_RETURN(int64_t org_pk, OrganizationPk(db, org));
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        member ? "INSERT INTO group_members (grp, organization) VALUES (?1, ?2)"
               : "DELETE FROM group_members WHERE grp = ?1 AND organization = ?2"));
    st->Bind(1, group_pk).Bind(2, org_pk);
    absl::Status s = st->Run();
    if (member && s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::FailedPreconditionError(
          StrCat("organisation '", org, "' is already in group '", group, "'"));
    }
    KZ_RETURN_IF_ERROR(s);
    if (!member && db.Changes() == 0) {
      return absl::FailedPreconditionError(
          StrCat("organisation '", org, "' is not in group '", group, "'"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Group>> SqliteStore::DoListGroups() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT g.name, g.created_us, o.id FROM sharing_groups g"
      " LEFT JOIN group_members m ON m.grp = g.pk"
      " LEFT JOIN organizations o ON o.pk = m.organization ORDER BY g.name, o.id"));
  std::vector<Group> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    if (out.empty() || out.back().name != st->Text(0)) {
      out.push_back({std::string(st->Text(0)), {}, st->Int(1)});
    }
    if (!st->IsNull(2)) out.back().members.emplace_back(st->Text(2));
  }
  return out;
}

absl::StatusOr<User> SqliteStore::DoCreateUser(const NewUser& user, int64_t now_us,
                                               const AuditEvent& event) {
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t org_pk, OrganizationPk(db, user.organization));
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "INSERT INTO users (name, organization, roles, disabled, created_us)"
        " VALUES (?1, ?2, ?3, 0, ?4)"));
    st->Bind(1, user.name).Bind(2, org_pk).Bind(3, int64_t{user.roles}).Bind(4, now_us);
    absl::Status s = st->Run();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("user '", user.name, "' already exists"));
    }
    return s;
  }));
  return User{user.name, user.organization, user.roles, false, now_us};
}

absl::StatusOr<std::vector<User>> SqliteStore::DoListUsers() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT u.name, o.id, u.roles, u.disabled, u.created_us FROM users u"
      " JOIN organizations o ON o.pk = u.organization ORDER BY u.name"));
  std::vector<User> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({std::string(st->Text(0)), std::string(st->Text(1)),
                   static_cast<uint8_t>(st->Int(2)), st->Int(3) != 0, st->Int(4)});
  }
  return out;
}

namespace {

// Before `user` gets `roles`: a promotion to a role of kRolesThatResetCredentials it did not
// hold revokes its tokens and clears its password (directory.h), in the caller's change.
absl::Status ResetCredentialsOnPromotion(Connection& db, std::string_view user, std::optional<uint8_t> roles,
                                         int64_t now_us) {
  if (!roles) return absl::OkStatus();
  const int64_t gained = *roles & Directory::kRolesThatResetCredentials;
  KZ_ASSIGN_OR_RETURN(Statement * tokens, db.Cached(
      "UPDATE tokens SET revoked_us = ?3 WHERE revoked_us IS NULL AND user ="
      " (SELECT pk FROM users WHERE name = ?1 AND (?2 & ~roles) != 0)"));
  tokens->Bind(1, user).Bind(2, gained).Bind(3, now_us);
  KZ_RETURN_IF_ERROR(tokens->Run());
  KZ_ASSIGN_OR_RETURN(Statement * password, db.Cached(
      "UPDATE users SET password_hash = '' WHERE name = ?1 AND (?2 & ~roles) != 0"));
  password->Bind(1, user).Bind(2, gained);
  return password->Run();
}

}  // namespace

absl::Status SqliteStore::DoUpdateUser(std::string_view user, std::optional<bool> disabled,
                                       std::optional<uint8_t> roles, const AuditEvent& event) {
  return WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_RETURN_IF_ERROR(ResetCredentialsOnPromotion(db, user, roles, event.time_us));
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
        "UPDATE users SET disabled = coalesce(?2, disabled), roles = coalesce(?3, roles)"
        " WHERE name = ?1"));
    st->Bind(1, user);
    disabled ? st->Bind(2, int64_t{*disabled}) : st->BindNull(2);
    roles ? st->Bind(3, int64_t{*roles}) : st->BindNull(3);
    KZ_RETURN_IF_ERROR(st->Run());
    if (db.Changes() == 0) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status SqliteStore::DoUpdateUserKeepingAnAdmin(std::string_view user, std::optional<bool> disabled,
                                                     std::optional<uint8_t> roles,
                                                     std::span<const AuditEvent> events) {
  using identity::Role;
  constexpr int64_t kAdmin = static_cast<int64_t>(Role::kOrgAdmin) | static_cast<int64_t>(Role::kNodeAdmin);
  constexpr int64_t kPeer = static_cast<int64_t>(Role::kPeer);
  // An administrator seat: enabled, an administrator role, not a partner's account.
  constexpr std::string_view kSeat = "(disabled = 0 AND (roles & ?2) != 0 AND (roles & ?3) = 0)";
  return WriteChange(events.back(), [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * before,
                        db.Cached(StrCat("SELECT organization, ", kSeat, " FROM users WHERE name = ?1")));
    before->Bind(1, user).Bind(2, kAdmin).Bind(3, kPeer);
    KZ_ASSIGN_OR_RETURN(bool found, before->Step());
    if (!found) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
    const int64_t organization = before->Int(0);
    const bool had_seat = before->Int(1) != 0;
    before->Reset();
    KZ_RETURN_IF_ERROR(ResetCredentialsOnPromotion(db, user, roles, events.back().time_us));
    KZ_ASSIGN_OR_RETURN(Statement * update, db.Cached(
        "UPDATE users SET disabled = coalesce(?2, disabled), roles = coalesce(?3, roles) WHERE name = ?1"));
    update->Bind(1, user);
    disabled ? update->Bind(2, int64_t{*disabled}) : update->BindNull(2);
    roles ? update->Bind(3, int64_t{*roles}) : update->BindNull(3);
    KZ_RETURN_IF_ERROR(update->Run());
    if (had_seat) {
      KZ_ASSIGN_OR_RETURN(Statement * seats, db.Cached(StrCat(
          "SELECT count(*) FROM users WHERE organization = ?1 AND ", kSeat)));
      seats->Bind(1, organization).Bind(2, kAdmin).Bind(3, kPeer);
      KZ_ASSIGN_OR_RETURN(bool counted, seats->Step());
      const int64_t left = counted ? seats->Int(0) : 0;
      seats->Reset();
      if (left == 0) {
        return absl::FailedPreconditionError(StrCat(
            "'", user, "' is the last enabled administrator of its organisation: make another one first"));
      }
    }
    for (const AuditEvent& e : events.first(events.size() - 1)) KZ_RETURN_IF_ERROR(sqlite_internal::InsertAudit(db, e));
    return absl::OkStatus();
  });
}

}  // namespace kizuna::store
