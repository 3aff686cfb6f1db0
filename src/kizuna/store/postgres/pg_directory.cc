// Kizuna. The PostgreSQL directory: organisations, groups, users and passwords, the audit log,
// the change version and change transactions (the SQLite directory's semantics, sqlite/).
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/postgres/pg_identity_rows.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace pg_internal {
namespace {

using pg::Param;

absl::StatusOr<int64_t> PkOf(pg::Connection& db, const std::string& sql, std::string_view key,
                             std::string_view what) {
  KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run(StrCat("find the ", what), sql, {Param::Text(key)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat(what, " '", key, "' does not exist"));
  return r.Int(0, 0);
}

}  // namespace

absl::Status BumpIdentityVersion(pg::Connection& db) {
  return db
      .Run("advance the change version",
           "UPDATE node_state SET value = value + 1 WHERE key = 'identity_version'")
      .status();
}

absl::StatusOr<int64_t> OrganizationPk(pg::Connection& db, std::string_view id) {
  return PkOf(db, "SELECT pk FROM organizations WHERE id = $1", id, "organisation");
}

absl::StatusOr<int64_t> GroupPk(pg::Connection& db, std::string_view name) {
  return PkOf(db, "SELECT pk FROM sharing_groups WHERE name = $1", name, "group");
}

absl::StatusOr<int64_t> UserPk(pg::Connection& db, std::string_view name) {
  return PkOf(db, "SELECT pk FROM users WHERE name = $1", name, "user");
}

absl::Status CheckNoRefusedRole(pg::Connection& db, std::string_view name, uint8_t refused_roles) {
  if (refused_roles == 0) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db.Run("read a user's roles", "SELECT roles & $2 FROM users WHERE name = $1",
                             {Param::Text(name), Param::Int(refused_roles)}));
  if (r.rows() == 0 || r.Int(0, 0) == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      StrCat("user '", name,
             "' now holds a role you may not grant: only a node administrator may act on it"));
}

}  // namespace pg_internal

namespace {

using pg::Param;

// Before `user` gets `roles`: a promotion to a role of kRolesThatResetCredentials it did not
// hold revokes its tokens and clears its password (directory.h), in the caller's change.
absl::Status ResetCredentialsOnPromotion(pg::Connection& db, std::string_view user,
                                         std::optional<uint8_t> roles, int64_t now_us) {
  if (!roles) return absl::OkStatus();
  const int64_t gained = *roles & Directory::kRolesThatResetCredentials;
  KZ_RETURN_IF_ERROR(
      db.Run("revoke the tokens of a promoted user",
             "UPDATE tokens SET revoked_us = $3 WHERE revoked_us IS NULL AND \"user\" ="
             " (SELECT pk FROM users WHERE name = $1 AND ($2 & ~roles) <> 0)",
             {Param::Text(user), Param::Int(gained), Param::Int(now_us)})
          .status());
  return db
      .Run("clear the password of a promoted user",
           "UPDATE users SET password_hash = '' WHERE name = $1 AND ($2 & ~roles) <> 0",
           {Param::Text(user), Param::Int(gained)})
      .status();
}

// Sets the disabled flag and roles given (NULL: kept) of user $1.
constexpr const char* kUpdateUser =
    "UPDATE users SET disabled = coalesce($2 <> 0, disabled), roles = coalesce($3, roles)"
    " WHERE name = $1";

std::vector<Param> UpdateUserParams(std::string_view user, std::optional<bool> disabled,
                                    std::optional<uint8_t> roles) {
  return {Param::Text(user),
          Param::OptionalInt(disabled ? std::optional<int64_t>(*disabled) : std::nullopt),
          Param::OptionalInt(roles ? std::optional<int64_t>(*roles) : std::nullopt)};
}

}  // namespace

absl::Status PgStore::WriteChange(const AuditEvent& event,
                                  absl::FunctionRef<absl::Status(pg::Connection&)> change) {
  return WriteAudited(event, [&](pg::Connection& db) -> absl::Status {
    KZ_RETURN_IF_ERROR(change(db));
    return pg_internal::BumpIdentityVersion(db);
  });
}

absl::Status PgStore::DoCreateOrganization(const Organization& org, const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    absl::Status s =
        db.Run("create an organisation",
               "INSERT INTO organizations (id, name, nation, identity_json, created_us, partner)"
               " VALUES ($1, $2, $3, $4, $5, $6)",
               {Param::Text(org.id), Param::Text(org.name), Param::Text(org.nation),
                Param::Text(org.identity_json), Param::Int(org.created_us),
                Param::Bool(org.partner)})
            .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("an organisation named '", org.name, "' or with id '",
                                             org.id, "' already exists"));
    }
    return s;
  });
}

absl::StatusOr<std::vector<Organization>> PgStore::DoListOrganizations() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("list organisations",
                              "SELECT id, name, nation, identity_json, created_us, partner"
                              " FROM organizations ORDER BY name COLLATE \"C\""));
  std::vector<Organization> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)), std::string(r.Text(i, 2)),
                   std::string(r.Text(i, 3)), r.Int(i, 4), r.Bool(i, 5)});
  }
  return out;
}

absl::Status PgStore::DoCreateGroup(std::string_view name, const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    absl::Status s =
        db.Run("create a group", "INSERT INTO sharing_groups (name, created_us) VALUES ($1, $2)",
               {Param::Text(name), Param::Int(event.time_us)})
            .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("group '", name, "' already exists"));
    }
    return s;
  });
}

absl::Status PgStore::DoSetMembership(std::string_view group, std::string_view org, bool member,
                                      const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t group_pk, pg_internal::GroupPk(db, group));
    KZ_ASSIGN_OR_RETURN(int64_t org_pk, pg_internal::OrganizationPk(db, org));
    absl::StatusOr<pg::Result> r =
        db.Run(member ? "join a group" : "leave a group",
               member ? "INSERT INTO group_members (grp, organization) VALUES ($1, $2)"
                      : "DELETE FROM group_members WHERE grp = $1 AND organization = $2",
               {Param::Int(group_pk), Param::Int(org_pk)});
    if (member && r.status().code() == absl::StatusCode::kAlreadyExists) {
      return absl::FailedPreconditionError(
          StrCat("organisation '", org, "' is already in group '", group, "'"));
    }
    KZ_RETURN_IF_ERROR(r.status());
    if (!member && r->Affected() == 0) {
      return absl::FailedPreconditionError(
          StrCat("organisation '", org, "' is not in group '", group, "'"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Group>> PgStore::DoListGroups() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("list groups",
                              "SELECT g.name, g.created_us, o.id FROM sharing_groups g"
                              " LEFT JOIN group_members m ON m.grp = g.pk"
                              " LEFT JOIN organizations o ON o.pk = m.organization"
                              " ORDER BY g.name COLLATE \"C\", o.id COLLATE \"C\""));
  std::vector<Group> out;
  for (int i = 0; i < r.rows(); ++i) {
    if (out.empty() || out.back().name != r.Text(i, 0)) {
      out.push_back({std::string(r.Text(i, 0)), {}, r.Int(i, 1)});
    }
    if (!r.IsNull(i, 2)) out.back().members.emplace_back(r.Text(i, 2));
  }
  return out;
}

absl::StatusOr<User> PgStore::DoCreateUser(const NewUser& user, int64_t now_us,
                                           const AuditEvent& event) {
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t org_pk, pg_internal::OrganizationPk(db, user.organization));
    absl::Status s = db.Run("create a user",
                            "INSERT INTO users (name, organization, roles, disabled, created_us)"
                            " VALUES ($1, $2, $3, false, $4)",
                            {Param::Text(user.name), Param::Int(org_pk), Param::Int(user.roles),
                             Param::Int(now_us)})
                         .status();
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(StrCat("user '", user.name, "' already exists"));
    }
    return s;
  }));
  return User{user.name, user.organization, user.roles, false, now_us};
}

absl::StatusOr<std::vector<User>> PgStore::DoListUsers() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("list users",
                              "SELECT u.name, o.id, u.roles, u.disabled, u.created_us FROM users u"
                              " JOIN organizations o ON o.pk = u.organization"
                              " ORDER BY u.name COLLATE \"C\""));
  std::vector<User> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Text(i, 0)), std::string(r.Text(i, 1)),
                   static_cast<uint8_t>(r.Int(i, 2)), r.Bool(i, 3), r.Int(i, 4)});
  }
  return out;
}

absl::Status PgStore::DoUpdateUser(std::string_view user, std::optional<bool> disabled,
                                   std::optional<uint8_t> roles, const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_RETURN_IF_ERROR(ResetCredentialsOnPromotion(db, user, roles, event.time_us));
    KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run("update a user", kUpdateUser,
                                             UpdateUserParams(user, disabled, roles)));
    if (r.Affected() == 0) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::Status PgStore::DoUpdateUserKeepingAnAdmin(std::string_view user,
                                                 std::optional<bool> disabled,
                                                 std::optional<uint8_t> roles,
                                                 std::span<const AuditEvent> events) {
  using identity::Role;
  constexpr int64_t kAdmin =
      static_cast<int64_t>(Role::kOrgAdmin) | static_cast<int64_t>(Role::kNodeAdmin);
  constexpr int64_t kPeer = static_cast<int64_t>(Role::kPeer);
  // An administrator seat: enabled, an administrator role, not a partner's account.
  constexpr std::string_view kSeat = "(NOT disabled AND (roles & $2) <> 0 AND (roles & $3) = 0)";
  // The writers' lock serialises this with every other process's changes, so two concurrent
  // calls cannot both take the last two seats.
  return WriteChange(events.back(), [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(
        pg::Result before,
        db.Run("read a user's seat",
               StrCat("SELECT organization, ", kSeat, " FROM users WHERE name = $1"),
               {Param::Text(user), Param::Int(kAdmin), Param::Int(kPeer)}));
    if (before.rows() == 0) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
    const int64_t organization = before.Int(0, 0);
    const bool had_seat = before.Bool(0, 1);
    KZ_RETURN_IF_ERROR(ResetCredentialsOnPromotion(db, user, roles, events.back().time_us));
    KZ_RETURN_IF_ERROR(
        db.Run("update a user", kUpdateUser, UpdateUserParams(user, disabled, roles)).status());
    if (had_seat) {
      KZ_ASSIGN_OR_RETURN(
          pg::Result seats,
          db.Run("count administrator seats",
                 StrCat("SELECT count(*) FROM users WHERE organization = $1 AND ", kSeat),
                 {Param::Int(organization), Param::Int(kAdmin), Param::Int(kPeer)}));
      if (seats.Int(0, 0) == 0) {
        return absl::FailedPreconditionError(StrCat(
            "'", user,
            "' is the last enabled administrator of its organisation: make another one first"));
      }
    }
    for (const AuditEvent& e : events.first(events.size() - 1)) {
      KZ_RETURN_IF_ERROR(pg_internal::InsertAudit(db, e));
    }
    return absl::OkStatus();
  });
}

absl::Status PgStore::DoSetUserPassword(std::string_view user, std::string_view password_hash,
                                        uint8_t refused_roles, const AuditEvent& event) {
  return WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_RETURN_IF_ERROR(pg_internal::CheckNoRefusedRole(db, user, refused_roles));
    KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run("set a password",
                                             "UPDATE users SET password_hash = $2 WHERE name = $1",
                                             {Param::Text(user), Param::Text(password_hash)}));
    if (r.Affected() == 0) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
    return absl::OkStatus();
  });
}

absl::StatusOr<PasswordCredential> PgStore::DoGetPasswordCredential(std::string_view user) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("read a password credential",
              StrCat("SELECT u.name, o.id, u.roles, u.disabled, u.created_us, u.password_hash,"
                     " o.nation, g.name FROM users u JOIN organizations o ON o.pk = u.organization",
                     pg_internal::kJoinGroups, " WHERE u.name = $1", pg_internal::kOrderGroups),
              {Param::Text(user)}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("user '", user, "' does not exist"));
  PasswordCredential c;
  c.user = {std::string(r.Text(0, 0)), std::string(r.Text(0, 1)), static_cast<uint8_t>(r.Int(0, 2)),
            r.Bool(0, 3), r.Int(0, 4)};
  c.password_hash = r.Text(0, 5);
  c.nation = r.Text(0, 6);
  c.groups = pg_internal::GroupNames(r, 7);
  return c;
}

absl::Status PgStore::DoAppendAudit(std::span<const AuditEvent> events) {
  // Under the writers' lock, as every other insert into audit_log: seq values are then given
  // out in commit order, so a reader paging by after_seq never skips an event committed later.
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  for (const AuditEvent& e : events) KZ_RETURN_IF_ERROR(pg_internal::InsertAudit(*writer_, e));
  return tx.Commit();
}

absl::StatusOr<std::vector<AuditEvent>> PgStore::DoReadAudit(const AuditQuery& query) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  constexpr std::string_view kColumns = "seq, time_us, actor, action, target, remote, details";
  std::string sql =
      query.newest
          ? StrCat(
                "SELECT ", kColumns, " FROM (SELECT ", kColumns,
                " FROM audit_log WHERE seq > $1 ORDER BY seq DESC LIMIT $2) AS newest ORDER BY seq")
          : StrCat("SELECT ", kColumns, " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("read the audit log", sql,
                                            {Param::Int(query.after_seq),
                                             Param::Int(static_cast<int64_t>(query.limit))}));
  std::vector<AuditEvent> out;
  for (int i = 0; i < r.rows(); ++i) {
    AuditEvent& e = out.emplace_back();
    e.seq = r.Int(i, 0);
    e.time_us = r.Int(i, 1);
    e.actor = r.Text(i, 2);
    e.action = r.Text(i, 3);
    e.target = r.Text(i, 4);
    e.remote = r.Text(i, 5);
    e.details = r.Text(i, 6);
  }
  return out;
}

absl::StatusOr<int64_t> PgStore::DoChangeVersion() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("read the change version",
                              "SELECT value FROM node_state WHERE key = 'identity_version'"));
  if (r.rows() == 0) return absl::DataLossError("the store has no identity_version");
  return r.Int(0, 0);
}

}  // namespace kizuna::store
